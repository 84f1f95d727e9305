/**
 * A Terraform (or OpenTofu) plan, as `terraform show -json plan.out` writes it, read into resource
 * records for `keyguard check --plan` (mode "check": a preview, unknown values possible).
 *
 * Format (developer.hashicorp.com/terraform/internals/json-format; hashicorp/terraform
 * internal/command/jsonplan): `format_version` "0.1" (Terraform 0.12–0.15), "0.2" (1.0), "1.0"
 * (1.1+), "1.2" (1.11); a minor version only adds keys, so every 0.x and 1.x is read and unknown keys
 * are ignored; 2.x would change the meaning of what is there, so it is refused.
 *
 * What is judged: every managed resource instance in `resource_changes` (and `deferred_changes`)
 * that exists after the plan: created, updated, replaced or unchanged (`no-op`). Instances the plan
 * deletes or forgets, deposed objects and data sources are not. Values are the change's `after`;
 * `after_unknown` marks what is unknown until apply and `after_sensitive` what is sensitive (see
 * terraform/properties); links come from the `configuration` (./references).
 */
import { describeValue } from "../../messages/describe";
import type { StackIdentity } from "../resourceRecord";
import { UsageError } from "../usageError";
import { canonicalAddress, parseResourceAddress } from "./address";
import { parseFormatVersion } from "./document";
import { DEFAULT_TERRAFORM_PROJECT, toRecords, type TerraformInstance, type TerraformRecords } from "./records";
import { ConfigurationLinks } from "./references";

/** The plan format majors keyguard reads. */
export const SUPPORTED_PLAN_FORMAT_MAJORS = [0, 1];

export interface TerraformReadOptions {
  /** The project name in URNs and reports (the CLI passes the root module's folder name). */
  project?: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Actions after which the instance exists: judged. (`["delete"]`, `["forget"]`: gone; not judged.) */
const EXISTS_AFTER = new Set(["create", "update", "no-op"]);

/** Reads a parsed plan document; `what` names the file in errors (`--plan plan.json`). */
export function readPlan(
  document: Record<string, unknown>,
  what: string,
  options: TerraformReadOptions = {},
): TerraformRecords {
  const version = parseFormatVersion(document.format_version);
  if (!version || !SUPPORTED_PLAN_FORMAT_MAJORS.includes(version[0])) {
    throw new UsageError(
      `${what}: format_version is ${describeValue(document.format_version)}; keyguard reads Terraform plan JSON of format 0.x and 1.x (Terraform 0.12 and later, OpenTofu)`,
    );
  }
  if (document.errored === true) {
    throw new UsageError(
      `${what} is a plan that errored (errored: true): Terraform did not finish planning, so its changes are incomplete; fix the plan's errors and plan again`,
    );
  }
  const changes: { change: Record<string, unknown>; where: string }[] = [];
  const collect = (list: unknown, key: string, unwrap: (entry: Record<string, unknown>) => unknown) => {
    if (list === undefined || list === null) return;
    if (!Array.isArray(list)) throw new UsageError(`${what}: "${key}" must be a list, got ${describeValue(list)}`);
    list.forEach((entry: unknown, index: number) => {
      const change = isPlainObject(entry) ? unwrap(entry) : undefined;
      if (!isPlainObject(change))
        throw new UsageError(`${what}: ${key}[${index}] must be a resource change object, got ${describeValue(entry)}`);
      changes.push({ change, where: `${key}[${index}]` });
    });
  };
  collect(document.resource_changes, "resource_changes", (entry) => entry);
  collect(document.deferred_changes, "deferred_changes", (entry) => entry.resource_change);

  const judged: {
    address: string;
    parsed: NonNullable<ReturnType<typeof parseResourceAddress>>;
    change: Record<string, unknown>;
  }[] = [];
  const seen = new Set<string>();
  for (const { change: resourceChange, where } of changes) {
    if (resourceChange.mode !== undefined && resourceChange.mode !== "managed") continue;
    if (resourceChange.deposed !== undefined) continue;
    const address = resourceChange.address;
    const parsed = typeof address === "string" ? parseResourceAddress(address) : undefined;
    if (typeof address !== "string" || !parsed)
      throw new UsageError(`${what}: ${where}.address must be a resource address, got ${describeValue(address)}`);
    if (parsed.mode !== "managed") continue;
    const change = resourceChange.change;
    if (!isPlainObject(change))
      throw new UsageError(`${what}: ${where}.change must be an object, got ${describeValue(change)}`);
    const actions = change.actions;
    if (!Array.isArray(actions) || actions.some((action) => typeof action !== "string"))
      throw new UsageError(`${what}: ${where}.change.actions must be a list of actions, got ${describeValue(actions)}`);
    if (!actions.some((action) => EXISTS_AFTER.has(action as string))) continue;
    const canonical = canonicalAddress(parsed);
    if (seen.has(canonical)) continue;
    seen.add(canonical);
    judged.push({ address, parsed, change });
  }

  const links = new ConfigurationLinks(
    document.configuration,
    judged.map((entry) => entry.parsed),
    isPlainObject(document.variables) ? document.variables : {},
  );
  const instances: TerraformInstance[] = judged.map(({ address, parsed, change }) => {
    const after = isPlainObject(change.after) ? change.after : {};
    let unknown = change.after_unknown;
    // A wholly unknown object (a deferred change): each attribute the configuration sets is unknown.
    if (unknown === true) {
      const configured = links.resourceConfiguration(parsed)?.expressions ?? {};
      unknown = Object.fromEntries(Object.keys(configured).map((attribute) => [attribute, true]));
    }
    const resourceLinks = links.links(parsed);
    return {
      address,
      parsed,
      values: after,
      marks: {
        unknown,
        sensitive: change.after_sensitive,
        isConfigured: (attribute: string) => links.isConfigured(parsed, attribute),
      },
      linksByAttribute: resourceLinks.byAttribute,
      dependsOn: resourceLinks.all,
    };
  });
  const stack: StackIdentity = { project: options.project ?? DEFAULT_TERRAFORM_PROJECT, stack: "plan" };
  const { resources, origins } = toRecords(instances, stack);
  return {
    kind: "plan",
    stack,
    resources,
    origins,
    moduleSources: links.moduleSources(),
    ...(typeof document.terraform_version === "string" ? { terraformVersion: document.terraform_version } : {}),
  };
}
