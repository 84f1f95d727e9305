/**
 * RedshiftKeyRotation run the way Pulumi runs it: serialized by Pulumi's closure serializer (from
 * an EncryptedRedshiftCluster program under mocks, and directly), and executed by Pulumi's own
 * dynamic-provider host over gRPC (Check, Diff, Create, Update, Read, Delete), calling the local
 * AWS endpoint with the real AWS SDK v3 clients.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UNKNOWN_BOOLEAN_SENTINEL, UNKNOWN_SENTINELS, UNKNOWN_STRING_SENTINEL } from "../../facts";
import {
  type DynamicProviderHost,
  PROVIDER_KEY,
  type Properties,
  startDynamicProviderHost,
  withProvider,
} from "../support/dynamicProviderHost";
import { type AwsAction, type Fault, type LocalAws, startLocalAws } from "../support/localAws";
import { documentedIamActions } from "../support/docs";

const REPOSITORY_ROOT = path.resolve(__dirname, "../..");
const KEY_A = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_B = "arn:aws:kms:eu-west-1:111122223333:key/5678abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_KEY = "arn:aws:kms:eu-west-1:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab";
const COMPONENT_CLUSTER = "warehouse";

let aws: LocalAws;
let host: DynamicProviderHost;
/** A second host, to be killed in the middle of a rotation. */
let doomedHost: DynamicProviderHost;
/** The provider with test timing (polls in tens of milliseconds), serialized like the real one. */
let fastProvider: string;
/** What EncryptedRedshiftCluster registered: RedshiftKeyRotation inputs (with the production provider text). */
let componentRotations: Record<string, Properties>;

/** Runs the EncryptedRedshiftCluster program under mocks in a child process (CommonJS, as Pulumi runs TypeScript). */
const TEST_TUNING = {
  poll: { initialDelayMs: 20, fastPhaseMaxDelayMs: 50, maxDelayMs: 100 },
  retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, requestTimeoutMs: 400, connectionTimeoutMs: 400 },
};

async function runComponentProgram(): Promise<{ rotations: Record<string, Properties>; tunedProvider: string }> {
  const child = spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(__dirname, "fixtures/componentKeyChange.ts")],
    {
      cwd: REPOSITORY_ROOT,
      env: {
        ...process.env,
        TS_NODE_TRANSPILE_ONLY: "true",
        KEYGUARD_LOCAL_AWS_URL: aws.url,
        KEYGUARD_CLUSTER: COMPONENT_CLUSTER,
        KEYGUARD_OTHER_KEY_ARN: OTHER_KEY,
        KEYGUARD_TUNING: JSON.stringify(TEST_TUNING),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`component program failed (${code}): ${stderr}`);
  return JSON.parse(stdout) as { rotations: Record<string, Properties>; tunedProvider: string };
}

beforeAll(async () => {
  aws = await startLocalAws();
  const [program, started, spare] = await Promise.all([
    runComponentProgram(),
    // The hosts get dummy credentials and the region from their environment, like any AWS SDK program.
    startDynamicProviderHost({ env: aws.clientEnvironment("eu-west-1") }),
    startDynamicProviderHost({ env: aws.clientEnvironment("eu-west-1") }),
  ]);
  fastProvider = program.tunedProvider;
  componentRotations = program.rotations;
  host = started;
  doomedHost = spare;
}, 60_000);

afterAll(async () => {
  await host?.stop();
  await doomedHost?.stop();
  await aws?.stop();
});

function freshCluster(
  clusterIdentifier: string,
  options: { kmsKeyId?: string; rotationDurationMs?: number } = {},
): void {
  for (const keyArn of [KEY_A, KEY_B, OTHER_KEY]) {
    try {
      aws.key(keyArn);
    } catch {
      aws.addKey({ keyArn });
    }
  }
  aws.addCluster({
    clusterIdentifier,
    kmsKeyId: options.kmsKeyId ?? KEY_A,
    rotationDurationMs: options.rotationDurationMs ?? 150,
  });
}

function rotateCalls(clusterIdentifier: string): number {
  return aws.calls.filter(
    (call) => call.action === "RotateEncryptionKey" && call.clusterIdentifier === clusterIdentifier,
  ).length;
}

/** check then create, as the engine does for a new resource. */
async function createThroughHost(
  news: Properties,
  providerText = fastProvider,
): Promise<{ id: string; state: Properties; inputs: Properties }> {
  const checked = await host.check({}, withProvider(providerText, news));
  expect(checked.failures).toEqual([]);
  const created = await host.create(checked.inputs);
  return { id: created.id, state: created.properties, inputs: checked.inputs };
}

/** One `pulumi up` of an existing resource: check, diff, and update when the diff says so. */
async function upThroughHost(
  id: string,
  state: Properties,
  news: Properties,
  providerText = fastProvider,
): Promise<{ state: Properties; updated: boolean }> {
  const checked = await host.check(state, withProvider(providerText, news));
  expect(checked.failures).toEqual([]);
  const diff = await host.diff(id, state, checked.inputs);
  expect(diff.replaces).toEqual([]);
  if (diff.changes === "none") return { state, updated: false };
  const updated = await host.update(id, state, checked.inputs);
  return { state: updated.properties, updated: true };
}

describe("check through the host: bad inputs get clear errors, unknowns pass", () => {
  it("names each bad input, its value and what is allowed", async () => {
    const { failures } = await host.check(
      {},
      withProvider(fastProvider, {
        clusterIdentifier: "Analytics--1",
        kmsKeyId: "alias/warehouse",
        timeoutMinutes: 0,
        followKeyMaterialRotations: "yes",
        triggers: { release: { nested: true } },
        region: "Europe",
        roleArn: "arn:aws:iam::1:user/me",
        kmsEndpoint: "https://user:hunter2@kms.example.com",
        redshiftEndpoint: "https://redshift.example.com/?token=abc",
      }),
    );
    const reasons = Object.fromEntries(failures.map((failure) => [failure.property, failure.reason]));
    expect(Object.keys(reasons).sort()).toEqual(
      [
        "clusterIdentifier",
        "followKeyMaterialRotations",
        "kmsEndpoint",
        "kmsKeyId",
        "redshiftEndpoint",
        "region",
        "roleArn",
        "timeoutMinutes",
        "triggers",
      ].sort(),
    );
    expect(reasons.clusterIdentifier).toMatch(
      /^RedshiftKeyRotation clusterIdentifier: got "Analytics--1": it must start with a lowercase letter; Redshift allows/,
    );
    expect(reasons.kmsKeyId).toMatch(/^RedshiftKeyRotation kmsKeyId: got "alias\/warehouse"; expected a KMS key ARN/);
    expect(reasons.timeoutMinutes).toBe(
      "RedshiftKeyRotation timeoutMinutes: got 0; expected a positive number of minutes (default 60)",
    );
    expect(reasons.triggers).toMatch(/entry "release" is a object; expected a string, a finite number or a boolean/);
    // The password and token in endpoint URLs are never echoed back.
    expect(JSON.stringify(failures)).not.toMatch(/hunter2|token=abc/);
    expect(reasons.kmsEndpoint).toMatch(/credentials in it \(not shown\)/);
  });

  it("a key id longer than 2048 characters, and a non-number timeout, are refused", async () => {
    const { failures } = await host.check(
      {},
      withProvider(fastProvider, {
        clusterIdentifier: "ok-cluster",
        kmsKeyId: `${KEY_A}${"a".repeat(2048)}`,
        timeoutMinutes: "soon",
      }),
    );
    expect(failures.map((failure) => failure.property).sort()).toEqual(["kmsKeyId", "timeoutMinutes"]);
    expect(failures.find((failure) => failure.property === "kmsKeyId")!.reason).toMatch(
      /expected a KMS key ARN of 1 to 2048 characters/,
    );
  });

  it("values unknown during preview are accepted by check and are a pending change in diff", async () => {
    const unknownKey = {
      clusterIdentifier: "preview-cluster",
      kmsKeyId: UNKNOWN_STRING_SENTINEL,
      followKeyMaterialRotations: UNKNOWN_BOOLEAN_SENTINEL,
    };
    const { failures } = await host.check({}, withProvider(fastProvider, unknownKey));
    expect(failures).toEqual([]);
    const olds = withProvider(fastProvider, {
      clusterIdentifier: "preview-cluster",
      kmsKeyId: KEY_A,
      followKeyMaterialRotations: true,
      timeoutMinutes: 60,
    });
    expect(
      await host.diff("preview-cluster", olds, withProvider(fastProvider, { ...unknownKey, timeoutMinutes: 60 })),
    ).toMatchObject({ changes: "some", replaces: [] });
    expect(
      await host.diff(
        "preview-cluster",
        olds,
        withProvider(fastProvider, { ...unknownKey, clusterIdentifier: UNKNOWN_STRING_SENTINEL }),
      ),
    ).toMatchObject({
      changes: "some",
      replaces: ["clusterIdentifier"],
    });
  });

  it("every unknown sentinel of the engine, the asset and archive ones included, is unknown to the serialized check", async () => {
    // isUnknown travels into the state from facts/: this is the copy Pulumi's serializer carried.
    for (const sentinel of UNKNOWN_SENTINELS) {
      const inputs = { clusterIdentifier: sentinel, kmsKeyId: sentinel, region: sentinel, profile: sentinel };
      const { failures } = await host.check({}, withProvider(fastProvider, inputs));
      expect(failures, sentinel).toEqual([]);
    }
  });
});

describe("EncryptedRedshiftCluster -> RedshiftKeyRotation, from the component's own registration", () => {
  it("creating adopts the cluster without re-keying; a key change re-keys exactly once; the next up does nothing", async () => {
    const before = componentRotations["before-key-rotation"];
    const after = componentRotations["after-key-rotation"];
    expect(before.kmsKeyId).not.toBe(after.kmsKeyId);
    expect(after.kmsKeyId).toBe(OTHER_KEY);
    const componentKey = before.kmsKeyId as string;
    aws.addKey({ keyArn: componentKey });
    freshCluster(COMPONENT_CLUSTER, { kmsKeyId: componentKey, rotationDurationMs: 300 });
    const productionProvider = before[PROVIDER_KEY] as string;

    const created = await createThroughHost(before, productionProvider);
    expect(created.id).toBe(COMPONENT_CLUSTER);
    expect(created.state).toMatchObject({
      rotationCount: 0,
      keyRotationEnabled: true,
      rotationPeriodInDays: 365,
      resolvedRegion: "eu-west-1",
    });
    expect(rotateCalls(COMPONENT_CLUSTER)).toBe(0);

    // The cluster is moved onto the other key (what the aws.redshift.Cluster update does), then the rotation runs.
    aws.setClusterKey(COMPONENT_CLUSTER, OTHER_KEY);
    const first = await upThroughHost(created.id, created.state, after, productionProvider);
    expect(first.updated).toBe(true);
    expect(first.state).toMatchObject({ rotationCount: 1, kmsKeyId: OTHER_KEY });
    expect(typeof first.state.lastRotatedAt).toBe("string");
    expect(aws.cluster(COMPONENT_CLUSTER)).toMatchObject({
      status: "available",
      startedRotations: 1,
      completedRotations: 1,
    });

    const second = await upThroughHost(created.id, first.state, after, productionProvider);
    expect(second.updated).toBe(false);
    expect(rotateCalls(COMPONENT_CLUSTER)).toBe(1);
  });
});

describe("the lifecycle through the host", () => {
  it("follows key-material rotations (automatic and on-demand) only when asked", async () => {
    freshCluster("follow-cluster");
    const inputs = { clusterIdentifier: "follow-cluster", kmsKeyId: KEY_A, timeoutMinutes: 1 };
    const created = await createThroughHost(inputs);
    expect((await upThroughHost(created.id, created.state, inputs)).updated).toBe(false);

    aws.rotateKeyMaterial(KEY_A);
    const afterMaterial = await upThroughHost(created.id, created.state, inputs);
    expect(afterMaterial.updated).toBe(true);
    expect(afterMaterial.state.rotationCount).toBe(1);
    expect(afterMaterial.state.latestKeyMaterialRotationDate).toBe(
      new Date(aws.key(KEY_A).rotations[0].rotationDate).toISOString(),
    );
    expect((await upThroughHost(created.id, afterMaterial.state, inputs)).updated).toBe(false);

    aws.startOnDemandRotation(KEY_A);
    const onDemand = await upThroughHost(created.id, afterMaterial.state, inputs);
    expect(onDemand.state.rotationCount).toBe(2);

    // Not following: a new material rotation changes nothing.
    aws.rotateKeyMaterial(KEY_A);
    const notFollowing = { ...inputs, followKeyMaterialRotations: false };
    const settingsOnly = await upThroughHost(created.id, onDemand.state, notFollowing);
    expect(settingsOnly.state.rotationCount).toBe(2);
    expect((await upThroughHost(created.id, settingsOnly.state, notFollowing)).updated).toBe(false);
    expect(rotateCalls("follow-cluster")).toBe(2);
  });

  it("a changed clusterIdentifier replaces; triggers re-key; read refreshes and reports a vanished cluster as gone; delete touches nothing in AWS", async () => {
    freshCluster("life-cluster");
    const inputs = {
      clusterIdentifier: "life-cluster",
      kmsKeyId: KEY_A,
      timeoutMinutes: 1,
      triggers: { release: "v1" },
    };
    const created = await createThroughHost(inputs);
    const checked = await host.check(
      created.state,
      withProvider(fastProvider, { ...inputs, clusterIdentifier: "other-cluster" }),
    );
    expect(await host.diff(created.id, created.state, checked.inputs)).toMatchObject({
      changes: "some",
      replaces: ["clusterIdentifier"],
    });

    const retriggered = await upThroughHost(created.id, created.state, { ...inputs, triggers: { release: "v2" } });
    expect(retriggered.state.rotationCount).toBe(1);

    aws.setClusterKey("life-cluster", KEY_B);
    const refreshed = await host.read(created.id, retriggered.state);
    expect(refreshed.id).toBe("life-cluster");
    expect(refreshed.properties).toMatchObject({ kmsKeyId: KEY_B, rotationCount: 1 });

    aws.removeCluster("life-cluster");
    const gone = await host.read(created.id, retriggered.state);
    expect(gone.id).toBe("");

    const callsBefore = aws.calls.length;
    await host.delete(created.id, retriggered.state);
    expect(aws.calls.length).toBe(callsBefore);
  });

  it("create fails clearly for a missing cluster, a cluster on another key, an unencrypted cluster and a key without rotation", async () => {
    await expect(
      createThroughHost({ clusterIdentifier: "no-such-cluster", kmsKeyId: KEY_A, timeoutMinutes: 1 }),
    ).rejects.toThrow(
      'RedshiftKeyRotation cluster "no-such-cluster" in eu-west-1: the cluster was not found (Redshift ClusterNotFound)',
    );
    freshCluster("keyed-elsewhere", { kmsKeyId: KEY_B });
    await expect(
      createThroughHost({ clusterIdentifier: "keyed-elsewhere", kmsKeyId: KEY_A, timeoutMinutes: 1 }),
    ).rejects.toThrow(`the cluster is encrypted with "${KEY_B}", not kmsKeyId "${KEY_A}"`);
    aws.addCluster({ clusterIdentifier: "plain-cluster", encrypted: false });
    await expect(
      createThroughHost({ clusterIdentifier: "plain-cluster", kmsKeyId: KEY_A, timeoutMinutes: 1 }),
    ).rejects.toThrow(/the cluster is not encrypted/);
    const unrotatedKey = "arn:aws:kms:eu-west-1:111122223333:key/9999abcd-12ab-34cd-56ef-1234567890ab";
    aws.addKey({ keyArn: unrotatedKey, rotationEnabled: false });
    aws.addCluster({ clusterIdentifier: "unrotated-cluster", kmsKeyId: unrotatedKey });
    await expect(
      createThroughHost({ clusterIdentifier: "unrotated-cluster", kmsKeyId: unrotatedKey, timeoutMinutes: 1 }),
    ).rejects.toThrow(/automatic rotation is off for key/);
  });

  it("faults through the host: throttling, 5xx, a dropped connection and a hung response are ridden out; a final KMS error is clear", async () => {
    freshCluster("faulty-cluster");
    const inputs = { clusterIdentifier: "faulty-cluster", kmsKeyId: KEY_A, timeoutMinutes: 1 };
    const created = await createThroughHost(inputs);
    aws.injectFault({
      action: "RotateEncryptionKey",
      fault: { kind: "error", code: "DependentServiceRequestThrottlingFault" },
      times: 2,
    });
    aws.injectFault({ action: "DescribeClusters", fault: { kind: "throttle" }, times: 2 });
    aws.injectFault({ action: "GetKeyRotationStatus", fault: { kind: "serverError", httpStatus: 503 } });
    aws.injectFault({ action: "ListKeyRotations", fault: { kind: "reset" } });
    aws.injectFault({ action: "DescribeClusters", fault: { kind: "hang" } });
    const rekeyed = await upThroughHost(created.id, created.state, { ...inputs, triggers: { n: 1 } });
    expect(rekeyed.state.rotationCount).toBe(1);
    expect(aws.cluster("faulty-cluster")).toMatchObject({ startedRotations: 1, completedRotations: 1 });

    aws.injectFault({
      action: "GetKeyRotationStatus",
      fault: { kind: "error", code: "KMSInvalidStateException" },
      times: Infinity,
    });
    const checked = await host.check(rekeyed.state, withProvider(fastProvider, { ...inputs, triggers: { n: 2 } }));
    await expect(host.update(created.id, rekeyed.state, checked.inputs)).rejects.toThrow(
      `RedshiftKeyRotation cluster "faulty-cluster" in eu-west-1: KMS GetKeyRotationStatus for key "${KEY_A}" failed with KMSInvalidStateException: the key is disabled, pending deletion or pending import`,
    );
    aws.clearFaults();
  });
});

describe("seeded randomized faults through the host", () => {
  it("a representative set: every run ends rekeyed once or with a clear error; never a concurrent RotateEncryptionKey", async () => {
    const seed = Number(process.env.KEYGUARD_FAULT_SEED ?? 20_261_122);
    const actions: AwsAction[] = [
      "DescribeClusters",
      "RotateEncryptionKey",
      "GetKeyRotationStatus",
      "ListKeyRotations",
    ];
    const faults: Fault[] = [
      { kind: "error", code: "InvalidClusterState" },
      { kind: "error", code: "DependentServiceRequestThrottlingFault" },
      { kind: "error", code: "KMSInternalException" },
      { kind: "error", code: "NotFoundException" },
      { kind: "throttle" },
      { kind: "serverError", httpStatus: 503 },
      { kind: "reset", afterApply: true },
      { kind: "reset" },
      { kind: "hang", afterApply: true },
    ];
    const scenarios = fc.sample(
      fc.record({
        rules: fc.array(
          fc.record({
            action: fc.constantFrom(...actions),
            fault: fc.constantFrom(...faults),
            times: fc.integer({ min: 1, max: 2 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        rotationDurationMs: fc.integer({ min: 0, max: 200 }),
      }),
      { seed, numRuns: 8 },
    );
    const counts = { runs: 0, rekeyed: 0, failedClearly: 0 };
    for (const [index, scenario] of scenarios.entries()) {
      const clusterIdentifier = `host-run-${index}`;
      freshCluster(clusterIdentifier, { rotationDurationMs: scenario.rotationDurationMs });
      const inputs = { clusterIdentifier, kmsKeyId: KEY_A, timeoutMinutes: 0.05 };
      const created = await createThroughHost(inputs);
      for (const rule of scenario.rules) aws.injectFault(rule);
      const news = (
        await host.check(created.state, withProvider(fastProvider, { ...inputs, triggers: { run: index } }))
      ).inputs;
      const result = await host.update(created.id, created.state, news).then(
        (updated) => ({ ok: true as const, state: updated.properties }),
        (error: Error) => ({ ok: false as const, message: error.message }),
      );
      aws.clearFaults();
      counts.runs += 1;
      const cluster = aws.cluster(clusterIdentifier);
      if (result.ok) {
        counts.rekeyed += 1;
        expect(result.state.rotationCount).toBe(1);
        expect(cluster).toMatchObject({ status: "available", completedRotations: 1 });
      } else {
        counts.failedClearly += 1;
        expect(result.message).toMatch(
          new RegExp(`^RedshiftKeyRotation cluster "${clusterIdentifier}" in eu-west-1: `),
        );
      }
      expect(cluster.startedRotations).toBeLessThanOrEqual(1);
    }
    console.log(
      `[keyguard] randomized fault runs through the dynamic-provider host (seed ${seed}): ${JSON.stringify(counts)}`,
    );
    expect(aws.rotateCallsWhileRotating).toBe(0);
    expect(counts.rekeyed).toBeGreaterThan(0);
  });
});

describe("a pulumi up killed mid-rotation, then run again", () => {
  it("the state never claims the unfinished rotation; the next run waits for it and records it, without a second RotateEncryptionKey", async () => {
    freshCluster("killed-cluster", { rotationDurationMs: 600 });
    const inputs = { clusterIdentifier: "killed-cluster", kmsKeyId: KEY_A, timeoutMinutes: 1 };
    const created = await createThroughHost(inputs);
    const news = (
      await host.check(created.state, withProvider(fastProvider, { ...inputs, triggers: { release: "v2" } }))
    ).inputs;

    const stopListening = aws.onCall((call) => {
      if (call.action === "RotateEncryptionKey") setImmediate(() => doomedHost.kill());
    });
    const interrupted = await doomedHost.update(created.id, created.state, news).then(
      () => "finished",
      (error: Error) => error.message,
    );
    stopListening();
    await doomedHost.stop();
    // The engine got no outputs: the state stays as created (rotationCount 0), with the cluster mid-rotation.
    expect(interrupted).not.toBe("finished");
    expect(aws.cluster("killed-cluster")).toMatchObject({
      status: "rotating-keys",
      startedRotations: 1,
      completedRotations: 0,
    });

    const resumed = await host.update(created.id, created.state, news);
    expect(resumed.properties.rotationCount).toBe(1);
    expect(aws.cluster("killed-cluster")).toMatchObject({
      status: "available",
      startedRotations: 1,
      completedRotations: 1,
    });
    expect(rotateCalls("killed-cluster")).toBe(1);
    expect(aws.rotateCallsWhileRotating).toBe(0);
  });
});

describe("secrets and least privilege", () => {
  it("the serialized provider holds no credentials and no endpoints; the state holds no credentials", () => {
    const environment = aws.clientEnvironment();
    for (const text of [fastProvider, componentRotations["before-key-rotation"][PROVIDER_KEY] as string]) {
      expect(text).toContain("exports.handler");
      for (const secret of [environment.AWS_ACCESS_KEY_ID, environment.AWS_SECRET_ACCESS_KEY, aws.url, "127.0.0.1"]) {
        expect(text).not.toContain(secret);
      }
      expect(text).not.toMatch(/AKIA[0-9A-Z]{16}|aws_secret_access_key|sessionToken\s*[:=]\s*"/i);
      // SDK clients are built at run time, inside the methods.
      expect(text).toMatch(/require\("@aws-sdk\/client-redshift"\)/);
      // The host resolves a relative require from its own location, not the program's: local modules must travel by value.
      expect(text).not.toMatch(/require\(\s*["'`]\.{1,2}[/\\]/);
      expect(text).not.toMatch(/new RedshiftClient\([^)]*\)\s*;\s*\n\s*(var|const|let)\s+__/);
    }
  });

  it("the host reported no uncaught exception or unhandled rejection (its stderr holds only the SDK's Node-version notice)", () => {
    const notice = /\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?to show where the warning was created\)\n?/g;
    for (const text of [host.stderr(), doomedHost.stderr()]) {
      expect(text.replace(notice, "").trim()).toBe("");
    }
  });

  it("the AWS actions the provider called are exactly docs/iam.md's list for RedshiftKeyRotation", () => {
    const documented = documentedIamActions("| RedshiftKeyRotation |");
    expect(documented.length).toBeGreaterThan(0);
    // Every test in this file called through the local endpoint; signed with the dummy credentials.
    expect(aws.iamActionsCalled()).toEqual(documented);
    expect(new Set(aws.calls.map((call) => call.accessKeyId))).toEqual(
      new Set([aws.clientEnvironment().AWS_ACCESS_KEY_ID]),
    );
  });
});
