/**
 * Where the program declared a resource: the first stack frame inside the project when the resource
 * was constructed. Runs in the program's child process (programChild.ts).
 *
 * The frames are taken here, not from the SDK's RegisterResourceRequest: what the SDK sends differs by
 * version (before ~3.150 only a `sourcePosition` matched by a regular expression that expects a
 * `new X (file:line:col)` frame, which an ES module's top-level code or a factory function never
 * gives, and which the child's `Error.stackTraceLimit = 0` empties; later a stack trace whose file
 * URLs are built by calling pathToFileURL on a frame that may already be a file URL). Resource
 * constructors call `registerResource`/`readResource` of @pulumi/pulumi's runtime/resource module
 * synchronously, on every SDK version, so wrapping those two sees the program's own stack.
 * Stack traces name the TypeScript lines: ts-node's source-map-support (CommonJS) or Node's source
 * maps (ES modules, enabled by the loader) map them.
 */
import * as path from "path";
import { fileURLToPath } from "url";
import type { SourceLocation } from "../resourceRecord";

/** The gate's directory (this module's, next to programChild), and its sources' when it runs from dist/. */
const GATE_DIRECTORIES = [__dirname, path.resolve(__dirname, "..", "..", "gate")];

/** Frames kept per `type \0 name`, in construction order: a registration request takes the oldest. */
const framesByResource = new Map<string, SourceLocation[][]>();
/**
 * The SDK's resource.js, whose Resource/CustomResource/ComponentResource constructors call the runtime,
 * by the names its frames go by: source-map-support maps the SDK's own frames to its TypeScript
 * sources, which its source maps place one folder up (`node_modules/@pulumi/resource.ts`).
 */
let sdkResourceFiles: string[] = [];

/** Deep enough for a resource created inside nested components of packages (each a few frames). */
const FRAME_LIMIT = 64;

/**
 * `at fn (file:line:col)`, `at file:line:col`, `at async fn (file:///…:line:col)`. The file starts at
 * the first " (" that opens a path (`/`, a drive, a URL scheme such as `file:`, `[eval]`,
 * `<anonymous>`), so a project path with " (" in it ("/src/p (copy)/index.ts") stays whole.
 */
const FRAME = /^\s*at (?:.*? \((?=\/|[A-Za-z]:\\|[a-z][a-z0-9+.-]*:|\[|<))?(.+?):(\d+):(\d+)\)?$/;

function framesHere(): SourceLocation[] {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = FRAME_LIMIT;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  const frames: SourceLocation[] = [];
  for (const line of stack.split("\n").slice(1)) {
    const match = FRAME.exec(line);
    if (!match || match[1].startsWith("node:")) continue;
    let file = match[1];
    if (file.startsWith("file://")) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    if (!path.isAbsolute(file)) continue;
    frames.push({ file, line: Number(match[2]), column: Number(match[3]) });
  }
  return frames;
}

/** Wraps the SDK's runtime registerResource/readResource to keep the program's stack at each construction. */
export function recordDeclaringFrames(pulumiDir: string): void {
  sdkResourceFiles = [
    path.join(pulumiDir, "resource.js"),
    path.join(pulumiDir, "resource.ts"),
    path.join(path.dirname(pulumiDir), "resource.ts"),
  ];
  const runtimeResource = require(path.join(pulumiDir, "runtime", "resource")) as Record<string, unknown>;
  for (const name of ["registerResource", "readResource"]) {
    const original = runtimeResource[name];
    if (typeof original !== "function") continue;
    runtimeResource[name] = function (this: unknown, ...args: unknown[]) {
      // (res, parent, type, name, ...) on every SDK version.
      const key = `${String(args[2])}\0${String(args[3])}`;
      const queue = framesByResource.get(key);
      if (queue) queue.push(framesHere());
      else framesByResource.set(key, [framesHere()]);
      return (original as (...args: unknown[]) => unknown).apply(this, args);
    };
  }
}

function isProgramFile(file: string, projectDir: string): boolean {
  return file.startsWith(projectDir + path.sep) && !file.split(path.sep).includes("node_modules");
}

/**
 * The frames from where the resource was constructed: past the SDK's base constructors and the
 * resource class's own constructor (`new Key`, or a component class's), as the SDK's own source
 * position skips them; so a component declared in the program file is located where it is created.
 */
function callerFrames(frames: SourceLocation[]): SourceLocation[] {
  // The first run of SDK constructor frames from the top (the program itself runs inside the stack
  // resource's constructor, so later frames of resource.js are the stack's, not this resource's).
  const first = frames.findIndex((frame) => sdkResourceFiles.includes(frame.file));
  if (first < 0) return frames;
  let last = first;
  while (last + 1 < frames.length && sdkResourceFiles.includes(frames[last + 1].file)) last++;
  return frames.slice(last + 2);
}

/**
 * The program line that declared a resource: the first frame inside the project (so a key created
 * inside a component points at the program's `new EncryptedRedshiftCluster(...)`), else the first
 * frame outside the SDK, the packages and the gate.
 */
export function declaringLocation(type: string, name: string, projectDir: string): SourceLocation | undefined {
  const key = `${type}\0${name}`;
  const frames = callerFrames(framesByResource.get(key)?.shift() ?? []);
  if (framesByResource.get(key)?.length === 0) framesByResource.delete(key);
  let firstKnown: SourceLocation | undefined;
  for (const frame of frames) {
    if (isProgramFile(frame.file, projectDir)) return frame;
    const isOurs = GATE_DIRECTORIES.some((directory) => frame.file.startsWith(directory + path.sep));
    if (!firstKnown && !isOurs && !frame.file.split(path.sep).includes("node_modules")) firstKnown = frame;
  }
  return firstKnown;
}
