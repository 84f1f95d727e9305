// Figure 5: how fast RedshiftKeyRotation notices that Redshift finished re-keying a cluster, and
// how many AWS API calls one re-key costs, against the local AWS endpoint (test/support/localAws.ts)
// that speaks Redshift's and KMS's wire protocols to the real AWS SDK v3 clients.
//
// Two ways, in the same run:
// - Real time, through the real interface: the provider's serialized text in Pulumi's own
//   dynamic-provider host (test/support/dynamicProviderHost.ts), an Update that changes `triggers`
//   (which re-keys), rotations that Redshift takes 5 s and 30 s to finish. The runs go concurrently,
//   one cluster each, as one host serves a stack's resources; the waits are idle, not CPU.
// - Virtual time, in process: the same provider built with the endpoint's virtual clock, whose
//   sleep() advances time at once. The poll schedule is all that decides the figures, so this gives
//   the 300 s rotation exactly without waiting five minutes (half the bench's 10-minute budget), and
//   the 5 s / 30 s virtual runs next to the real ones show that the two agree.
//
// "Noticed" is the first DescribeClusters, in the endpoint's own call log, made after the rotation
// finished (the endpoint finishes it RotateEncryptionKey's time + the duration); the delay is
// between the two. API calls are every call the Update made, RotateEncryptionKey included.
import { createRedshiftKeyRotationProvider, DEFAULT_TUNING } from "../providers/redshiftKeyRotation/provider";
import {
  serializeRedshiftKeyRotationProvider,
  startDynamicProviderHost,
  withProvider,
} from "../test/support/dynamicProviderHost";
import { createVirtualClock, startLocalAws, type LocalAws, type RecordedCall } from "../test/support/localAws";
import { summarize, type Summary } from "./stats";

const region = "us-east-1";
const accountId = "123456789012";

export interface RotationRun {
  clock: "real" | "virtual";
  rotationSeconds: number;
  detectionDelayMs: number;
  /** From the rotation finishing to the Update returning to the engine (real time only). */
  updateReturnedAfterMs?: number;
  apiCalls: number;
  callsByAction: Record<string, number>;
}

export interface RotationFigure {
  rotationSeconds: number;
  detectionDelayMs: Summary;
  apiCalls: Summary;
  callsByAction: string;
  note: string;
}

export interface RotationResults {
  runs: RotationRun[];
  figures: RotationFigure[];
}

function keyArnFor(index: number): string {
  return `arn:aws:kms:${region}:${accountId}:key/0000abcd-12ab-34cd-56ef-${index.toString(16).padStart(12, "0")}`;
}

/** Reads the delay and the call count of one re-key out of the endpoint's call log. */
function analyseCalls(
  calls: readonly RecordedCall[],
  clusterIdentifier: string,
  keyArn: string,
  rotationMs: number,
  fromIndex: number,
): Omit<RotationRun, "clock" | "rotationSeconds"> {
  const mine = calls
    .slice(fromIndex)
    .filter(
      (call) =>
        call.clusterIdentifier === clusterIdentifier ||
        (call.keyId !== undefined && keyArn.endsWith(call.keyId)) ||
        call.keyId === keyArn,
    );
  const rotate = mine.find((call) => call.action === "RotateEncryptionKey" && call.outcome === "ok");
  if (!rotate)
    throw new Error(
      `rotation bench: no successful RotateEncryptionKey for ${clusterIdentifier} in the endpoint's call log`,
    );
  const finishedAt = rotate.at + rotationMs;
  const noticed = mine.find((call) => call.action === "DescribeClusters" && call.at >= finishedAt);
  if (!noticed)
    throw new Error(`rotation bench: no DescribeClusters for ${clusterIdentifier} after its rotation finished`);
  const callsByAction: Record<string, number> = {};
  for (const call of mine) callsByAction[call.action] = (callsByAction[call.action] ?? 0) + 1;
  return { detectionDelayMs: noticed.at - finishedAt, apiCalls: mine.length, callsByAction };
}

function baseInputs(clusterIdentifier: string, keyArn: string): Record<string, unknown> {
  return {
    clusterIdentifier,
    kmsKeyId: keyArn,
    region,
    followKeyMaterialRotations: true,
    timeoutMinutes: 60,
    triggers: { generation: 1 },
  };
}

/** Real time through Pulumi's dynamic-provider host: every duration × `runs`, concurrently. */
async function realTimeRuns(
  durationsSeconds: readonly number[],
  runs: number,
  log: (line: string) => void,
): Promise<RotationRun[]> {
  const aws = await startLocalAws();
  const host = await startDynamicProviderHost({ env: aws.clientEnvironment(region) });
  try {
    const providerText = await serializeRedshiftKeyRotationProvider();
    const plans = durationsSeconds.flatMap((seconds) => Array.from({ length: runs }, (_, run) => ({ seconds, run })));
    const results = await Promise.all(
      plans.map(async ({ seconds, run }, index) => {
        const clusterIdentifier = `bench-real-${seconds}s-${run}`;
        const keyArn = keyArnFor(1000 + index);
        aws.addKey({ keyArn });
        aws.addCluster({ clusterIdentifier, kmsKeyId: keyArn, rotationDurationMs: seconds * 1000 });
        const created = await host.create(withProvider(providerText, baseInputs(clusterIdentifier, keyArn)));
        const fromIndex = aws.calls.length;
        const news = withProvider(providerText, {
          ...baseInputs(clusterIdentifier, keyArn),
          triggers: { generation: 2 },
        });
        await host.update(created.id, created.properties, news);
        const returnedAt = Date.now();
        // Only the Update's calls count; create's reads came before fromIndex.
        const analysed = analyseCalls(aws.calls, clusterIdentifier, keyArn, seconds * 1000, fromIndex);
        const rotate = aws.calls.find(
          (call) => call.action === "RotateEncryptionKey" && call.clusterIdentifier === clusterIdentifier,
        )!;
        const run_: RotationRun = {
          clock: "real",
          rotationSeconds: seconds,
          detectionDelayMs: analysed.detectionDelayMs,
          updateReturnedAfterMs: returnedAt - (rotate.at + seconds * 1000),
          apiCalls: analysed.apiCalls,
          callsByAction: analysed.callsByAction,
        };
        log(
          `  real ${seconds} s rotation #${run + 1}: noticed ${run_.detectionDelayMs} ms after finishing, ${run_.apiCalls} API calls ${JSON.stringify(run_.callsByAction)}`,
        );
        return run_;
      }),
    );
    return results;
  } finally {
    await host.stop();
    await aws.stop();
  }
}

/** Virtual time, in process: one duration at a time (each with its own endpoint and clock). */
export async function virtualTimeRun(seconds: number, log: (line: string) => void): Promise<RotationRun> {
  const clock = createVirtualClock();
  const aws: LocalAws = await startLocalAws({ clock });
  const savedEnvironment = { ...process.env };
  Object.assign(process.env, aws.clientEnvironment(region));
  try {
    const provider = createRedshiftKeyRotationProvider({ ...DEFAULT_TUNING, clock });
    const clusterIdentifier = `bench-virtual-${seconds}s`;
    const keyArn = keyArnFor(seconds);
    aws.addKey({ keyArn });
    aws.addCluster({ clusterIdentifier, kmsKeyId: keyArn, rotationDurationMs: seconds * 1000 });
    const inputs = { ...baseInputs(clusterIdentifier, keyArn), redshiftEndpoint: aws.url, kmsEndpoint: aws.url };
    const created = await provider.create!(inputs);
    const fromIndex = aws.calls.length;
    await provider.update!(created.id, created.outs ?? {}, { ...inputs, triggers: { generation: 2 } });
    const analysed = analyseCalls(aws.calls, clusterIdentifier, keyArn, seconds * 1000, fromIndex);
    const run: RotationRun = { clock: "virtual", rotationSeconds: seconds, ...analysed };
    log(
      `  virtual ${seconds} s rotation: noticed ${run.detectionDelayMs} ms after finishing, ${run.apiCalls} API calls ${JSON.stringify(run.callsByAction)}`,
    );
    return run;
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in savedEnvironment)) delete process.env[key];
    Object.assign(process.env, savedEnvironment);
    await aws.stop();
  }
}

function describeCalls(runs: readonly RotationRun[]): string {
  const medianByAction = new Map<string, number>();
  const actions = new Set(runs.flatMap((run) => Object.keys(run.callsByAction)));
  for (const action of actions)
    medianByAction.set(action, summarize(runs.map((run) => run.callsByAction[action] ?? 0)).median);
  return [...medianByAction.entries()].map(([action, count]) => `${action} ${count}`).join(", ");
}

export async function measureRotations(options: {
  runs: number;
  log: (line: string) => void;
}): Promise<RotationResults> {
  const { runs, log } = options;
  const realDurations = [5, 30];
  const virtualDurations = [5, 30, 300];
  const real = await realTimeRuns(realDurations, runs, log);
  const virtual: RotationRun[] = [];
  for (const seconds of virtualDurations) virtual.push(await virtualTimeRun(seconds, log));
  const figures: RotationFigure[] = virtualDurations.map((seconds) => {
    const realRuns = real.filter((run) => run.rotationSeconds === seconds);
    const virtualRuns = virtual.filter((run) => run.rotationSeconds === seconds);
    if (realRuns.length > 0) {
      const virtualRun = virtualRuns[0];
      return {
        rotationSeconds: seconds,
        detectionDelayMs: summarize(realRuns.map((run) => run.detectionDelayMs)),
        apiCalls: summarize(realRuns.map((run) => run.apiCalls)),
        callsByAction: describeCalls(realRuns),
        note: `real time through Pulumi's dynamic-provider host, ${realRuns.length === 1 ? "1 run" : `${realRuns.length} concurrent runs`}; virtual clock: ${virtualRun.detectionDelayMs.toFixed(0)} ms, ${virtualRun.apiCalls} calls`,
      };
    }
    return {
      rotationSeconds: seconds,
      detectionDelayMs: summarize(virtualRuns.map((run) => run.detectionDelayMs)),
      apiCalls: summarize(virtualRuns.map((run) => run.apiCalls)),
      callsByAction: describeCalls(virtualRuns),
      note: "virtual clock (the endpoint's and the provider's), in process: the poll schedule alone decides it, so one run is exact",
    };
  });
  return { runs: [...real, ...virtual], figures };
}
