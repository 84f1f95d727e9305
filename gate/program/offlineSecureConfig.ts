/**
 * `secure:` config values in the offline run. `pulumi preview` decrypts them with the stack's
 * secrets provider; offline there is no key, so the value is unknown, and the honest answer
 * depends on how the program reads it:
 *
 * - `getSecret` / `requireSecret` (and their Boolean, Number and Object forms) return an Output:
 *   here an Output that is unknown and secret, exactly what a preview gives for a value it cannot
 *   know yet. Its `apply` callbacks do not run, a resource receives it as a secret unknown, and the
 *   component and the pack defer their checks on it as they do for any value unknown in preview.
 * - `get` / `require` (and their typed forms) return the plain value synchronously. No stand-in is
 *   honest there (any string would be judged as if it were the value), so the program stops with a
 *   message naming the key and the two ways out: read it as a secret, or give its plaintext with
 *   `--config FILE`.
 *
 * Every key read is recorded, so the report can say which values it could not see.
 */

type ConfigMethod = (this: ConfigLike, key: string, ...rest: unknown[]) => unknown;

interface ConfigLike {
  fullKey(key: string): string;
}

interface PulumiLike {
  Config: { prototype: ConfigLike & Record<string, ConfigMethod> };
}

/** The Output constructor @pulumi/pulumi's own config.js uses for secrets: (resources, value, isKnown, isSecret, allResources). */
type OutputConstructor = new (
  resources: unknown[],
  value: Promise<unknown>,
  isKnown: Promise<boolean>,
  isSecret: Promise<boolean>,
  allResources: Promise<unknown[]>,
) => unknown;

const SECRET_ACCESSORS = [
  "getSecret",
  "requireSecret",
  "getSecretBoolean",
  "requireSecretBoolean",
  "getSecretNumber",
  "requireSecretNumber",
  "getSecretObject",
  "requireSecretObject",
];
const PLAIN_ACCESSORS = [
  "get",
  "require",
  "getBoolean",
  "requireBoolean",
  "getNumber",
  "requireNumber",
  "getObject",
  "requireObject",
];

export function installOfflineSecureConfig(
  pulumi: PulumiLike,
  Output: OutputConstructor,
  undecryptable: ReadonlySet<string>,
  onRead: (key: string) => void,
): void {
  if (undecryptable.size === 0) return;
  const prototype = pulumi.Config.prototype;
  // Each accessor answers as before for every other key.
  const answerUndecryptable = (name: string, answer: (fullKey: string, key: string) => unknown) => {
    const original = prototype[name];
    prototype[name] = function (this: ConfigLike, key: string, ...rest: unknown[]) {
      const fullKey = this.fullKey(key);
      if (!undecryptable.has(fullKey)) return original.call(this, key, ...rest);
      onRead(fullKey);
      return answer(fullKey, key);
    };
  };
  for (const name of SECRET_ACCESSORS) {
    answerUndecryptable(
      name,
      () =>
        new Output([], Promise.resolve(undefined), Promise.resolve(false), Promise.resolve(true), Promise.resolve([])),
    );
  }
  for (const name of PLAIN_ACCESSORS) {
    const secretForm = name.startsWith("get") ? `getSecret${name.slice(3)}` : `requireSecret${name.slice(7)}`;
    answerUndecryptable(name, (fullKey, key) => {
      throw new Error(
        `config.${name}("${key}"): ${fullKey} is a secure value, which keyguard check cannot decrypt offline, and the program reads it as plain text, ` +
          `for which no stand-in would be honest (pulumi preview decrypts it); read it with config.${secretForm} (its checks then wait for the deployment, ` +
          `as for any value unknown during preview), or give its plaintext with --config FILE`,
      );
    });
  }
}
