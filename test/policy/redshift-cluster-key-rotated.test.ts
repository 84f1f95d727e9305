/**
 * redshift-cluster-key-rotated, called as the engine calls AnalyzeStack (test/support/policyArgs.ts),
 * from a compliant baseline (a rotating key and a cluster encrypted with it through
 * propertyDependencies.kmsKeyId, as in preview), one change per case.
 */
import { describe, it, test } from "vitest";
import { RESOURCE_TYPES } from "../../facts";
import { type AnalyzerStackResource, UNKNOWN } from "../../engine";
import { redshiftClusterKeyRotated } from "../../policy/policies/redshift-cluster-key-rotated";
import { runStackPolicy } from "../support/policyArgs";
import { ALIAS_ARN, ARN, type Expected, expectOutcome, cluster, key, resource, urnOf } from "../support/policyCases";

const goodKey = (extra: Record<string, unknown> = {}) =>
  key("k", {
    enableKeyRotation: true,
    rotationPeriodInDays: 365,
    arn: UNKNOWN.string,
    keyId: UNKNOWN.string,
    ...extra,
  });
const clusterOn = (k: AnalyzerStackResource, extra: Record<string, unknown> = {}) =>
  cluster(
    "c",
    { encrypted: "true", kmsKeyId: UNKNOWN.string, ...extra },
    { propertyDependencies: { kmsKeyId: [k.urn] }, dependencies: [k.urn] },
  );
const baseline = () => [goodKey(), clusterOn(goodKey())];

const off = key("k", { enableKeyRotation: false });
const offWithUnknownArn = key("k", { enableKeyRotation: false, arn: UNKNOWN.string });
const rotationOff: Expected = { violation: "enableKeyRotation is false" };
const keyAndCluster = (k: AnalyzerStackResource) => [k, clusterOn(k)];
const byValue = (kmsKeyId: string, enableKeyRotation = false) => [
  key("k", { enableKeyRotation, arn: ARN("1234"), keyId: "1234" }),
  resource(RESOURCE_TYPES.kmsAlias, "a", { name: "alias/data", targetKeyId: "1234", arn: ALIAS_ARN("alias/data") }),
  cluster("c", { encrypted: "true", kmsKeyId }),
];
const primary = key("primary", { enableKeyRotation: false, arn: ARN("mrk-1"), multiRegion: true });
const replica = resource(RESOURCE_TYPES.kmsReplicaKey, "replica", { primaryKeyArn: ARN("mrk-1"), arn: UNKNOWN.string });
const stackReference = resource(RESOURCE_TYPES.stackReference, "acme/security/prod", {
  name: "acme/security/prod",
  outputs: UNKNOWN.string,
});
const nativeAlias = resource(
  RESOURCE_TYPES.nativeKmsAlias,
  "a",
  { aliasName: "alias/n", targetKeyId: UNKNOWN.string },
  { propertyDependencies: { targetKeyId: [urnOf(RESOURCE_TYPES.nativeKmsKey, "k")] } },
);

describe("redshift-cluster-key-rotated", () => {
  it("passes the baseline: the key is found through propertyDependencies.kmsKeyId while its ARN is unknown", async () => {
    expectOutcome(await runStackPolicy(redshiftClusterKeyRotated, baseline()), "compliant");
  });

  test.each<[string, () => AnalyzerStackResource[], Record<string, unknown>, Expected]>([
    [
      "rejects a key with rotation off, against the cluster's URN",
      () => [offWithUnknownArn, clusterOn(offWithUnknownArn)],
      {},
      {
        violation: "whose enableKeyRotation is false; required: true",
        urn: urnOf(RESOURCE_TYPES.redshiftCluster, "c"),
      },
    ],
    [
      'follows a cluster that leaves encrypted out (the provider\'s default "true") to its key',
      () => [
        key("k", { enableKeyRotation: false }, { propertyDependencies: {} }),
        cluster("c", { kmsKeyId: UNKNOWN.string }, { propertyDependencies: { kmsKeyId: [off.urn] } }),
      ],
      {},
      { violation: "whose enableKeyRotation is false" },
    ],
    [
      "names rotation unset with AWS's default, and a period out of bounds in the same finding",
      () => keyAndCluster(key("k", { enableKeyRotation: undefined, rotationPeriodInDays: 400 })),
      {},
      {
        violation: [
          "whose enableKeyRotation is not set (AWS's default: rotation off) and whose rotationPeriodInDays got 400",
          "required: enableKeyRotation true and rotationPeriodInDays 90 to 365 days",
          "Fix: set enableKeyRotation: true and rotationPeriodInDays",
        ],
      },
    ],
    [
      "rejects a key that cannot rotate: RSA_2048",
      () => keyAndCluster(key("k", { keySpec: "RSA_2048", enableKeyRotation: false })),
      {},
      { violation: "cannot rotate automatically" },
    ],
    [
      "rejects a key that cannot rotate: custom key store",
      () => keyAndCluster(key("k", { customKeyStoreId: "cks-1" })),
      {},
      { violation: "cannot rotate automatically" },
    ],
    [
      "rejects a key that cannot rotate: imported material",
      () => keyAndCluster(resource(RESOURCE_TYPES.kmsExternalKey, "k", {})),
      {},
      { violation: "cannot rotate automatically" },
    ],
    [
      "rejects a key that cannot rotate: a replica of an external key",
      () => keyAndCluster(resource(RESOURCE_TYPES.kmsReplicaExternalKey, "k", {})),
      {},
      { violation: "cannot rotate automatically" },
    ],
    [
      "rejects a key that cannot rotate: aws-native origin EXTERNAL",
      () => keyAndCluster(resource(RESOURCE_TYPES.nativeKmsKey, "k", { origin: "EXTERNAL", enableKeyRotation: true })),
      {},
      { violation: "cannot rotate automatically" },
    ],
    [
      "rejects a key period outside the default bounds",
      () => keyAndCluster(goodKey({ rotationPeriodInDays: 400 })),
      {},
      { violation: "allows 90 to 365 days" },
    ],
    [
      "honours the configured bounds",
      () => keyAndCluster(goodKey({ rotationPeriodInDays: 400 })),
      { maxRotationPeriodInDays: 400 },
      "no violation",
    ],
    ["resolves kmsKeyId by key ARN", () => byValue(ARN("1234")), {}, rotationOff],
    ["resolves kmsKeyId by key id", () => byValue("1234"), {}, rotationOff],
    ["resolves kmsKeyId by alias name (alias -> targetKeyId)", () => byValue("alias/data"), {}, rotationOff],
    ["resolves kmsKeyId by alias ARN", () => byValue(ALIAS_ARN("alias/data")), {}, rotationOff],
    ["passes a rotating key found by alias name", () => byValue("alias/data", true), {}, "no violation"],
    [
      "follows an aws-native alias's propertyDependencies.targetKeyId to an aws-native key",
      () => [
        resource(RESOURCE_TYPES.nativeKmsKey, "k", { enableKeyRotation: false, arn: UNKNOWN.string }),
        nativeAlias,
        resource(
          RESOURCE_TYPES.nativeRedshiftCluster,
          "c",
          { encrypted: true, kmsKeyId: UNKNOWN.string },
          { propertyDependencies: { kmsKeyId: [nativeAlias.urn] } },
        ),
      ],
      {},
      { violation: 'alias "a" -> key "k"' },
    ],
    [
      "judges a cluster under a replica key by its primary in the stack",
      () => [primary, replica, clusterOn(replica)],
      {},
      { violation: 'replica key "replica" (replica of key "primary")' },
    ],
    [
      "passes a replica whose primary in the stack rotates",
      () => [key("primary", { enableKeyRotation: true, arn: ARN("mrk-1") }), replica, clusterOn(replica)],
      {},
      "no violation",
    ],
    [
      "leaves a replica whose primary is outside the stack to redshift-cluster-external-key",
      () => [replica, clusterOn(replica)],
      {},
      { notApplicable: "" },
    ],
    [
      "leaves a key taken from another stack's outputs (a StackReference), unknown offline, to redshift-cluster-external-key",
      () => [
        stackReference,
        cluster(
          "c",
          { encrypted: "true", kmsKeyId: UNKNOWN.string },
          { propertyDependencies: { kmsKeyId: [stackReference.urn] }, dependencies: [stackReference.urn] },
        ),
      ],
      {},
      { notApplicable: "" },
    ],
    [
      "never passes a kmsKeyId unknown in preview that comes from no key in the stack",
      () => [cluster("c", { encrypted: "true", kmsKeyId: UNKNOWN.string })],
      {},
      { violation: "kmsKeyId is unknown during preview and does not come from a KMS key or alias in this stack" },
    ],
    [
      "falls back to the single key among the cluster's dependencies when kmsKeyId is unknown and has no property dependency",
      () => [off, cluster("c", { encrypted: "true", kmsKeyId: UNKNOWN.string }, { dependencies: [off.urn] })],
      {},
      rotationOff,
    ],
    [
      "reports a key property unknown in preview by name",
      () => keyAndCluster(key("k", { enableKeyRotation: true, rotationPeriodInDays: UNKNOWN.number })),
      {},
      { violation: "rotationPeriodInDays is unknown during preview" },
    ],
    [
      "checks a Serverless namespace",
      () => [
        off,
        resource(
          RESOURCE_TYPES.redshiftServerlessNamespace,
          "ns",
          { kmsKeyId: UNKNOWN.string },
          { propertyDependencies: { kmsKeyId: [off.urn] } },
        ),
      ],
      {},
      { violation: "enableKeyRotation is false" },
    ],
    ["skips an unencrypted cluster", () => [off, clusterOn(off, { encrypted: "false" })], {}, "no violation"],
    [
      "is not applicable to a cluster under the AWS-managed key",
      () => [cluster("c", { encrypted: "true", kmsKeyId: "alias/aws/redshift" })],
      {},
      { notApplicable: "no Redshift cluster" },
    ],
    [
      "skips a cluster whose key is outside the stack",
      () => [cluster("c", { encrypted: "true", kmsKeyId: ARN("elsewhere") })],
      {},
      "no violation",
    ],
    [
      "skips an exempted cluster",
      () => [off, clusterOn(off)],
      { exemptions: [{ resource: "c", reason: "decommissioned next sprint" }] },
      "no violation",
    ],
    ["is not applicable to a stack without clusters", () => [off], {}, { notApplicable: "" }],
  ])("%s", async (_title, stack, config, expected) => {
    expectOutcome(await runStackPolicy(redshiftClusterKeyRotated, stack(), config), expected);
  });
});
