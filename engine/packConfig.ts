/**
 * Policy-pack config as `pulumi ... --policy-pack-config <file>` takes it, resolved against the
 * pack's policies the way the engine resolves it before `Configure`.
 */
import { ENFORCEMENT_LEVELS, type AnalyzerInfo, type EnforcementLevel } from "./protocol";

/**
 * Policy-pack config in the format of `pulumi ... --policy-pack-config <file>`:
 * `{ "all": "advisory", "<policy>": "mandatory" | { "enforcementLevel": "...", "<property>": value } }`.
 */
export type PolicyPackConfig = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

/** What `Configure` carries for one policy: its level and its properties (schema defaults applied). */
export interface ResolvedPolicyConfig {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

/** A policy pack config the host refuses before sending it (unknown policy, bad enforcement level). */
export class PolicyPackConfigError extends Error {
  override readonly name = "PolicyPackConfigError";
}

/**
 * Refuses a "__proto__" key at any depth of a policy's config, as the pack refuses every key a
 * policy does not take. Such a key cannot reach the pack as a key: assigned (Object.assign) it
 * replaces an object's prototype, whose members would then be sent as settings nobody wrote under
 * their names; carried by protobuf's Struct it vanishes.
 */
function refuseProtoKeys(value: unknown, where: string, settings: string[]): void {
  if (value === null || typeof value !== "object") return;
  for (const [key, member] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${where}[${key}]` : `${where}.${key}`;
    if (key === "__proto__")
      throw new PolicyPackConfigError(
        `policy pack config ${at}: is not a setting of this policy; it takes ${settings.join(", ")}`,
      );
    refuseProtoKeys(member, at, settings);
  }
}

/**
 * Resolves a `--policy-pack-config` object against the pack's policies the way the engine does:
 * per policy, the level is the policy's own entry, else `all`, else the pack's initial config, else
 * the policy's default; properties are the schema's top-level `default`s, then the pack's initial
 * config, then the user's values. Unknown policy names and enforcement levels are clear errors.
 * Property values are not schema-validated here: the pack validates its own config.
 */
export function normalizePolicyPackConfig(
  config: PolicyPackConfig,
  info: AnalyzerInfo,
): Record<string, ResolvedPolicyConfig> {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new PolicyPackConfigError(
      `policy pack config must be a JSON object keyed by policy name (or "all"), got ${Array.isArray(config) ? "an array" : String(config)}`,
    );
  }
  const known = new Set(info.policies.map((policy) => policy.name));
  const checkLevel = (level: unknown, where: string): EnforcementLevel => {
    if (typeof level !== "string" || !ENFORCEMENT_LEVELS.includes(level as EnforcementLevel)) {
      throw new PolicyPackConfigError(
        `policy pack config ${where}: enforcement level ${JSON.stringify(level)} is not one of ${ENFORCEMENT_LEVELS.join(", ")}`,
      );
    }
    return level as EnforcementLevel;
  };
  for (const key of Object.keys(config)) {
    if (key !== "all" && !known.has(key)) {
      throw new PolicyPackConfigError(
        `policy pack config names policy "${key}", which pack "${info.name}" does not have; its policies are: ${[...known].join(", ")} (or "all")`,
      );
    }
  }
  let allLevel: EnforcementLevel | undefined;
  if (config.all !== undefined) {
    const all = config.all;
    allLevel =
      typeof all === "string" ? checkLevel(all, `"all"`) : checkLevel(all?.enforcementLevel, `"all".enforcementLevel`);
  }
  const resolved: Record<string, ResolvedPolicyConfig> = {};
  for (const policy of info.policies) {
    const user = config[policy.name];
    const initial = info.initialConfig[policy.name];
    const properties: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      if (schema && typeof schema === "object" && "default" in schema)
        properties[name] = (schema as { default: unknown }).default;
    }
    Object.assign(properties, initial?.properties ?? {});
    let level: EnforcementLevel = allLevel ?? initial?.enforcementLevel ?? policy.enforcementLevel;
    if (typeof user === "string") {
      level = checkLevel(user, `"${policy.name}"`);
    } else if (user !== undefined) {
      if (typeof user !== "object" || user === null || Array.isArray(user)) {
        throw new PolicyPackConfigError(
          `policy pack config "${policy.name}" must be an enforcement level or an object, got ${JSON.stringify(user)}`,
        );
      }
      const { enforcementLevel, ...rest } = user;
      if (enforcementLevel !== undefined) level = checkLevel(enforcementLevel, `"${policy.name}".enforcementLevel`);
      refuseProtoKeys(rest, `"${policy.name}"`, Object.keys(policy.configSchema?.properties ?? {}));
      Object.assign(properties, rest);
    }
    resolved[policy.name] = { enforcementLevel: level, properties };
  }
  return resolved;
}
