/**
 * Each stack policy's work grows linearly with the stack, proved by counting, not timing. On stacks
 * of n and 4n EncryptedRedshiftCluster-shaped components (component, key, alias, cluster with
 * propertyDependencies.kmsKeyId -> key, RedshiftKeyRotation with dependencies and
 * propertyDependencies.clusterIdentifier -> cluster), two counts per policy:
 *
 * - every question the policy asks the stack index it is given, plus every resource the answer
 *   hands back (so a policy that fetched all rotations for each cluster would count n per cluster);
 * - every read of any resource's properties, which covers building the index as well.
 *
 * Linear work gives count(4n) <= 4 * count(n); work that compares every cluster with every rotation
 * gives about 16 times as much, and the last test shows the counts catch exactly that.
 */
import { describe, expect, it } from "vitest";
import { RESOURCE_TYPES, UNKNOWN_STRING_SENTINEL } from "../../facts";
import type { KeyguardStackPolicy } from "../../policy/define";
import type { PolicyResourceLike } from "../../policy/keyResolution";
import { redshiftClusterExternalKey } from "../../policy/policies/redshift-cluster-external-key";
import { redshiftClusterKeyRotated } from "../../policy/policies/redshift-cluster-key-rotated";
import { redshiftClusterRotationOnKeyChange } from "../../policy/policies/redshift-cluster-rotation-on-key-change";
import { StackIndex, type StackLookup } from "../../policy/stack";

const N = 250;
const STACK = "urn:pulumi:dev::keyguard";
const urnOf = (type: string, name: string) => `${STACK}::${type}::${name}`;

/** Counts property reads of a resource's props (get, has, own keys and descriptors). */
function countingProps(props: Record<string, unknown>, counter: { reads: number }): Record<string, unknown> {
  return new Proxy(props, {
    get: (target, property, receiver) => (counter.reads++, Reflect.get(target, property, receiver)),
    has: (target, property) => (counter.reads++, Reflect.has(target, property)),
    ownKeys: (target) => (counter.reads++, Reflect.ownKeys(target)),
    getOwnPropertyDescriptor: (target, property) => (
      counter.reads++,
      Reflect.getOwnPropertyDescriptor(target, property)
    ),
  });
}

/**
 * `components` EncryptedRedshiftCluster-shaped components as @pulumi/policy hands them to a stack
 * policy (resources linked by object). `preview`: the key's ARN and the cluster's kmsKeyId are unknown.
 */
function componentStack(components: number, counter: { reads: number }, preview: boolean): PolicyResourceLike[] {
  const resources: PolicyResourceLike[] = [];
  const add = (type: string, name: string, props: Record<string, unknown>, links: Partial<PolicyResourceLike> = {}) => {
    const resource: PolicyResourceLike = {
      urn: urnOf(type, name),
      type,
      name,
      props: countingProps(props, counter),
      ...links,
    };
    resources.push(resource);
    return resource;
  };
  for (let i = 0; i < components; i++) {
    const arn = preview ? UNKNOWN_STRING_SENTINEL : `arn:aws:kms:eu-west-1:111122223333:key/key-${i}`;
    const component = add(RESOURCE_TYPES.encryptedRedshiftCluster, `warehouse-${i}`, {});
    const parent = { parent: component };
    const key = add(
      RESOURCE_TYPES.kmsKey,
      `warehouse-${i}-key`,
      {
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        arn,
        keyId: preview ? UNKNOWN_STRING_SENTINEL : `key-${i}`,
      },
      parent,
    );
    add(
      RESOURCE_TYPES.kmsAlias,
      `warehouse-${i}-alias`,
      { name: `alias/warehouse-${i}`, targetKeyId: arn },
      { ...parent, dependencies: [key], propertyDependencies: { targetKeyId: [key] } },
    );
    const cluster = add(
      RESOURCE_TYPES.redshiftCluster,
      `warehouse-${i}-cluster`,
      { clusterIdentifier: `warehouse-${i}`, encrypted: "true", kmsKeyId: arn },
      { ...parent, dependencies: [key], propertyDependencies: { kmsKeyId: [key] } },
    );
    add(
      RESOURCE_TYPES.redshiftKeyRotation,
      `warehouse-${i}-rotation`,
      { clusterIdentifier: `warehouse-${i}`, kmsKeyId: arn },
      {
        ...parent,
        dependencies: [cluster, key],
        propertyDependencies: { clusterIdentifier: [cluster], kmsKeyId: [key] },
      },
    );
  }
  return resources;
}

/** A stack index that counts the questions asked of it and the resources it hands back. */
function countingLookup(lookup: StackLookup, counter: { lookups: number }): StackLookup {
  const counted =
    <A extends unknown[], R>(method: (...args: A) => R) =>
    (...args: A): R => {
      const answer = method.apply(lookup, args);
      counter.lookups += 1 + (Array.isArray(answer) ? answer.length : 0);
      return answer;
    };
  return {
    resourcesOfTypes: counted(lookup.resourcesOfTypes),
    resourceByUrn: counted(lookup.resourceByUrn),
    keyByIdentifier: counted(lookup.keyByIdentifier),
    aliasByReference: counted(lookup.aliasByReference),
    rotationsDependingOn: counted(lookup.rotationsDependingOn),
    rotationsWithIdentifier: counted(lookup.rotationsWithIdentifier),
    rotationSummary: counted(lookup.rotationSummary),
  };
}

interface Work {
  lookups: number;
  reads: number;
  verdicts: Record<string, number>;
}

async function work(
  policy: KeyguardStackPolicy,
  components: number,
  preview: boolean,
  config: Record<string, unknown> = {},
): Promise<Work> {
  const counter = { lookups: 0, reads: 0 };
  const resources = componentStack(components, counter, preview);
  const verdicts = await policy.verdicts(countingLookup(new StackIndex(resources), counter), config);
  const kinds: Record<string, number> = {};
  for (const { verdict } of verdicts) kinds[verdict.kind] = (kinds[verdict.kind] ?? 0) + 1;
  return { lookups: counter.lookups, reads: counter.reads, verdicts: kinds };
}

const cases: Array<[string, KeyguardStackPolicy, string, Record<string, unknown>]> = [
  ["redshift-cluster-key-rotated", redshiftClusterKeyRotated, "compliant", {}],
  ["redshift-cluster-external-key", redshiftClusterExternalKey, "not-applicable", {}],
  ["redshift-cluster-rotation-on-key-change", redshiftClusterRotationOnKeyChange, "compliant", {}],
];

describe("stack policies do linear work on component-shaped stacks", () => {
  for (const preview of [false, true]) {
    it.each(cases)(
      `%s (${preview ? "preview: ARNs unknown" : "ARNs known"}): 4x the components, at most 4x the lookups and property reads`,
      async (_name, policy, expected, config) => {
        const small = await work(policy, N, preview, config);
        const large = await work(policy, 4 * N, preview, config);
        // Every cluster was judged, as the component's stack should be.
        expect(small.verdicts).toEqual({ [expected]: N });
        expect(large.verdicts).toEqual({ [expected]: 4 * N });
        expect(small.lookups).toBeGreaterThanOrEqual(N);
        expect(large.lookups).toBeLessThanOrEqual(4 * small.lookups);
        expect(large.reads).toBeLessThanOrEqual(4 * small.reads);
      },
    );
  }

  it("the counts catch a policy that compares every cluster with every rotation (the old redshift-cluster-rotation-on-key-change)", () => {
    const quadratic = (components: number) => {
      const counter = { lookups: 0, reads: 0 };
      const lookup = countingLookup(new StackIndex(componentStack(components, counter, false)), counter);
      const rotationTypes = new Set([RESOURCE_TYPES.redshiftKeyRotation]);
      for (const cluster of lookup.resourcesOfTypes(new Set([RESOURCE_TYPES.redshiftCluster]))) {
        lookup
          .resourcesOfTypes(rotationTypes)
          .some((rotation) => rotation.props.clusterIdentifier === cluster.props.clusterIdentifier);
      }
      return counter;
    };
    const small = quadratic(N);
    const large = quadratic(4 * N);
    expect(large.lookups).toBeGreaterThan(12 * small.lookups);
    expect(large.reads).toBeGreaterThan(12 * small.reads);
  });
});
