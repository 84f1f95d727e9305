/**
 * Where the program declared a resource: the first stack frame of a registration inside the
 * project, mapped back to the TypeScript source through the source maps the TypeScript loader kept.
 * Runs in the program's child process (programChild.ts).
 */
import * as path from "path";
import { fileURLToPath } from "url";
import type { SourceLocation } from "../resourceRecord";

interface SourceMapLike {
  findEntry(line: number, column: number): { originalSource?: string; originalLine?: number; originalColumn?: number };
}

/** The source-position accessors of a pulumirpc Register/ReadResourceRequest (google-protobuf generated). */
export interface SourcePositionRequest {
  getSourceposition(): { getUri(): string; getLine(): number; getColumn(): number } | undefined;
  getStacktrace?():
    | { getFramesList(): { getPc(): { getUri(): string; getLine(): number; getColumn(): number } | undefined }[] }
    | undefined;
}

/** Where a position in compiled code came from, using the source maps the TypeScript loader kept. */
function originalPosition(file: string, line: number, column: number): SourceLocation {
  const maps = (globalThis as { __keyguardSourceMaps?: Map<string, SourceMapLike> }).__keyguardSourceMaps;
  const map = maps?.get(file);
  if (map) {
    const entry = map.findEntry(line - 1, column - 1);
    if (entry && typeof entry.originalLine === "number") {
      return { file, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
    }
  }
  return { file, line, column };
}

/** The gate's directory (this module's, next to programChild), and its sources' when it runs from dist/ (source maps point stack frames there). */
const GATE_DIRECTORIES = [__dirname, path.resolve(__dirname, "..", "..", "gate")];

function isProgramFile(file: string, projectDir: string): boolean {
  return file.startsWith(projectDir + path.sep) && !file.split(path.sep).includes("node_modules");
}

/**
 * Frames of code that has no file (`node -e`, as the program's child runs its job: "[eval]",
 * "[eval]-wrapper"; "<anonymous>"): the SDK resolves such a name against the working directory, the
 * project folder, where it would pass for a program file.
 */
function isPseudoFile(file: string): boolean {
  return /^(\[[^\]/]*\](-wrapper)?|<anonymous>)$/.test(path.basename(file));
}

/**
 * V8's frame "    at <function> (<file>:<line>:<column>)", read with the file starting at the first
 * " (" that opens a path (`/`, a drive, a URL scheme such as `node:`, `[eval]`, `<anonymous>`), not the last one: the SDK's own pattern (Resource.framePositionRegExp)
 * takes the last, and so cuts a path with " (" in it ("/src/p (copy)/index.ts" became "copy)/index.ts").
 */
const FRAME_POSITION =
  /^\s*at (?:.*? \((?=\/|[A-Za-z]:\\|[a-z][a-z0-9+.-]*:|\[|<))?(?<file>.*?):(?<line>[0-9]+):(?<column>[0-9]+)\)?$/;

/** Makes the program's @pulumi/pulumi (in `pulumiDir`) read frame positions with FRAME_POSITION. */
export function readFramePathsWithParentheses(pulumiDir: string): void {
  const { Resource } = require(path.join(pulumiDir, "resource")) as { Resource: { framePositionRegExp?: RegExp } };
  if (Resource.framePositionRegExp instanceof RegExp) Resource.framePositionRegExp = FRAME_POSITION;
}

/**
 * The program line that declared a resource: the first stack frame inside the project (so a key
 * created inside a component points at the program's `new EncryptedRedshiftCluster(...)`), else
 * the SDK's own source position.
 */
export function declaringLocation(request: SourcePositionRequest, projectDir: string): SourceLocation | undefined {
  const frames = request.getStacktrace?.()?.getFramesList() ?? [];
  const positions = frames.map((frame) => frame.getPc()).filter((pc) => pc !== undefined);
  const fallback = request.getSourceposition();
  if (fallback) positions.push(fallback);
  let firstKnown: SourceLocation | undefined;
  for (const pc of positions) {
    let file: string;
    try {
      file = fileURLToPath(pc.getUri());
    } catch {
      continue;
    }
    if (isPseudoFile(file)) continue;
    const location = originalPosition(file, pc.getLine(), pc.getColumn());
    if (isProgramFile(file, projectDir)) return location;
    // Frames in the gate itself (the stack resource is created here) say nothing about the program.
    const isOurs = GATE_DIRECTORIES.some((directory) => file.startsWith(directory + path.sep));
    if (!firstKnown && !isOurs && !file.split(path.sep).includes("node_modules")) firstKnown = location;
  }
  return firstKnown;
}
