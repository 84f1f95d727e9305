/**
 * Terraform resource instances as the gate's resource records, under one naming scheme:
 *
 * - URN `urn:pulumi:<stack>::<project>::<type>::<address>`, so the record's `name` is the instance's
 *   full Terraform address (`module.warehouse.aws_kms_key.this`, `aws_kms_key.k["analytics"]`):
 *   what the pack's messages, every report and the policy config's exemption patterns name;
 * - `<type>` the Pulumi type token the Terraform type is bridged to (terraform/resourceTypes);
 * - every resource a child of one `pulumi:pulumi:Stack` record, as in a Pulumi stack (modules are
 *   part of the address, not resources);
 * - project: the caller's (the CLI: the root module's folder name), else "terraform"; stack: "plan"
 *   for a plan, "state" for a state. The same resource in the next plan has the same URN, so report
 *   fingerprints (made from URNs) follow it from run to run.
 */
import { RESOURCE_TYPES } from "../../facts";
import { pulumiTypeOf, toPulumiProperties, pulumiPropertyName, type ValueMarks } from "../../terraform";
import type { ResourceRecord, StackIdentity } from "../resourceRecord";
import type { ModuleInstanceStep, ResourceInstanceAddress } from "./address";
import { canonicalAddress } from "./address";

export const DEFAULT_TERRAFORM_PROJECT = "terraform";

/** One resource instance read from a plan or a state. */
export interface TerraformInstance {
  /** The address as Terraform wrote it (the record's name). */
  address: string;
  parsed: ResourceInstanceAddress;
  values: Record<string, unknown>;
  marks: ValueMarks;
  /** Terraform attribute → canonical addresses of the resources its value comes from (plans). */
  linksByAttribute?: Map<string, Set<string>>;
  /** Canonical addresses of every resource this one depends on. */
  dependsOn: Iterable<string>;
}

/** Where a record came from in Terraform's terms, for locating its `resource` block. */
export interface TerraformOrigin {
  type: string;
  name: string;
  modules: ModuleInstanceStep[];
}

export interface TerraformRecords {
  kind: "plan" | "state" | "raw-state";
  stack: StackIdentity;
  /** The stack record first, then one record per resource instance, in the file's order. */
  resources: ResourceRecord[];
  /** URN → the Terraform resource it is. */
  origins: Map<string, TerraformOrigin>;
  /** Module path (`module.a.module.b`) → the module call's `source` (plans only). */
  moduleSources: Map<string, string>;
  terraformVersion?: string;
}

export function stackUrnOf(stack: StackIdentity): string {
  return `urn:pulumi:${stack.stack}::${stack.project}::${RESOURCE_TYPES.pulumiStack}::${stack.project}-${stack.stack}`;
}

export function stackRecord(stack: StackIdentity): ResourceRecord {
  return {
    urn: stackUrnOf(stack),
    type: RESOURCE_TYPES.pulumiStack,
    name: `${stack.project}-${stack.stack}`,
    custom: false,
    dependencies: [],
    propertyDependencies: {},
    inputs: {},
    outputs: {},
  };
}

/** The records of a plan's or state's instances, with links by URN. */
export function toRecords(
  instances: readonly TerraformInstance[],
  stack: StackIdentity,
): { resources: ResourceRecord[]; origins: Map<string, TerraformOrigin> } {
  const stackUrn = stackUrnOf(stack);
  const urnOfAddress = new Map<string, string>();
  for (const instance of instances)
    urnOfAddress.set(
      canonicalAddress(instance.parsed),
      `urn:pulumi:${stack.stack}::${stack.project}::${pulumiTypeOf(instance.parsed.type)}::${instance.address}`,
    );
  const urnsOf = (addresses: Iterable<string>): string[] => {
    const urns = new Set<string>();
    for (const address of addresses) {
      const urn = urnOfAddress.get(address);
      if (urn !== undefined) urns.add(urn);
    }
    return [...urns];
  };
  const origins = new Map<string, TerraformOrigin>();
  const resources: ResourceRecord[] = [stackRecord(stack)];
  for (const instance of instances) {
    const urn = urnOfAddress.get(canonicalAddress(instance.parsed))!;
    const { inputs, outputs } = toPulumiProperties(instance.parsed.type, instance.values, instance.marks);
    const propertyDependencies: Record<string, string[]> = {};
    for (const [attribute, addresses] of instance.linksByAttribute ?? []) {
      const urns = urnsOf(addresses);
      if (urns.length > 0) propertyDependencies[pulumiPropertyName(attribute)] = urns;
    }
    origins.set(urn, { type: instance.parsed.type, name: instance.parsed.name, modules: instance.parsed.modules });
    resources.push({
      urn,
      type: pulumiTypeOf(instance.parsed.type),
      name: instance.address,
      custom: true,
      parent: stackUrn,
      dependencies: urnsOf(instance.dependsOn),
      propertyDependencies,
      inputs,
      outputs,
    });
  }
  return { resources, origins };
}
