/**
 * Fault injection for the RedshiftKeyRotation provider, in-process, with the real AWS SDK v3 clients
 * against the local AWS endpoint. A virtual clock (shared by the endpoint and the provider) makes
 * minutes of simulated waiting cost milliseconds; request timeouts and SDK retries stay real.
 *
 * Replay a failing randomized run with KEYGUARD_FAULT_SEED=<seed printed below>; raise the count
 * with KEYGUARD_FAULT_RUNS.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KMS_ERRORS, REDSHIFT_ERRORS, UNKNOWN_STRING_SENTINEL } from "../../facts";
import { DEFAULT_POLL_SCHEDULE } from "../../providers/redshiftKeyRotation/waiter";
import {
  DIFF_TIMEOUT_MINUTES,
  type ProviderTuning,
  createRedshiftKeyRotationProvider,
} from "../../providers/redshiftKeyRotation/provider";
import {
  type AwsAction,
  type Fault,
  type FaultRule,
  type LocalAws,
  type VirtualClock,
  assumedRoleAccessKeyId,
  createVirtualClock,
  startLocalAws,
} from "../support/localAws";
import { documentedIamActions } from "../support/docs";

const KEY_A = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_B = "arn:aws:kms:us-east-1:111122223333:key/5678abcd-12ab-34cd-56ef-1234567890ab";
/** The cluster of the current run; each randomized run gets its own, so a request the SDK gave up on that reaches the endpoint late hits nothing of the next run. */
let CLUSTER = "analytics-main";

/**
 * Each action's documented errors (AWS API reference; the SDK's @throws for each command):
 * wire codes, whose HTTP statuses and retryability come from facts/.
 */
const DOCUMENTED_ERRORS: Record<AwsAction, string[]> = {
  RotateEncryptionKey: [
    "ClusterNotFound",
    "DependentServiceRequestThrottlingFault",
    "InvalidClusterState",
    "UnsupportedOperation",
  ],
  DescribeClusters: ["ClusterNotFound", "InvalidTagFault"],
  GetKeyRotationStatus: [
    "DependencyTimeoutException",
    "InvalidArnException",
    "KMSInternalException",
    "KMSInvalidStateException",
    "NotFoundException",
    "UnsupportedOperationException",
  ],
  ListKeyRotations: [
    "InvalidArnException",
    "KMSInternalException",
    "KMSInvalidStateException",
    "NotFoundException",
    "UnsupportedOperationException",
  ],
  DescribeKey: [],
};

let aws: LocalAws;
let clock: VirtualClock;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  clock = createVirtualClock();
  aws = await startLocalAws({ clock });
  // Dummy credentials and the local endpoint, for this test process only.
  Object.assign(process.env, aws.clientEnvironment());
  process.on("unhandledRejection", onUnhandled);
});

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await aws.stop();
});

/**
 * The production poll schedule, in virtual milliseconds (free); coarse: a slower schedule (fewer
 * real HTTP calls) for the randomized runs, same code. SDK retries and request timeouts are real.
 *
 * Request timeouts are real time, so they are short only where a test injects responses that never
 * come (each such response costs one timeout). Elsewhere they are long: on a loaded machine a 50 ms
 * timeout also cuts off healthy answers, and a RotateEncryptionKey whose answer is cut off after it
 * took effect is, by design, ambiguous (the provider re-keys again once the cluster is available),
 * which would make an exact rotation count depend on the machine's load.
 */
function provider(options: { coarse?: boolean; requestTimeoutMs?: number } = {}) {
  const requestTimeoutMs = options.requestTimeoutMs ?? 2_000;
  const tuning: ProviderTuning = {
    poll: options.coarse
      ? { ...DEFAULT_POLL_SCHEDULE, fastPhaseMaxDelayMs: 6_000, fastPhaseMs: 30_000 }
      : DEFAULT_POLL_SCHEDULE,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 4, requestTimeoutMs, connectionTimeoutMs: requestTimeoutMs },
    clock,
  };
  return createRedshiftKeyRotationProvider(tuning);
}

function inputs(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clusterIdentifier: CLUSTER,
    kmsKeyId: KEY_A,
    followKeyMaterialRotations: true,
    timeoutMinutes: 2,
    ...overrides,
  };
}

/** A fresh world: one available cluster under KEY_A, KEY_A and KEY_B with rotation on. */
function freshWorld(clusterSpec: { rotationDurationMs?: number } = {}) {
  aws.reset();
  aws.addKey({ keyArn: KEY_A });
  aws.addKey({ keyArn: KEY_B });
  aws.addCluster({
    clusterIdentifier: CLUSTER,
    kmsKeyId: KEY_A,
    rotationDurationMs: clusterSpec.rotationDurationMs ?? 30_000,
  });
}

async function createdState(): Promise<Record<string, unknown>> {
  const created = await provider().create(inputs());
  aws.calls.length = 0;
  return created.outs as Record<string, unknown>;
}

async function outcome<T>(work: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
  try {
    return { ok: true, value: await work };
  } catch (error) {
    return { ok: false, error: error as Error };
  }
}

describe("the local endpoint's errors reach the SDK as AWS sends them", () => {
  it("every documented error code arrives with its HTTP status and SDK name", async () => {
    const { RedshiftClient, RotateEncryptionKeyCommand, DescribeClustersCommand } =
      await import("@aws-sdk/client-redshift");
    const { KMSClient, GetKeyRotationStatusCommand } = await import("@aws-sdk/client-kms");
    const redshift = new RedshiftClient({ endpoint: aws.url, maxAttempts: 1 });
    const kms = new KMSClient({ endpoint: aws.url, maxAttempts: 1 });
    freshWorld();
    for (const code of Object.keys(REDSHIFT_ERRORS) as Array<keyof typeof REDSHIFT_ERRORS>) {
      aws.injectFault({ action: "RotateEncryptionKey", fault: { kind: "error", code } });
      const error = (await outcome(redshift.send(new RotateEncryptionKeyCommand({ ClusterIdentifier: CLUSTER })))) as {
        ok: false;
        error: Error & { $metadata: { httpStatusCode: number } };
      };
      expect(error.ok).toBe(false);
      expect(error.error.name).toBe(REDSHIFT_ERRORS[code].sdkName);
      expect(error.error.$metadata.httpStatusCode).toBe(REDSHIFT_ERRORS[code].httpStatus);
    }
    aws.injectFault({ action: "DescribeClusters", fault: { kind: "error", code: "InvalidTagFault" } });
    const tagError = await outcome(redshift.send(new DescribeClustersCommand({ ClusterIdentifier: CLUSTER })));
    expect(!tagError.ok && tagError.error.name).toBe("InvalidTagFault");
    for (const code of Object.keys(KMS_ERRORS) as Array<keyof typeof KMS_ERRORS>) {
      aws.injectFault({ action: "GetKeyRotationStatus", fault: { kind: "error", code } });
      const error = (await outcome(kms.send(new GetKeyRotationStatusCommand({ KeyId: KEY_A })))) as {
        ok: false;
        error: Error & { $metadata: { httpStatusCode: number } };
      };
      expect(error.error.name).toBe(code);
      expect(error.error.$metadata.httpStatusCode).toBe(KMS_ERRORS[code].httpStatus);
    }
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: KEY_A }));
    expect(status.NextRotationDate).toBeInstanceOf(Date);
    expect(status.RotationPeriodInDays).toBe(365);
    redshift.destroy();
    kms.destroy();
  });
});

describe("each documented error of the provider's calls", () => {
  const finalErrors: Array<[AwsAction, string, RegExp]> = [
    ["DescribeClusters", "ClusterNotFound", /cluster "analytics-main" in us-east-1: the cluster was not found/],
    ["DescribeClusters", "InvalidTagFault", /DescribeClusters failed with InvalidTagFault/],
    ["RotateEncryptionKey", "ClusterNotFound", /the cluster was not found/],
    ["RotateEncryptionKey", "UnsupportedOperation", /RotateEncryptionKey failed with UnsupportedOperationFault/],
    [
      "GetKeyRotationStatus",
      "NotFoundException",
      /GetKeyRotationStatus for key ".*" failed with NotFoundException: the key does not exist/,
    ],
    [
      "GetKeyRotationStatus",
      "InvalidArnException",
      /failed with InvalidArnException: kmsKeyId is not a valid KMS key ARN/,
    ],
    ["GetKeyRotationStatus", "KMSInvalidStateException", /failed with KMSInvalidStateException: the key is disabled/],
    [
      "GetKeyRotationStatus",
      "UnsupportedOperationException",
      /failed with UnsupportedOperationException: automatic rotation exists only for symmetric/,
    ],
    ["ListKeyRotations", "NotFoundException", /ListKeyRotations for key .* failed with NotFoundException/],
  ];
  for (const [action, code, message] of finalErrors) {
    it(`${action} ${code} ends the re-key with a clear error at once, and nothing is recorded`, async () => {
      freshWorld();
      const state = await createdState();
      aws.injectFault({ action, fault: { kind: "error", code }, times: Infinity });
      const started = clock.now();
      const result = await outcome(provider().update!(CLUSTER, state, inputs({ triggers: { reason: "rotate" } })));
      expect(result.ok).toBe(false);
      expect(!result.ok && result.error.message).toMatch(message);
      // Final: no waiting out the deadline, no RotateEncryptionKey after the failure.
      expect(clock.now() - started).toBeLessThan(60_000);
      expect(aws.calls.filter((call) => call.action === action).length).toBe(1);
    });
  }

  const retryableErrors: Array<[AwsAction, string]> = [
    ["RotateEncryptionKey", "DependentServiceRequestThrottlingFault"],
    ["RotateEncryptionKey", "InvalidClusterState"],
    ["GetKeyRotationStatus", "DependencyTimeoutException"],
    ["GetKeyRotationStatus", "KMSInternalException"],
    ["ListKeyRotations", "KMSInternalException"],
  ];
  for (const [action, code] of retryableErrors) {
    it(`${action} ${code} is retried: a burst of 5 is ridden out and the re-key completes once`, async () => {
      freshWorld();
      const state = await createdState();
      aws.injectFault({ action, fault: { kind: "error", code }, times: 5 });
      const result = await provider().update!(CLUSTER, state, inputs({ triggers: { reason: "rotate" } }));
      expect(result.outs?.rotationCount).toBe(1);
      expect(aws.cluster(CLUSTER)).toMatchObject({ status: "available", startedRotations: 1, completedRotations: 1 });
      expect(aws.calls.filter((call) => call.action === action && call.outcome === `error:${code}`).length).toBe(5);
    });
    it(`${action} ${code} without end fails with a clear timeout at the deadline, nothing recorded`, async () => {
      freshWorld();
      const state = await createdState();
      aws.injectFault({ action, fault: { kind: "error", code }, times: Infinity });
      const started = clock.now();
      const result = await outcome(
        provider().update!(CLUSTER, state, inputs({ triggers: { reason: "rotate" }, timeoutMinutes: 1 })),
      );
      expect(!result.ok && result.error.message).toMatch(
        /^RedshiftKeyRotation cluster "analytics-main" in us-east-1: timed out after 1 minute\(s\) \(timeoutMinutes\)/,
      );
      expect(clock.now() - started).toBeLessThanOrEqual(60_000);
      expect(aws.cluster(CLUSTER).startedRotations).toBe(0);
    });
  }

  it("throttling bursts, 5xx, dropped connections and lost responses on every call are ridden out", async () => {
    freshWorld();
    const state = await createdState();
    const faults: Fault[] = [
      { kind: "throttle" },
      { kind: "serverError", httpStatus: 503 },
      { kind: "serverError", httpStatus: 500 },
      { kind: "reset" },
      { kind: "hang" },
    ];
    for (const fault of faults) aws.injectFault({ fault, times: 2 });
    const result = await provider({ requestTimeoutMs: 300 }).update!(
      CLUSTER,
      state,
      inputs({ triggers: { reason: "rotate" } }),
    );
    expect(result.outs?.rotationCount).toBe(1);
    expect(aws.cluster(CLUSTER)).toMatchObject({ startedRotations: 1, completedRotations: 1 });
  });

  it("a RotateEncryptionKey whose response is lost is not sent again while the rotation it started runs", async () => {
    for (const kind of ["reset", "hang"] as const) {
      freshWorld({ rotationDurationMs: 45_000 });
      const state = await createdState();
      aws.injectFault({ action: "RotateEncryptionKey", fault: { kind, afterApply: true } });
      const result = await provider({ requestTimeoutMs: 300 }).update!(
        CLUSTER,
        state,
        inputs({ triggers: { reason: kind } }),
      );
      expect(result.outs?.rotationCount).toBe(1);
      expect(aws.cluster(CLUSTER)).toMatchObject({ status: "available", startedRotations: 1, completedRotations: 1 });
      expect(aws.rotateCallsWhileRotating).toBe(0);
      expect(aws.calls.filter((call) => call.action === "RotateEncryptionKey")).toHaveLength(1);
    }
  });

  it("a preview's diff waits at most DIFF_TIMEOUT_MINUTES for KMS, whatever timeoutMinutes says", async () => {
    freshWorld();
    const state = (await provider().create(inputs({ timeoutMinutes: 60 }))).outs as Record<string, unknown>;
    aws.injectFault({
      action: "GetKeyRotationStatus",
      fault: { kind: "error", code: "KMSInternalException" },
      times: Infinity,
    });
    const started = clock.now();
    const result = await outcome(provider().diff!(CLUSTER, state, inputs({ timeoutMinutes: 60 })));
    expect(!result.ok && result.error.message).toMatch(
      new RegExp(
        `^RedshiftKeyRotation cluster "analytics-main" in us-east-1: timed out after ${DIFF_TIMEOUT_MINUTES} minute\\(s\\) \\(a preview's diff waits at most ${DIFF_TIMEOUT_MINUTES}\\) while calling KMS GetKeyRotationStatus`,
      ),
    );
    expect(clock.now() - started).toBeLessThanOrEqual(DIFF_TIMEOUT_MINUTES * 60_000);
    expect(clock.now() - started).toBeGreaterThanOrEqual(DIFF_TIMEOUT_MINUTES * 60_000 * 0.5);
  });

  it("responses that never come, on every call, end in a clear timeout at the deadline", async () => {
    freshWorld();
    const state = await createdState();
    aws.injectFault({ action: "DescribeClusters", fault: { kind: "hang" }, times: Infinity });
    const started = clock.now();
    const result = await outcome(
      provider({ requestTimeoutMs: 50 }).update!(
        CLUSTER,
        state,
        inputs({ triggers: { reason: "hang" }, timeoutMinutes: 0.1 }),
      ),
    );
    expect(!result.ok && result.error.message).toMatch(
      /^RedshiftKeyRotation cluster "analytics-main" in us-east-1: timed out after 0.1 minute\(s\) \(timeoutMinutes\) waiting for the cluster to become available before re-keying it; last status: unknown \(DescribeClusters did not answer\)/,
    );
    expect(clock.now() - started).toBeLessThanOrEqual(6_000);
    expect(aws.cluster(CLUSTER).startedRotations).toBe(0);
  });

  it("create waits while the cluster is creating, modifying or resizing, adopts it without re-keying, and records the key's rotation", async () => {
    // The three resize statuses are documented ClusterStatus values that end in available on their own.
    for (const status of [
      "creating",
      "modifying",
      "available, prep-for-resize",
      "available, resize-cleanup",
      "cancelling-resize",
    ]) {
      aws.reset();
      aws.addKey({ keyArn: KEY_A, rotationPeriodInDays: 180 });
      aws.addCluster({ clusterIdentifier: CLUSTER, kmsKeyId: KEY_A, status, busyForMs: 25_000 });
      aws.rotateKeyMaterial(KEY_A);
      const started = clock.now();
      const created = await provider().create(inputs());
      expect(clock.now() - started).toBeGreaterThanOrEqual(25_000);
      expect(created.outs).toMatchObject({
        rotationCount: 0,
        keyRotationEnabled: true,
        rotationPeriodInDays: 180,
        latestKeyMaterialRotationDate: new Date(aws.key(KEY_A).rotations[0].rotationDate).toISOString(),
      });
      expect(created.outs.lastRotatedAt).toBeUndefined();
      expect(aws.calls.filter((call) => call.action === "RotateEncryptionKey")).toHaveLength(0);
    }
  });

  it("a cluster stuck in rotating-keys past the deadline fails clearly and records nothing", async () => {
    freshWorld({ rotationDurationMs: Infinity });
    const state = await createdState();
    const started = clock.now();
    const result = await outcome(
      provider().update!(CLUSTER, state, inputs({ triggers: { reason: "stuck" }, timeoutMinutes: 3 })),
    );
    expect(!result.ok && result.error.message).toMatch(
      /timed out after 3 minute\(s\) \(timeoutMinutes\) waiting for the cluster to finish rotating its keys .*run pulumi up again/,
    );
    expect(clock.now() - started).toBeLessThanOrEqual(3 * 60_000);
    expect(aws.calls.filter((call) => call.action === "RotateEncryptionKey")).toHaveLength(1);
    // The adaptive schedule: three minutes of waiting costs few calls.
    const polls = aws.calls.filter((call) => call.action === "DescribeClusters").length;
    expect(polls).toBeLessThan(60);
  });

  it("a 30 s rotation is noticed within 2 s of its end with about 15 DescribeClusters calls", async () => {
    freshWorld({ rotationDurationMs: 30_000 });
    const state = await createdState();
    const rotatedAt: number[] = [];
    aws.onCall((call) => {
      if (call.action === "RotateEncryptionKey") rotatedAt.push(call.at);
    });
    await provider().update!(CLUSTER, state, inputs({ triggers: { reason: "thirty" } }));
    const pollsAfterRotate = aws.calls.filter((call) => call.action === "DescribeClusters" && call.at > rotatedAt[0]);
    const noticedAt = pollsAfterRotate[pollsAfterRotate.length - 1].at;
    expect(noticedAt - (rotatedAt[0] + 30_000)).toBeLessThanOrEqual(2_000);
    // 15 polls is the least any schedule can do with at most 2 s between them; the fast first poll costs one more.
    // Counted by virtual instant: on a loaded machine the 40 ms request timeout may make the SDK retry a poll.
    const pollInstants = new Set(pollsAfterRotate.map((call) => call.at - rotatedAt[0]));
    expect(pollInstants.size, JSON.stringify([...pollInstants])).toBeLessThanOrEqual(16);
  });
});

describe("inputs that skipped check", () => {
  it("create and update refuse bad or still-unknown inputs with the same clear errors, before any AWS call", async () => {
    freshWorld();
    const bad = {
      clusterIdentifier: "Bad_Cluster",
      kmsKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
      timeoutMinutes: -5,
    };
    const created = await outcome(provider().create(bad));
    expect(!created.ok && created.error.message.split("\n")).toEqual([
      expect.stringMatching(
        /^RedshiftKeyRotation clusterIdentifier: got "Bad_Cluster": it must start with a lowercase letter/,
      ),
      expect.stringMatching(
        /^RedshiftKeyRotation kmsKeyId: got "1234abcd-12ab-34cd-56ef-1234567890ab"; expected a KMS key ARN/,
      ),
      "RedshiftKeyRotation timeoutMinutes: got -5; expected a positive number of minutes (default 60)",
    ]);
    const updated = await outcome(provider().update!(CLUSTER, inputs(), inputs({ kmsKeyId: UNKNOWN_STRING_SENTINEL })));
    expect(!updated.ok && updated.error.message).toBe("RedshiftKeyRotation kmsKeyId: the value is still unknown");
    expect(aws.calls).toEqual([]);
  });
});

describe("a key in another account (bring your own key from a security account)", () => {
  it("follows automatic rotations through GetKeyRotationStatus's schedule, since ListKeyRotations has no cross-account use", async () => {
    for (const refusal of ["NotFoundException", "AccessDeniedException"] as const) {
      const securityKey = "arn:aws:kms:us-east-1:444455556666:key/9999abcd-12ab-34cd-56ef-1234567890ab";
      aws.reset();
      aws.addKey({ keyArn: securityKey, rotationPeriodInDays: 90, otherAccountListKeyRotationsError: refusal });
      aws.addCluster({ clusterIdentifier: CLUSTER, kmsKeyId: securityKey, rotationDurationMs: 0 });
      const enabledAt = new Date(aws.key(securityKey).rotationEnabledAt).toISOString();
      const created = await provider().create(inputs({ kmsKeyId: securityKey }));
      expect(created.outs).toMatchObject({
        rotationCount: 0,
        keyRotationEnabled: true,
        latestKeyMaterialRotationDate: enabledAt,
      });
      const state = created.outs as Record<string, unknown>;
      clock.advance(30 * 86_400_000);
      expect(await provider().diff!(CLUSTER, state, inputs({ kmsKeyId: securityKey }))).toEqual({ changes: false });
      aws.rotateKeyMaterial(securityKey);
      expect(await provider().diff!(CLUSTER, state, inputs({ kmsKeyId: securityKey }))).toEqual({ changes: true });
      const updated = await provider().update!(CLUSTER, state, inputs({ kmsKeyId: securityKey }));
      expect(updated.outs).toMatchObject({
        rotationCount: 1,
        latestKeyMaterialRotationDate: new Date(aws.key(securityKey).rotations[0].rotationDate).toISOString(),
      });
      expect(await provider().diff!(CLUSTER, updated.outs!, inputs({ kmsKeyId: securityKey }))).toEqual({
        changes: false,
      });
      expect(aws.calls.filter((call) => call.action === "RotateEncryptionKey")).toHaveLength(1);
    }
  });

  it("for a key of the cluster's own account, a ListKeyRotations refusal stays a clear, final error", async () => {
    freshWorld();
    aws.injectFault({ action: "ListKeyRotations", fault: { kind: "error", code: "AccessDeniedException" } });
    const created = await outcome(provider().create(inputs()));
    expect(!created.ok && created.error.message).toMatch(
      /KMS ListKeyRotations for key .* failed with AccessDeniedException/,
    );
  });
});

describe("long deadlines", () => {
  it("a timeoutMinutes beyond what a Node timer holds (24.8 days) is a long deadline, not an instant failure", async () => {
    // 80,000 minutes is past AbortSignal.timeout's uint32 range (RangeError), 40,000 past setTimeout's int32 (fires after 1 ms).
    for (const timeoutMinutes of [80_000, 40_000]) {
      freshWorld({ rotationDurationMs: 0 });
      const created = await outcome(provider().create(inputs({ timeoutMinutes })));
      expect(created.ok ? created.value.outs : created.error.message).toMatchObject({
        rotationCount: 0,
        timeoutMinutes,
      });
      const updated = await outcome(
        provider().update!(
          CLUSTER,
          created.ok ? created.value.outs : {},
          inputs({ timeoutMinutes, triggers: { reason: "long" } }),
        ),
      );
      expect(updated.ok ? updated.value.outs : updated.error.message).toMatchObject({ rotationCount: 1 });
    }
  });
});

describe("credentials from a profile and an assumed role", () => {
  it("signs with the profile's keys, assumes roleArn (with the profile's keys when both are set), and calls only the actions docs/iam.md lists", async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "keyguard-credentials-"));
    const credentialsFile = path.join(directory, "credentials");
    fs.writeFileSync(
      credentialsFile,
      "[keyguard-test]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n",
    );
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
    process.env.AWS_CONFIG_FILE = path.join(directory, "config");
    const roleArn = "arn:aws:iam::111122223333:role/keyguard-rotation";
    try {
      freshWorld({ rotationDurationMs: 0 });
      await provider().create(inputs({ profile: "keyguard-test" }));
      expect(new Set(aws.calls.map((call) => call.accessKeyId))).toEqual(new Set(["AKIDPROFILE"]));

      freshWorld({ rotationDurationMs: 0 });
      // One provider object, as one host process keeps: one AssumeRole serves create and update.
      const roleProvider = provider();
      const created = await roleProvider.create(inputs({ roleArn }));
      await roleProvider.update!(CLUSTER, created.outs, inputs({ roleArn, triggers: { reason: "role" } }));
      expect(aws.assumedRoles).toEqual([roleArn]);
      const assumeRole = aws.calls.filter((call) => call.action === "AssumeRole");
      expect(assumeRole.map((call) => call.accessKeyId)).toEqual([aws.clientEnvironment().AWS_ACCESS_KEY_ID]);
      expect(new Set(aws.calls.filter((call) => call.action !== "AssumeRole").map((call) => call.accessKeyId))).toEqual(
        new Set([assumedRoleAccessKeyId(roleArn)]),
      );
      // Least privilege with a role: the provider's row plus the roleArn row of docs/iam.md's table.
      expect(aws.iamActionsCalled()).toEqual(documentedIamActions("| RedshiftKeyRotation"));

      freshWorld({ rotationDurationMs: 0 });
      await provider().create(inputs({ roleArn, profile: "keyguard-test" }));
      expect(aws.calls.filter((call) => call.action === "AssumeRole").map((call) => call.accessKeyId)).toEqual([
        "AKIDPROFILE",
      ]);
    } finally {
      delete process.env.AWS_SHARED_CREDENTIALS_FILE;
      delete process.env.AWS_CONFIG_FILE;
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("randomized fault runs (seeded)", () => {
  it("no unhandled rejection, no unfinished rotation recorded, no concurrent RotateEncryptionKey, every failure clear and within the deadline", async () => {
    const seed = Number(process.env.KEYGUARD_FAULT_SEED ?? 20_261_122);
    const numRuns = Math.max(200, Number(process.env.KEYGUARD_FAULT_RUNS ?? 200));
    const counts = { runs: 0, succeeded: 0, failedClearly: 0, timedOut: 0, rekeys: 0, faultsInjected: 0, faultsHit: 0 };
    const actions: AwsAction[] = [
      "DescribeClusters",
      "RotateEncryptionKey",
      "GetKeyRotationStatus",
      "ListKeyRotations",
    ];
    // A hung response costs real request-timeout time, so it is drawn less often than the others.
    const faultArbitrary = (action: AwsAction): fc.Arbitrary<Fault> =>
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(...DOCUMENTED_ERRORS[action]).map((code): Fault => ({ kind: "error", code })),
        },
        { weight: 2, arbitrary: fc.constant<Fault>({ kind: "throttle" }) },
        {
          weight: 2,
          arbitrary: fc
            .constantFrom(500, 502, 503, 504)
            .map((httpStatus): Fault => ({ kind: "serverError", httpStatus: httpStatus as 500 })),
        },
        { weight: 2, arbitrary: fc.boolean().map((afterApply): Fault => ({ kind: "reset", afterApply })) },
        { weight: 1, arbitrary: fc.boolean().map((afterApply): Fault => ({ kind: "hang", afterApply })) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((ms): Fault => ({ kind: "delay", ms })) },
      );
    // Errors may last forever; a response that never comes hits one call here (the persistent case
    // is its own test above).
    const ruleArbitrary: fc.Arbitrary<FaultRule> = fc.constantFrom(...actions).chain((action) =>
      faultArbitrary(action).chain((fault) =>
        fc.record({
          action: fc.constant(action),
          fault: fc.constant(fault),
          times:
            fault.kind === "hang"
              ? fc.constant(1)
              : fault.kind === "delay"
                ? fc.integer({ min: 1, max: 3 })
                : fc.oneof(
                    { weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }) },
                    { weight: 1, arbitrary: fc.constant(Infinity) },
                  ),
        }),
      ),
    );
    const scenarioArbitrary = fc.record({
      operation: fc.constantFrom(
        "create",
        "keyChange",
        "triggers",
        "materialRotation",
        "onDemandRotation",
        "settingsOnly",
        "diff",
        "read",
      ),
      initialStatus: fc.constantFrom("available", "available", "modifying", "rotating-keys"),
      // Stuck clusters and short deadlines are drawn often enough to time out dozens of runs, and not
      // more: a run that waits out its deadline costs a poll every few (virtual) seconds.
      initialBusyMs: fc.oneof(
        { weight: 10, arbitrary: fc.integer({ min: 0, max: 40_000 }) },
        { weight: 1, arbitrary: fc.constant(Infinity) },
      ),
      rotationDurationMs: fc.oneof(
        { weight: 10, arbitrary: fc.integer({ min: 0, max: 40_000 }) },
        { weight: 1, arbitrary: fc.constant(Infinity) },
      ),
      timeoutMinutes: fc.constantFrom(0.5, 1),
      faults: fc.array(ruleArbitrary, { maxLength: 4 }),
    });

    let baseState: Record<string, unknown> | undefined;
    // One provider for all runs, as the host keeps one per process (its clients are reused).
    let coarseProvider: ReturnType<typeof provider> | undefined;
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        counts.runs += 1;
        CLUSTER = `fault-run-${counts.runs}`;
        freshWorld({ rotationDurationMs: scenario.rotationDurationMs });
        // The state a create leaves for this world (made once by a real create, see below).
        baseState ??= await createdState();
        const state: Record<string, unknown> = { ...baseState, clusterIdentifier: CLUSTER };
        if (scenario.operation === "keyChange") aws.setClusterKey(CLUSTER, KEY_B);
        if (scenario.operation === "materialRotation") aws.rotateKeyMaterial(KEY_A);
        if (scenario.operation === "onDemandRotation") aws.startOnDemandRotation(KEY_A);
        if (scenario.initialStatus !== "available")
          aws.setClusterStatus(CLUSTER, scenario.initialStatus, scenario.initialBusyMs);
        for (const rule of scenario.faults) aws.injectFault(rule);
        counts.faultsInjected += scenario.faults.length;
        const before = aws.cluster(CLUSTER);
        const news = inputs({
          timeoutMinutes: scenario.timeoutMinutes,
          ...(scenario.operation === "keyChange" ? { kmsKeyId: KEY_B } : {}),
          ...(scenario.operation === "triggers" ? { triggers: { release: "v2" } } : {}),
          ...(scenario.operation === "settingsOnly" ? { region: "us-east-1" } : {}),
        });
        const started = clock.now();
        coarseProvider ??= provider({ coarse: true, requestTimeoutMs: 50 });
        const p = coarseProvider;
        const work: Promise<unknown> =
          scenario.operation === "create"
            ? p.create(news)
            : scenario.operation === "diff"
              ? p.diff!(CLUSTER, state, news)
              : scenario.operation === "read"
                ? p.read!(CLUSTER, state)
                : p.update!(CLUSTER, state, news);
        const result = await outcome(work);
        const after = aws.cluster(CLUSTER);
        counts.faultsHit += aws.calls.filter((call) => call.outcome !== "ok").length;

        // Never a RotateEncryptionKey while a rotation runs.
        expect(aws.rotateCallsWhileRotating).toBe(0);
        // Only update re-keys, at most once per rotation it saw finish.
        if (
          scenario.operation === "create" ||
          scenario.operation === "diff" ||
          scenario.operation === "read" ||
          scenario.operation === "settingsOnly"
        ) {
          expect(after.startedRotations).toBe(before.startedRotations);
        }
        // Every failure is a clear error of this resource, within the deadline.
        // read has only the state: its deadline is the recorded timeoutMinutes.
        const deadlineMinutes =
          scenario.operation === "read" ? (state.timeoutMinutes as number) : scenario.timeoutMinutes;
        expect(clock.now() - started).toBeLessThanOrEqual(deadlineMinutes * 60_000);
        if (!result.ok) {
          expect(result.error.message).toMatch(/^RedshiftKeyRotation cluster "fault-run-\d+" in us-east-1: /);
          counts.failedClearly += 1;
          if (result.error.name === "DeadlineExceededError") counts.timedOut += 1;
          return;
        }
        counts.succeeded += 1;
        const outs = (result.value as { outs?: Record<string, unknown> }).outs;
        if (outs && typeof outs.rotationCount === "number" && outs.rotationCount > 0) {
          // A recorded rotation finished: the cluster is available and one more rotation completed.
          counts.rekeys += 1;
          expect(after.status).toBe("available");
          expect(after.completedRotations).toBeGreaterThan(before.completedRotations);
          expect(outs.lastRotatedAt).toBe(new Date(clock.now()).toISOString());
        }
        // With no faults and a cluster that settles, the work must succeed (the runs are not all failures).
        if (scenario.operation === "triggers" || scenario.operation === "keyChange") {
          expect(outs?.rotationCount).toBe(1);
        }
      }),
      {
        seed,
        numRuns,
        endOnFailure: true,
        ...(process.env.KEYGUARD_FAULT_PATH ? { path: process.env.KEYGUARD_FAULT_PATH } : {}),
      },
    );
    console.log(`[keyguard] randomized provider fault runs (seed ${seed}): ${JSON.stringify(counts)}`);
    expect(unhandled).toEqual([]);
    expect(counts.runs).toBeGreaterThanOrEqual(200);
    expect(counts.succeeded).toBeGreaterThan(0);
    expect(counts.failedClearly).toBeGreaterThan(0);
    expect(counts.rekeys).toBeGreaterThan(0);
  }, 60_000);
});
