/**
 * What the per-policy specs (test/policy/<policy-name>.test.ts) share: resources named as the
 * engine names them, and one way to state what a policy must do with a case. Each spec starts from a
 * compliant baseline and changes one thing per case.
 */
import { expect } from "vitest";
import { RESOURCE_TYPES } from "../../facts";
import type { AnalyzerStackResource } from "../../engine";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type PolicyOutcome, runResourcePolicy } from "./policyArgs";

export const STACK = "urn:pulumi:dev::keyguard";
export const urnOf = (type: string, name: string) => `${STACK}::${type}::${name}`;
export const ARN = (id: string) => `arn:aws:kms:us-east-1:111122223333:key/${id}`;
export const ALIAS_ARN = (name: string) => `arn:aws:kms:us-east-1:111122223333:${name}`;

export type Links = Partial<AnalyzerStackResource>;

export function resource(
  type: string,
  name: string,
  properties: Record<string, unknown>,
  links: Links = {},
): AnalyzerStackResource {
  return { urn: urnOf(type, name), type, name, properties, ...links };
}
export const key = (name: string, properties: Record<string, unknown>, links?: Links) =>
  resource(RESOURCE_TYPES.kmsKey, name, properties, links);
/** An aws.redshift.Cluster whose clusterIdentifier is its name. */
export const cluster = (name: string, properties: Record<string, unknown>, links?: Links) =>
  resource(RESOURCE_TYPES.redshiftCluster, name, { clusterIdentifier: name, ...properties }, links);

/** One case's change to a resource policy's baseline: properties set (undefined removes one), another type, config. */
export interface Change {
  props?: Record<string, unknown>;
  type?: string;
  config?: Record<string, unknown>;
}

/** Runs a resource policy on the resource `name` of `baseline.type` with `baseline.props`, changed as a case says. */
export function baselineRunner(
  policy: ResourceValidationPolicy,
  name: string,
  baseline: { type: string; props: Record<string, unknown> },
) {
  return ({ props = {}, type = baseline.type, config = {} }: Change = {}) =>
    runResourcePolicy(policy, resource(type, name, { ...baseline.props, ...props }), config);
}

/**
 * What a policy must do with one case:
 * - "compliant": no violation, not "not applicable", nothing unknown tripped (the whole outcome is empty);
 * - "no violation": no violation (the policy may also say it is not applicable);
 * - `{ violation }`: exactly one violation, whose message contains each string (and whose URN, when given, is that);
 * - `{ notApplicable }`: no violation, and "not applicable" with a reason containing the string ("" for any reason).
 */
export type Expected =
  "compliant" | "no violation" | { violation: string | string[]; urn?: string } | { notApplicable: string };

export function expectOutcome(outcome: PolicyOutcome, expected: Expected): void {
  if (expected === "compliant") {
    expect(outcome).toEqual({ violations: [] });
  } else if (expected === "no violation") {
    expect(outcome.violations).toEqual([]);
  } else if ("violation" in expected) {
    expect(outcome.unknownValueError).toBeUndefined();
    expect(outcome.violations).toHaveLength(1);
    for (const part of [expected.violation].flat()) expect(outcome.violations[0].message).toContain(part);
    if (expected.urn !== undefined) expect(outcome.violations[0].urn).toBe(expected.urn);
  } else {
    expect(outcome.violations).toEqual([]);
    expect(outcome.notApplicable).toBeDefined();
    expect(outcome.notApplicable).toContain(expected.notApplicable);
  }
}
