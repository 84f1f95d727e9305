/**
 * The policies' configuration: JSON schemas the engine validates (and fills defaults from) before
 * `Configure`, and a second, strict check here, because a pack can also be configured by a caller
 * that validates nothing (the gate, a test, an older CLI). Bad config is an error that names the
 * policy, the setting, the value and what is allowed; it is never silently replaced by a default.
 */
import { ALIAS_ARN_PATTERN, KEY_ARN_PATTERN, MAX_ROTATION_PERIOD_IN_DAYS, MIN_ROTATION_PERIOD_IN_DAYS } from "../facts";
import { describeValue } from "../messages/describe";
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

const unanchored = (pattern: RegExp) => pattern.source.replace(/^\^/, "").replace(/\$$/, "");
/** A key ARN or an alias ARN, as a JSON-schema (RE2-compatible) pattern for `trustedKeyArns` items. */
export const TRUSTED_KEY_ARN_PATTERN_SOURCE = `^(?:${unanchored(KEY_ARN_PATTERN)}|${unanchored(ALIAS_ARN_PATTERN)})$`;

/** The keyguard defaults for the period bounds: AWS's minimum, and yearly at the latest. */
export const DEFAULT_MIN_ROTATION_PERIOD_IN_DAYS = MIN_ROTATION_PERIOD_IN_DAYS;
export const DEFAULT_MAX_ROTATION_PERIOD_IN_DAYS = 365;

/** An exemption: a resource (URN or name, `*` and `?` globs allowed) and why it is exempt. */
export interface Exemption {
  resource: string;
  reason: string;
}

export interface RotationBounds {
  minRotationPeriodInDays: number;
  maxRotationPeriodInDays: number;
}

export class PolicyConfigError extends Error {
  constructor(policyName: string, setting: string, problem: string) {
    super(`keyguard policy config: ${policyName}.${setting}: ${problem}`);
    this.name = "PolicyConfigError";
  }
}

const exemptionsSchema: PolicyConfigJSONSchema = {
  type: "array",
  description:
    "Resources this policy skips: a URN or a name (globs * and ? allowed), each with the reason it is exempt.",
  default: [],
  items: {
    type: "object",
    properties: {
      resource: { type: "string", minLength: 1, description: "URN or resource name; * and ? are globs." },
      reason: {
        type: "string",
        minLength: 1,
        description: "Why this resource is exempt (required, shown in reviews).",
      },
    },
    required: ["resource", "reason"],
    additionalProperties: false,
  },
};

const periodSchema = (description: string, defaultValue: number): PolicyConfigJSONSchema => ({
  type: "integer",
  minimum: MIN_ROTATION_PERIOD_IN_DAYS,
  maximum: MAX_ROTATION_PERIOD_IN_DAYS,
  default: defaultValue,
  description,
});

/**
 * One group of settings: each setting's JSON schema (what the engine validates and takes defaults
 * from) and the strict parse of the group. A policy's settings are named here once: its
 * `configSchema` and the list of settings it accepts are both built from `properties`.
 */
export interface ConfigSection<T> {
  properties: Record<string, PolicyConfigJSONSchema>;
  parse(policyName: string, config: Record<string, unknown>): T;
}

export interface ExemptionsConfig {
  exemptions: Exemption[];
}
export interface BoundsConfig extends ExemptionsConfig, RotationBounds {}
export interface ExternalKeyConfig extends BoundsConfig {
  trustedKeyArns: string[];
  verifyExternalKeysLive: boolean;
}

/** The period bounds: `minRotationPeriodInDays` and `maxRotationPeriodInDays`. */
export const boundsSettings: ConfigSection<RotationBounds> = {
  properties: {
    minRotationPeriodInDays: periodSchema(
      `Shortest accepted rotation period in days (AWS allows ${MIN_ROTATION_PERIOD_IN_DAYS}..${MAX_ROTATION_PERIOD_IN_DAYS}).`,
      DEFAULT_MIN_ROTATION_PERIOD_IN_DAYS,
    ),
    maxRotationPeriodInDays: periodSchema(
      `Longest accepted rotation period in days (AWS allows ${MIN_ROTATION_PERIOD_IN_DAYS}..${MAX_ROTATION_PERIOD_IN_DAYS}).`,
      DEFAULT_MAX_ROTATION_PERIOD_IN_DAYS,
    ),
  },
  parse: parseBounds,
};

/** The external-key settings (`trustedKeyArns`, `verifyExternalKeysLive`) and the period bounds. */
export const externalKeySettings: ConfigSection<Omit<ExternalKeyConfig, "exemptions">> = {
  properties: {
    ...boundsSettings.properties,
    trustedKeyArns: {
      type: "array",
      default: [],
      description: "ARNs of keys outside the stack that are known to rotate (key ARNs or alias ARNs).",
      items: { type: "string", pattern: TRUSTED_KEY_ARN_PATTERN_SOURCE },
    },
    verifyExternalKeysLive: {
      type: "boolean",
      default: false,
      description: "Ask KMS GetKeyRotationStatus about each untrusted external key (needs AWS credentials).",
    },
  },
  parse: (policyName, config) => {
    const trustedKeyArns = parseTrustedKeyArns(policyName, config.trustedKeyArns);
    const live = config.verifyExternalKeysLive ?? false;
    if (typeof live !== "boolean") {
      throw new PolicyConfigError(
        policyName,
        "verifyExternalKeysLive",
        `got ${describeValue(live)}; expected true or false`,
      );
    }
    return { ...parseBounds(policyName, config), trustedKeyArns, verifyExternalKeysLive: live };
  },
};

/** A policy's whole config: `schema` for `configSchema`, and `parse` for what the engine hands over. */
export interface PolicyConfig<T extends ExemptionsConfig> {
  schema: PolicyConfigSchema;
  parse(policyName: string, raw: unknown): T;
}

/** The config of a policy that takes `settings` (if any) and, as every policy does, `exemptions`. */
export function policyConfig(): PolicyConfig<ExemptionsConfig>;
export function policyConfig<T extends object>(settings: ConfigSection<T>): PolicyConfig<T & ExemptionsConfig>;
export function policyConfig<T extends object>(settings?: ConfigSection<T>): PolicyConfig<T & ExemptionsConfig> {
  const properties = { ...settings?.properties, exemptions: exemptionsSchema };
  const allowed = Object.keys(properties);
  return {
    schema: { properties },
    parse(policyName, raw) {
      const config = checkObject(policyName, raw, allowed);
      const parsed = settings ? settings.parse(policyName, config) : ({} as T);
      return { ...parsed, exemptions: parseExemptions(policyName, config.exemptions) };
    },
  };
}

/**
 * A config object's keys as the user wrote them. A "__proto__" key set by plain assignment
 * (Object.assign, a caller building the config) replaces the object's prototype instead of adding a
 * key: seen here as a prototype that is not Object's, it is refused like any key the policy does not
 * take. Carried by protobuf's Struct it vanishes before the pack could see it, so the gate refuses
 * such a key before sending (engine/packConfig.ts).
 */
function keysOf(record: Record<string, unknown>): string[] {
  const prototype: unknown = Object.getPrototypeOf(record);
  const smuggled = prototype !== Object.prototype && prototype !== null;
  return smuggled && !Object.keys(record).includes("__proto__")
    ? [...Object.keys(record), "__proto__"]
    : Object.keys(record);
}

function checkObject(policyName: string, raw: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new PolicyConfigError(
      policyName,
      "(config)",
      `got ${describeValue(raw)}; expected an object with ${allowed.join(", ")}`,
    );
  }
  const config = raw as Record<string, unknown>;
  for (const key of keysOf(config)) {
    if (key === "enforcementLevel") continue;
    if (!allowed.includes(key)) {
      throw new PolicyConfigError(policyName, key, `is not a setting of this policy; it takes ${allowed.join(", ")}`);
    }
  }
  return config;
}

function parsePeriod(policyName: string, setting: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < MIN_ROTATION_PERIOD_IN_DAYS ||
    value > MAX_ROTATION_PERIOD_IN_DAYS
  ) {
    throw new PolicyConfigError(
      policyName,
      setting,
      `got ${describeValue(value)}; expected a whole number of days from ${MIN_ROTATION_PERIOD_IN_DAYS} to ${MAX_ROTATION_PERIOD_IN_DAYS} (AWS KMS's limits)`,
    );
  }
  return value;
}

function parseBounds(policyName: string, config: Record<string, unknown>): RotationBounds {
  const minRotationPeriodInDays = parsePeriod(
    policyName,
    "minRotationPeriodInDays",
    config.minRotationPeriodInDays,
    DEFAULT_MIN_ROTATION_PERIOD_IN_DAYS,
  );
  const maxRotationPeriodInDays = parsePeriod(
    policyName,
    "maxRotationPeriodInDays",
    config.maxRotationPeriodInDays,
    DEFAULT_MAX_ROTATION_PERIOD_IN_DAYS,
  );
  if (minRotationPeriodInDays > maxRotationPeriodInDays) {
    throw new PolicyConfigError(
      policyName,
      "minRotationPeriodInDays",
      `got ${minRotationPeriodInDays}, which is more than maxRotationPeriodInDays (${maxRotationPeriodInDays}); the minimum must not exceed the maximum`,
    );
  }
  return { minRotationPeriodInDays, maxRotationPeriodInDays };
}

function parseTrustedKeyArns(policyName: string, value: unknown): string[] {
  const trusted = value ?? [];
  if (!Array.isArray(trusted)) {
    throw new PolicyConfigError(
      policyName,
      "trustedKeyArns",
      `got ${describeValue(trusted)}; expected a list of KMS key ARNs or alias ARNs`,
    );
  }
  trusted.forEach((arn, index) => {
    if (typeof arn !== "string" || !(KEY_ARN_PATTERN.test(arn) || ALIAS_ARN_PATTERN.test(arn))) {
      throw new PolicyConfigError(
        policyName,
        `trustedKeyArns[${index}]`,
        `got ${describeValue(arn)}; expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or alias ARN (arn:aws:kms:<region>:<account>:alias/<name>)`,
      );
    }
  });
  return trusted as string[];
}

function parseExemptions(policyName: string, value: unknown): Exemption[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new PolicyConfigError(
      policyName,
      "exemptions",
      `got ${describeValue(value)}; expected a list of { resource, reason }`,
    );
  }
  return value.map((entry, index) => {
    const where = `exemptions[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new PolicyConfigError(
        policyName,
        where,
        `got ${describeValue(entry)}; expected { resource: "<URN or name glob>", reason: "<why>" }`,
      );
    }
    const record = entry as Record<string, unknown>;
    for (const key of keysOf(record)) {
      if (key !== "resource" && key !== "reason") {
        throw new PolicyConfigError(
          policyName,
          `${where}.${key}`,
          `is not part of an exemption; an exemption has only resource and reason`,
        );
      }
    }
    if (typeof record.resource !== "string" || record.resource.trim() === "") {
      throw new PolicyConfigError(
        policyName,
        `${where}.resource`,
        `got ${describeValue(record.resource)}; expected a URN or a resource name (globs * and ? allowed)`,
      );
    }
    if (typeof record.reason !== "string" || record.reason.trim() === "") {
      throw new PolicyConfigError(
        policyName,
        `${where}.reason`,
        `got ${describeValue(record.reason)}; every exemption needs a reason (a non-empty string) so reviewers can judge it`,
      );
    }
    return { resource: record.resource, reason: record.reason };
  });
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "s");
}

/** The exemption that covers a resource (by URN or by name, globs allowed), if any. */
export function findExemption(
  exemptions: readonly Exemption[],
  resource: { urn: string; name: string },
): Exemption | undefined {
  return exemptions.find((exemption) => {
    if (exemption.resource === resource.urn || exemption.resource === resource.name) return true;
    if (!/[*?]/.test(exemption.resource)) return false;
    const pattern = globToRegExp(exemption.resource);
    return pattern.test(resource.urn) || pattern.test(resource.name);
  });
}
