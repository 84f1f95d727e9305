/**
 * A local AWS endpoint on 127.0.0.1 for the tests and the bench: it speaks Redshift's query protocol
 * (form-encoded POST, XML responses in the 2012-12-01 namespace) and KMS's JSON 1.1 protocol, so the
 * real AWS SDK v3 clients (signing, retries, error parsing) talk to it unchanged.
 *
 * It models clusters (available -> rotating-keys -> available after a configurable duration) and
 * keys (rotation status, key-material rotations), records every call, and injects faults: any error
 * code with its HTTP status, throttling, 5xx, dropped connections, responses that never come, slow
 * responses. Time comes from a clock that may be virtual, so long rotations can be simulated fast.
 *
 * Stable API (used by the provider tests, the gate's --live tests and the bench):
 *   const aws = await startLocalAws({ clock? });
 *   aws.url; aws.clientEnvironment()                       endpoint + dummy credentials for AWS SDK env
 *   aws.addCluster({ clusterIdentifier, kmsKeyId, ... }); aws.cluster(id); aws.setClusterStatus(id, s, forMs)
 *   aws.addKey({ keyArn, ... }); aws.key(arn); aws.rotateKeyMaterial(arn); aws.startOnDemandRotation(arn)
 *   aws.injectFault({ action?, fault, times? }); aws.clearFaults()
 *   aws.calls; aws.iamActionsCalled(); aws.rotateCallsWhileRotating; aws.assumedRoles; aws.onCall(listener)
 *   STS AssumeRole is answered too (credentials with access key id assumedRoleAccessKeyId(roleArn))
 *   aws.reset(); await aws.stop()
 *   createVirtualClock(startMs?) -> { now(), sleep(ms), advance(ms) }
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import { CLUSTER_STATUS, KMS_ERRORS, REDSHIFT_ERRORS } from "../../facts";

/** Where the endpoint reads the time: the wall clock by default, a virtual clock for long simulations. */
export interface Clock {
  now(): number;
}

/** A clock that only moves when told: sleep(ms) advances it at once, so a 300 s rotation takes no real time. */
export interface VirtualClock extends Clock {
  sleep(ms: number): Promise<void>;
  advance(ms: number): void;
}

export function createVirtualClock(startMs = Date.parse("2026-01-01T00:00:00Z")): VirtualClock {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance(ms: number) {
      nowMs += ms;
    },
    sleep(ms: number) {
      nowMs += Math.max(0, ms);
      return new Promise((resolve) => setImmediate(resolve));
    },
  };
}

export type RedshiftAction = "DescribeClusters" | "RotateEncryptionKey";
export type KmsAction = "GetKeyRotationStatus" | "ListKeyRotations" | "DescribeKey";
export type AwsAction = RedshiftAction | KmsAction;

export type Fault =
  /** Answer with this error code; HTTP status from facts (or httpStatus). Nothing changes server-side. */
  | { kind: "error"; code: string; httpStatus?: number; message?: string }
  /** Redshift `Throttling` / KMS `ThrottlingException` (HTTP 400), which the SDK retries. */
  | { kind: "throttle" }
  /** A 5xx with a service error body (InternalFailure / ServiceUnavailable). */
  | { kind: "serverError"; httpStatus?: 500 | 502 | 503 | 504 }
  /** Destroy the socket. afterApply: the request takes effect first (the response is lost). */
  | { kind: "reset"; afterApply?: boolean }
  /** Never respond. afterApply: the request takes effect first. */
  | { kind: "hang"; afterApply?: boolean }
  /** Respond normally after a real delay. */
  | { kind: "delay"; ms: number };

export interface FaultRule {
  /** Which action the fault hits; every action when omitted. */
  action?: AwsAction;
  fault: Fault;
  /** How many matching calls it hits (default 1; Infinity for all). */
  times?: number;
}

export interface RecordedCall {
  service: "redshift" | "kms" | "sts";
  action: string;
  /** The IAM action this API call needs, e.g. `redshift:RotateEncryptionKey`. */
  iamAction: string;
  at: number;
  /** The access key id from the SigV4 Authorization header ("" when unsigned). */
  accessKeyId: string;
  /** "ok", "error:<Code>" or "fault:<kind>". */
  outcome: string;
  clusterIdentifier?: string;
  keyId?: string;
}

export interface ClusterSpec {
  clusterIdentifier: string;
  kmsKeyId?: string;
  /** Default true. */
  encrypted?: boolean;
  /** Starting status (default available); with busyForMs it returns to available after that long. */
  status?: string;
  busyForMs?: number;
  /** How long a RotateEncryptionKey keeps the cluster in rotating-keys (default 0; Infinity = stuck). */
  rotationDurationMs?: number;
  /** The account that owns the cluster, shown in its ClusterNamespaceArn (default 111122223333). */
  accountId?: string;
}

export interface ClusterView {
  clusterIdentifier: string;
  kmsKeyId: string | undefined;
  encrypted: boolean;
  status: string;
  /** Rotations started by RotateEncryptionKey and rotations that have reached available again. */
  startedRotations: number;
  completedRotations: number;
  rotationDurationMs: number;
  accountId: string;
}

export interface KeySpec {
  keyArn: string;
  /** Default true. */
  rotationEnabled?: boolean;
  /** Default 365. */
  rotationPeriodInDays?: number;
  /** Default SYMMETRIC_DEFAULT; anything else makes rotation calls UnsupportedOperationException. */
  keySpec?: string;
  /** Default Enabled; PendingDeletion / Disabled make rotation calls KMSInvalidStateException. */
  keyState?: string;
  /**
   * The key belongs to another account than the caller's (a security account's key, shared through
   * its key policy). GetKeyRotationStatus and DescribeKey work across accounts with the key ARN;
   * ListKeyRotations ("Cross-account use: No" in the KMS API reference) answers this error. Default: none.
   */
  otherAccountListKeyRotationsError?: "NotFoundException" | "AccessDeniedException";
}

export interface KeyRotationEntry {
  rotationDate: number;
  rotationType: "AUTOMATIC" | "ON_DEMAND";
}

export interface KeyView {
  keyArn: string;
  keyId: string;
  rotationEnabled: boolean;
  rotationPeriodInDays: number;
  keySpec: string;
  keyState: string;
  onDemandRotationStartDate: number | undefined;
  rotations: KeyRotationEntry[];
  /** When automatic rotation was turned on (addKey): the start of the schedule until the first automatic rotation. */
  rotationEnabledAt: number;
  otherAccountListKeyRotationsError: KeySpec["otherAccountListKeyRotationsError"];
}

interface ClusterModel extends ClusterView {
  busyUntil: number;
  rotatingUntil: number;
}

const XML_NAMESPACE = "http://redshift.amazonaws.com/doc/2012-12-01/";
const DAY_MS = 86_400_000;

export class LocalAws {
  readonly url: string;
  readonly calls: RecordedCall[] = [];
  /** RotateEncryptionKey calls that arrived while the cluster was already rotating-keys. */
  rotateCallsWhileRotating = 0;
  /** Role ARNs passed to STS AssumeRole, in order. */
  readonly assumedRoles: string[] = [];
  private clusters = new Map<string, ClusterModel>();
  private keys = new Map<string, KeyView>();
  private faults: Array<FaultRule & { remaining: number }> = [];
  private listeners: Array<(call: RecordedCall) => void> = [];
  private requestCounter = 0;

  constructor(
    private readonly server: http.Server,
    private readonly sockets: Set<Socket>,
    readonly clock: Clock,
  ) {
    const address = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${address.port}`;
  }

  /** Environment for an AWS SDK process pointed here: dummy credentials, region, per-service endpoints (Redshift, KMS, STS). */
  clientEnvironment(region = "us-east-1"): Record<string, string> {
    return {
      AWS_ACCESS_KEY_ID: "AKIDLOCALTEST",
      AWS_SECRET_ACCESS_KEY: "local-test-secret",
      AWS_REGION: region,
      AWS_ENDPOINT_URL_REDSHIFT: this.url,
      AWS_ENDPOINT_URL_KMS: this.url,
      AWS_ENDPOINT_URL_STS: this.url,
      AWS_EC2_METADATA_DISABLED: "true",
    };
  }

  addCluster(spec: ClusterSpec): void {
    const now = this.clock.now();
    const status = spec.status ?? CLUSTER_STATUS.available;
    this.clusters.set(spec.clusterIdentifier, {
      clusterIdentifier: spec.clusterIdentifier,
      kmsKeyId: spec.kmsKeyId,
      encrypted: spec.encrypted ?? true,
      status,
      busyUntil: status === CLUSTER_STATUS.available ? 0 : now + (spec.busyForMs ?? Infinity),
      rotatingUntil: 0,
      startedRotations: 0,
      completedRotations: 0,
      rotationDurationMs: spec.rotationDurationMs ?? 0,
      accountId: spec.accountId ?? "111122223333",
    });
  }

  removeCluster(clusterIdentifier: string): void {
    this.clusters.delete(clusterIdentifier);
  }

  /** Puts a cluster in a status; a status other than available returns to available after forMs (default: never). */
  setClusterStatus(clusterIdentifier: string, status: string, forMs = Infinity): void {
    const cluster = this.requireCluster(clusterIdentifier);
    cluster.status = status;
    cluster.busyUntil = status === CLUSTER_STATUS.available ? 0 : this.clock.now() + forMs;
    if (status === CLUSTER_STATUS.rotatingKeys) {
      // A rotation someone (or an interrupted run) already started: it completes like any other.
      cluster.startedRotations += 1;
      cluster.rotatingUntil = this.clock.now() + forMs;
    }
  }

  setRotationDuration(clusterIdentifier: string, rotationDurationMs: number): void {
    this.requireCluster(clusterIdentifier).rotationDurationMs = rotationDurationMs;
  }

  /** Changes the key the cluster is encrypted with (what a ModifyCluster KmsKeyId does). */
  setClusterKey(clusterIdentifier: string, kmsKeyId: string): void {
    this.requireCluster(clusterIdentifier).kmsKeyId = kmsKeyId;
  }

  cluster(clusterIdentifier: string): ClusterView {
    const cluster = this.requireCluster(clusterIdentifier);
    this.advanceCluster(cluster);
    const { busyUntil: _busyUntil, rotatingUntil: _rotatingUntil, ...view } = cluster;
    return { ...view };
  }

  addKey(spec: KeySpec): string {
    const keyId = spec.keyArn.split("/").pop() ?? spec.keyArn;
    this.keys.set(spec.keyArn, {
      keyArn: spec.keyArn,
      keyId,
      rotationEnabled: spec.rotationEnabled ?? true,
      rotationPeriodInDays: spec.rotationPeriodInDays ?? 365,
      keySpec: spec.keySpec ?? "SYMMETRIC_DEFAULT",
      keyState: spec.keyState ?? "Enabled",
      onDemandRotationStartDate: undefined,
      rotations: [],
      rotationEnabledAt: Math.floor(this.clock.now() / 1000) * 1000,
      otherAccountListKeyRotationsError: spec.otherAccountListKeyRotationsError,
    });
    return spec.keyArn;
  }

  key(keyArn: string): KeyView {
    const key = this.keys.get(keyArn);
    if (!key) throw new Error(`localAws: no key ${keyArn}`);
    return key;
  }

  /** KMS rotates the key's material now (a new ListKeyRotations entry); ends any on-demand rotation. */
  rotateKeyMaterial(keyArn: string, rotationType: KeyRotationEntry["rotationType"] = "AUTOMATIC"): void {
    const key = this.key(keyArn);
    // Dates go to KMS JSON as epoch seconds: keep them whole-second so round trips compare equal.
    key.rotations.push({ rotationDate: Math.floor(this.clock.now() / 1000) * 1000, rotationType });
    key.onDemandRotationStartDate = undefined;
  }

  /** RotateKeyOnDemand has started and not finished: GetKeyRotationStatus shows OnDemandRotationStartDate. */
  startOnDemandRotation(keyArn: string): void {
    this.key(keyArn).onDemandRotationStartDate = Math.floor(this.clock.now() / 1000) * 1000;
  }

  injectFault(rule: FaultRule): void {
    this.faults.push({ ...rule, remaining: rule.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Called synchronously for every recorded call (after it took effect, before the response is sent). */
  onCall(listener: (call: RecordedCall) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((other) => other !== listener);
    };
  }

  /** The distinct IAM actions called so far, sorted. */
  iamActionsCalled(): string[] {
    return [...new Set(this.calls.map((call) => call.iamAction))].sort();
  }

  /** Forget clusters, keys, faults, calls and listeners (one endpoint can serve many runs). */
  reset(): void {
    this.clusters.clear();
    this.keys.clear();
    this.faults = [];
    this.calls.length = 0;
    this.listeners = [];
    this.rotateCallsWhileRotating = 0;
    this.assumedRoles.length = 0;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** @internal */
  async handle(request: http.IncomingMessage, response: http.ServerResponse, body: string): Promise<void> {
    const target = request.headers["x-amz-target"];
    const accessKeyId = /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ""))?.[1] ?? "";
    if (typeof target === "string" && target.startsWith("TrentService.")) {
      await this.handleKms(target.slice("TrentService.".length), body, accessKeyId, response);
    } else {
      await this.handleRedshift(new URLSearchParams(body), accessKeyId, response);
    }
  }

  private async handleRedshift(
    params: URLSearchParams,
    accessKeyId: string,
    response: http.ServerResponse,
  ): Promise<void> {
    const action = params.get("Action") ?? "";
    const clusterIdentifier = params.get("ClusterIdentifier") ?? undefined;
    // STS speaks the same query protocol; AssumeRole is what a roleArn setting calls first.
    const isSts = action === "AssumeRole";
    const call: RecordedCall = {
      service: isSts ? "sts" : "redshift",
      action,
      iamAction: `${isSts ? "sts" : "redshift"}:${action}`,
      at: this.clock.now(),
      accessKeyId,
      outcome: "ok",
      clusterIdentifier,
    };
    const requestId = this.nextRequestId();
    const apply = (): { status: number; xml: string } => {
      if (action === "DescribeClusters") return this.describeClusters(clusterIdentifier, requestId);
      if (action === "RotateEncryptionKey") return this.rotateEncryptionKey(clusterIdentifier, requestId);
      if (isSts) return this.assumeRole(params, requestId);
      return redshiftError(400, "InvalidAction", `localAws does not implement ${action}`, requestId);
    };
    await this.respond(
      call,
      response,
      apply,
      (fault) => {
        if (fault.kind === "error") {
          const known = (REDSHIFT_ERRORS as Record<string, { httpStatus: number }>)[fault.code];
          return redshiftError(
            fault.httpStatus ?? known?.httpStatus ?? 400,
            fault.code,
            fault.message ?? `injected ${fault.code}`,
            requestId,
          );
        }
        if (fault.kind === "throttle") return redshiftError(400, "Throttling", "Rate exceeded", requestId);
        const status = fault.kind === "serverError" ? (fault.httpStatus ?? 500) : 500;
        return redshiftError(
          status,
          status === 503 ? "ServiceUnavailable" : "InternalFailure",
          "injected server error",
          requestId,
        );
      },
      (result) => ({ status: result.status, contentType: "text/xml", body: result.xml }),
    );
  }

  private async handleKms(
    action: string,
    body: string,
    accessKeyId: string,
    response: http.ServerResponse,
  ): Promise<void> {
    let input: Record<string, unknown> = {};
    try {
      input = JSON.parse(body || "{}") as Record<string, unknown>;
    } catch {
      input = {};
    }
    const keyId = typeof input.KeyId === "string" ? input.KeyId : undefined;
    const call: RecordedCall = {
      service: "kms",
      action,
      iamAction: `kms:${action}`,
      at: this.clock.now(),
      accessKeyId,
      outcome: "ok",
      keyId,
    };
    const apply = (): { status: number; json: unknown } => this.kmsAction(action, input);
    await this.respond(
      call,
      response,
      apply,
      (fault) => {
        if (fault.kind === "error") {
          const known = (KMS_ERRORS as Record<string, { httpStatus: number }>)[fault.code];
          return kmsError(
            fault.httpStatus ?? known?.httpStatus ?? 400,
            fault.code,
            fault.message ?? `injected ${fault.code}`,
          );
        }
        if (fault.kind === "throttle") return kmsError(400, "ThrottlingException", "Rate exceeded");
        const status = fault.kind === "serverError" ? (fault.httpStatus ?? 500) : 500;
        return kmsError(
          status,
          status === 500 ? "KMSInternalException" : "ServiceUnavailableException",
          "injected server error",
        );
      },
      (result) => ({
        status: result.status,
        contentType: "application/x-amz-json-1.1",
        body: JSON.stringify(result.json),
      }),
    );
  }

  /** Applies faults, records the call, sends the response. */
  private async respond<Result extends { status: number }>(
    call: RecordedCall,
    response: http.ServerResponse,
    apply: () => Result,
    faultResult: (fault: Fault) => Result,
    render: (result: Result) => { status: number; contentType: string; body: string },
  ): Promise<void> {
    const rule = this.faults.find(
      (candidate) => candidate.remaining > 0 && (!candidate.action || candidate.action === call.action),
    );
    if (rule) rule.remaining -= 1;
    const fault = rule?.fault;
    let result: Result | undefined;
    if (!fault || fault.kind === "delay" || ((fault.kind === "reset" || fault.kind === "hang") && fault.afterApply)) {
      result = apply();
      call.outcome = result.status >= 300 ? `error:${errorCodeOf(result)}` : "ok";
    } else if (fault.kind === "error" || fault.kind === "throttle" || fault.kind === "serverError") {
      result = faultResult(fault);
      call.outcome = `error:${errorCodeOf(result)}`;
    }
    if (fault && fault.kind !== "error" && fault.kind !== "throttle" && fault.kind !== "serverError")
      call.outcome = `fault:${fault.kind}`;
    this.calls.push(call);
    for (const listener of this.listeners) listener(call);
    if (fault?.kind === "reset") {
      response.socket?.destroy();
      return;
    }
    if (fault?.kind === "hang") return; // the socket stays open until the client gives up or stop() destroys it
    if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (!result) return;
    const rendered = render(result);
    response.writeHead(rendered.status, {
      "content-type": rendered.contentType,
      "x-amzn-requestid": this.nextRequestId(),
    });
    response.end(rendered.body);
  }

  private describeClusters(clusterIdentifier: string | undefined, requestId: string): { status: number; xml: string } {
    const clusters =
      clusterIdentifier === undefined ? [...this.clusters.values()] : [this.clusters.get(clusterIdentifier)];
    if (clusters.some((cluster) => cluster === undefined)) {
      return redshiftError(404, "ClusterNotFound", `Cluster ${clusterIdentifier} not found.`, requestId);
    }
    const members = (clusters as ClusterModel[]).map((cluster) => clusterXml(this.advanceCluster(cluster))).join("");
    return {
      status: 200,
      xml: `<DescribeClustersResponse xmlns="${XML_NAMESPACE}"><DescribeClustersResult><Clusters>${members}</Clusters></DescribeClustersResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></DescribeClustersResponse>`,
    };
  }

  private rotateEncryptionKey(
    clusterIdentifier: string | undefined,
    requestId: string,
  ): { status: number; xml: string } {
    const cluster = clusterIdentifier === undefined ? undefined : this.clusters.get(clusterIdentifier);
    if (!cluster) return redshiftError(404, "ClusterNotFound", `Cluster ${clusterIdentifier} not found.`, requestId);
    this.advanceCluster(cluster);
    if (cluster.status === CLUSTER_STATUS.rotatingKeys) this.rotateCallsWhileRotating += 1;
    if (cluster.status !== CLUSTER_STATUS.available) {
      return redshiftError(
        400,
        "InvalidClusterState",
        `The cluster ${cluster.clusterIdentifier} is in ${cluster.status} state.`,
        requestId,
      );
    }
    if (!cluster.encrypted) {
      return redshiftError(
        400,
        "InvalidClusterState",
        `The cluster ${cluster.clusterIdentifier} is not encrypted.`,
        requestId,
      );
    }
    cluster.status = CLUSTER_STATUS.rotatingKeys;
    cluster.startedRotations += 1;
    cluster.rotatingUntil = this.clock.now() + cluster.rotationDurationMs;
    return {
      status: 200,
      xml: `<RotateEncryptionKeyResponse xmlns="${XML_NAMESPACE}"><RotateEncryptionKeyResult>${clusterXml(cluster)}</RotateEncryptionKeyResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></RotateEncryptionKeyResponse>`,
    };
  }

  /** Temporary credentials whose access key id names the role, so tests can see which calls used them. */
  private assumeRole(params: URLSearchParams, requestId: string): { status: number; xml: string } {
    const roleArn = params.get("RoleArn") ?? "";
    const roleName = roleArn.split("/").pop() ?? "role";
    this.assumedRoles.push(roleArn);
    // Expiration in wall-clock time: the SDK compares it with the real clock, whatever clock this endpoint keeps.
    const expiration = new Date(Date.now() + 3_600_000).toISOString();
    const namespace = "https://sts.amazonaws.com/doc/2011-06-15/";
    return {
      status: 200,
      xml:
        `<AssumeRoleResponse xmlns="${namespace}"><AssumeRoleResult><Credentials>` +
        `<AccessKeyId>${escapeXml(assumedRoleAccessKeyId(roleArn))}</AccessKeyId><SecretAccessKey>local-assumed-secret</SecretAccessKey>` +
        `<SessionToken>local-session-token</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        `<AssumedRoleUser><Arn>${escapeXml(roleArn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/"))}/${escapeXml(params.get("RoleSessionName") ?? "session")}</Arn>` +
        `<AssumedRoleId>AROALOCAL:${escapeXml(roleName)}</AssumedRoleId></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    };
  }

  private kmsAction(action: string, input: Record<string, unknown>): { status: number; json: unknown } {
    if (action !== "GetKeyRotationStatus" && action !== "ListKeyRotations" && action !== "DescribeKey") {
      return kmsError(400, "UnknownOperationException", `localAws does not implement ${action}`);
    }
    const keyId = input.KeyId;
    if (typeof keyId !== "string" || keyId.length < 1 || keyId.length > 2048) {
      return kmsError(400, "ValidationException", "KeyId must have length 1..2048");
    }
    if (keyId.startsWith("arn:") && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/.test(keyId)) {
      return kmsError(400, "InvalidArnException", `${keyId} is not a valid ARN.`);
    }
    const key = this.keys.get(keyId) ?? [...this.keys.values()].find((candidate) => candidate.keyId === keyId);
    if (!key) return kmsError(400, "NotFoundException", `Key '${keyId}' does not exist`);
    if (action === "DescribeKey") {
      return {
        status: 200,
        json: { KeyMetadata: { KeyId: key.keyId, Arn: key.keyArn, KeySpec: key.keySpec, KeyState: key.keyState } },
      };
    }
    if (key.keyState === "PendingDeletion" || key.keyState === "Disabled" || key.keyState === "PendingImport") {
      return kmsError(400, "KMSInvalidStateException", `${key.keyArn} is ${key.keyState}`);
    }
    if (key.keySpec !== "SYMMETRIC_DEFAULT") {
      return kmsError(
        400,
        "UnsupportedOperationException",
        `${key.keyArn} key spec ${key.keySpec} does not support rotation`,
      );
    }
    if (action === "GetKeyRotationStatus") {
      // As KMS schedules it: one period after the last automatic rotation (or after rotation was
      // turned on); on-demand rotations do not move the automatic schedule.
      const automaticRotations = key.rotations
        .filter((rotation) => rotation.rotationType === "AUTOMATIC")
        .map((rotation) => rotation.rotationDate);
      const scheduleStart = Math.max(key.rotationEnabledAt, ...automaticRotations);
      const json: Record<string, unknown> = { KeyId: key.keyArn, KeyRotationEnabled: key.rotationEnabled };
      if (key.rotationEnabled) {
        json.RotationPeriodInDays = key.rotationPeriodInDays;
        json.NextRotationDate = (scheduleStart + key.rotationPeriodInDays * DAY_MS) / 1000;
      }
      if (key.onDemandRotationStartDate !== undefined)
        json.OnDemandRotationStartDate = key.onDemandRotationStartDate / 1000;
      return { status: 200, json };
    }
    if (key.otherAccountListKeyRotationsError) {
      return kmsError(
        400,
        key.otherAccountListKeyRotationsError,
        `ListKeyRotations cannot be used on ${key.keyArn}, a key in another account`,
      );
    }
    const limit = typeof input.Limit === "number" ? input.Limit : 100;
    const start = typeof input.Marker === "string" ? Number(input.Marker) : 0;
    if (!Number.isInteger(start) || start < 0 || start > key.rotations.length) {
      return kmsError(400, "InvalidMarkerException", "The marker is not valid");
    }
    const page = key.rotations.slice(start, start + limit);
    const truncated = start + limit < key.rotations.length;
    return {
      status: 200,
      json: {
        Rotations: page.map((rotation) => ({
          KeyId: key.keyArn,
          RotationDate: rotation.rotationDate / 1000,
          RotationType: rotation.rotationType,
        })),
        Truncated: truncated,
        ...(truncated ? { NextMarker: String(start + limit) } : {}),
      },
    };
  }

  /** Moves a cluster along its timeline: a finished rotation or busy period returns it to available. */
  private advanceCluster(cluster: ClusterModel): ClusterModel {
    const now = this.clock.now();
    if (cluster.status === CLUSTER_STATUS.rotatingKeys && now >= cluster.rotatingUntil) {
      cluster.status = CLUSTER_STATUS.available;
      cluster.completedRotations += 1;
    } else if (
      cluster.status !== CLUSTER_STATUS.available &&
      cluster.status !== CLUSTER_STATUS.rotatingKeys &&
      now >= cluster.busyUntil
    ) {
      cluster.status = CLUSTER_STATUS.available;
    }
    return cluster;
  }

  private requireCluster(clusterIdentifier: string): ClusterModel {
    const cluster = this.clusters.get(clusterIdentifier);
    if (!cluster) throw new Error(`localAws: no cluster ${clusterIdentifier}`);
    return cluster;
  }

  private nextRequestId(): string {
    this.requestCounter += 1;
    return `00000000-0000-4000-8000-${this.requestCounter.toString().padStart(12, "0")}`;
  }
}

export async function startLocalAws(options: { clock?: Clock } = {}): Promise<LocalAws> {
  const sockets = new Set<Socket>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      localAws.handle(request, response, Buffer.concat(chunks).toString("utf8")).catch((error: unknown) => {
        response.writeHead(500, { "content-type": "text/plain" });
        response.end(String(error));
      });
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const localAws = new LocalAws(server, sockets, options.clock ?? { now: () => Date.now() });
  return localAws;
}

/** The access key id the endpoint hands out for a role (ASIA... like AWS's temporary keys). */
export function assumedRoleAccessKeyId(roleArn: string): string {
  return `ASIALOCAL${(roleArn.split("/").pop() ?? "ROLE").toUpperCase().replace(/[^A-Z0-9]/g, "")}`.slice(0, 32);
}

function clusterXml(cluster: ClusterModel): string {
  const availability = cluster.status === CLUSTER_STATUS.available ? "Available" : "Modifying";
  return (
    `<Cluster><ClusterIdentifier>${escapeXml(cluster.clusterIdentifier)}</ClusterIdentifier>` +
    `<ClusterStatus>${escapeXml(cluster.status)}</ClusterStatus>` +
    `<ClusterAvailabilityStatus>${availability}</ClusterAvailabilityStatus>` +
    `<NodeType>ra3.xlplus</NodeType><NumberOfNodes>2</NumberOfNodes>` +
    `<ClusterCreateTime>2026-01-01T00:00:00.000Z</ClusterCreateTime>` +
    `<Encrypted>${cluster.encrypted}</Encrypted>` +
    `<ClusterNamespaceArn>arn:aws:redshift:us-east-1:${escapeXml(cluster.accountId)}:namespace:${escapeXml(cluster.clusterIdentifier)}</ClusterNamespaceArn>` +
    (cluster.kmsKeyId ? `<KmsKeyId>${escapeXml(cluster.kmsKeyId)}</KmsKeyId>` : "") +
    `</Cluster>`
  );
}

function redshiftError(
  status: number,
  code: string,
  message: string,
  requestId: string,
): { status: number; xml: string } {
  const type = status >= 500 ? "Receiver" : "Sender";
  return {
    status,
    xml: `<ErrorResponse xmlns="${XML_NAMESPACE}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

function kmsError(status: number, type: string, message: string): { status: number; json: unknown } {
  return { status, json: { __type: type, message } };
}

function errorCodeOf(result: { status: number; xml?: string; json?: unknown }): string {
  if ("xml" in result && typeof result.xml === "string")
    return /<Code>([^<]*)<\/Code>/.exec(result.xml)?.[1] ?? "Unknown";
  const json = (result as { json?: { __type?: string } }).json;
  return json?.__type ?? "Unknown";
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
