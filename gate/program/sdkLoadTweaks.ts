/**
 * Changes to how @pulumi/pulumi loads in the program's child process (programChild.ts) that cut
 * its start-up time and its noise without changing what it does.
 */
import * as path from "path";

/**
 * Defers loading @npmcli/arborist (and pacote, sigstore... behind it), which @pulumi/pulumi's
 * closure serializer requires at start-up but uses only to compute a Lambda callback's package
 * paths: a third of the SDK's load time, paid by every `keyguard check`. The module is loaded,
 * unchanged, on the first access to it. `__esModule` makes TypeScript's __importStar hand the
 * proxy through without enumerating it.
 */
export function deferArboristLoad(): void {
  const Module = require("module") as {
    _load: (request: string, parent: { filename?: string } | undefined, isMain: boolean) => unknown;
  };
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request !== "@npmcli/arborist" || !parent?.filename?.includes(`${path.sep}closure${path.sep}`))
      return load.call(this, request, parent, isMain);
    let real: Record<string | symbol, unknown> | undefined;
    const actual = () => (real ??= load.call(Module, request, parent, isMain) as Record<string | symbol, unknown>);
    return new Proxy({} as Record<string | symbol, unknown>, {
      get: (_target, property) => (property === "__esModule" ? true : actual()[property]),
      has: (_target, property) => property in actual(),
      ownKeys: () => Reflect.ownKeys(actual()),
      getOwnPropertyDescriptor: (_target, property) => {
        const descriptor = Reflect.getOwnPropertyDescriptor(actual(), property);
        return descriptor ? { ...descriptor, configurable: true } : undefined;
      },
    });
  };
}

/**
 * Pulumi's closure serializer loads every built-in module to recognise them in closures, and so
 * triggers Node's warnings for `sys` (DEP0025) and `wasi`: noise about the SDK, not the program.
 * Every other warning gets through.
 */
export function silenceSerializerWarnings(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((...args: unknown[]) => {
    const [warning, second, third] = args;
    const text = String(warning instanceof Error ? warning.message : warning);
    const code = typeof second === "object" && second !== null ? (second as { code?: string }).code : third;
    if (code === "DEP0025" || /^WASI is an experimental feature/.test(text)) return;
    emitWarning(...args);
  }) as typeof process.emitWarning;
}
