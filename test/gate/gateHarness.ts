/**
 * Shared pieces of the gate's tests: run the CLI module with captured output, one policy pack
 * process per test file (launched as the engine does), the SARIF 2.1.0 schema validator and the
 * JUnit parser.
 */
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { XMLParser } from "fast-xml-parser";
import { startAnalyzer, type AnalyzerHost } from "../../engine";
import { main, defaultPolicyPackDir, type CliDependencies } from "../../gate/cli";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  dependencies: CliDependencies = {},
  options: { cwd?: string; isTTY?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(
    args,
    {
      stdout: { write: (text: string) => (stdout += text), isTTY: options.isTTY },
      stderr: { write: (text: string) => (stderr += text), isTTY: options.isTTY },
      env: options.env ?? process.env,
      cwd: options.cwd ?? REPO_ROOT,
    },
    dependencies,
  );
  return { code, stdout, stderr };
}

/** The arguments that run the real `keyguard` command from its sources in a process of its own: `node <these> ...`. */
export function keyguardProcessArguments(args: string[]): string[] {
  return ["-r", "ts-node/register/transpile-only", path.join(REPO_ROOT, "gate", "cli.ts"), ...args];
}

/** One pack for a whole test file: the CLI's runs reuse it instead of starting their own. */
export async function startSharedPack(): Promise<{ host: AnalyzerHost; dependencies: CliDependencies }> {
  const host = await startAnalyzer({ packDir: defaultPolicyPackDir() });
  return { host, dependencies: { startPack: async () => host, closePack: false } };
}

let sarifValidator: ReturnType<Ajv["compile"]> | undefined;

/** Validates against the SARIF 2.1.0 schema that @microsoft/jest-sarif ships; returns ajv's errors. */
export function sarifSchemaErrors(document: unknown): string[] {
  if (!sarifValidator) {
    const schemaFile = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
    const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8")) as Record<string, unknown>;
    // The schema is draft-04; ajv 8 reads it as draft-07 once its id is spelled "$id" (it uses
    // no draft-04-only keyword such as boolean exclusiveMinimum).
    const { id, ...rest } = schema;
    // unicodeRegExp off: one of the schema's patterns is valid only without the u flag.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    sarifValidator = ajv.compile({
      ...rest,
      $schema: "http://json-schema.org/draft-07/schema#",
      $id: id as string,
    } as Record<string, unknown>);
  }
  return sarifValidator(document)
    ? []
    : (sarifValidator.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

export interface JunitCase {
  name: string;
  classname: string;
  file?: string;
  failure?: { type: string; message: string };
  skipped?: { message: string };
  "system-out"?: string;
}

export interface JunitSuite {
  name: string;
  tests: number;
  failures: number;
  skipped: number;
  testcase: JunitCase[];
}

export function parseJunit(xml: string): { tests: number; failures: number; suites: JunitSuite[] } {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseAttributeValue: true,
    isArray: (name) => name === "testsuite" || name === "testcase",
  });
  const document = parser.parse(xml, true) as {
    testsuites: { tests: number; failures: number; testsuite?: JunitSuite[] };
  };
  return {
    tests: document.testsuites.tests,
    failures: document.testsuites.failures,
    suites: document.testsuites.testsuite ?? [],
  };
}
