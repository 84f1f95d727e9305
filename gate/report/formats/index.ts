/** The gate's output formats. */
import type { Report } from "../report";
import { renderGitlab } from "./gitlab";
import { renderJson, renderJsonChunks } from "./json";
import { renderJunit } from "./junit";
import { renderMarkdown } from "./markdown";
import { renderSarif } from "./sarif";
import { renderText } from "./text";

export const FORMATS = ["text", "json", "sarif", "junit", "markdown", "gitlab"] as const;
export type Format = (typeof FORMATS)[number];

export function renderReport(report: Report, format: Format, options: { color: boolean } = { color: false }): string {
  switch (format) {
    case "json":
      return renderJson(report);
    case "sarif":
      return renderSarif(report);
    case "junit":
      return renderJunit(report);
    case "markdown":
      return renderMarkdown(report);
    case "gitlab":
      return renderGitlab(report);
    case "text":
      return renderText(report, options);
  }
}

/** The report in pieces to write one after another: JSON in chunks (it can outgrow a string), the others whole. */
export function renderReportChunks(
  report: Report,
  format: Format,
  options: { color: boolean } = { color: false },
): Iterable<string> {
  return format === "json" ? renderJsonChunks(report) : [renderReport(report, format, options)];
}

export { renderGitlab, renderJson, renderJunit, renderMarkdown, renderSarif, renderText };
