/**
 * RedshiftKeyRotation: re-keys an encrypted Amazon Redshift cluster (Redshift `RotateEncryptionKey`)
 * when its KMS key changes, when `triggers` change, or (with `followKeyMaterialRotations`) after KMS
 * rotates the key's material. Deleting it only removes it from the stack: nothing in AWS is deleted.
 */
import * as pulumi from "@pulumi/pulumi";
import { REDSHIFT_KEY_ROTATION_MODULE, REDSHIFT_KEY_ROTATION_TYPE } from "../../facts";
import { redshiftKeyRotationProvider } from "./provider";

export interface RedshiftKeyRotationArgs {
  /** The Redshift cluster to re-key (it must exist and be encrypted). Changing it replaces the resource. */
  clusterIdentifier: pulumi.Input<string>;
  /** The ARN of the KMS key the cluster is encrypted with. A change re-keys the cluster. */
  kmsKeyId: pulumi.Input<string>;
  /** AWS region of the cluster and key. Default: the AWS SDK's own (AWS_REGION, the profile's region). */
  region?: pulumi.Input<string>;
  /** Free-form values; any change re-keys the cluster. Default: none. */
  triggers?: pulumi.Input<Record<string, pulumi.Input<string | number | boolean>>>;
  /** Re-key on the next `pulumi up` after KMS rotates the key's material. Default: true. */
  followKeyMaterialRotations?: pulumi.Input<boolean>;
  /** How long create/update may wait for the cluster, in minutes (the engine's customTimeouts do not reach dynamic providers). Default: 60. */
  timeoutMinutes?: pulumi.Input<number>;
  /** Shared-config profile for credentials. Default: the AWS SDK's default chain (AWS_PROFILE, environment, ...). */
  profile?: pulumi.Input<string>;
  /** IAM role to assume for the calls (STS AssumeRole). Default: none. */
  roleArn?: pulumi.Input<string>;
  /** Redshift endpoint URL (LocalStack-style testing). Default: AWS_ENDPOINT_URL_REDSHIFT or the regional endpoint. */
  redshiftEndpoint?: pulumi.Input<string>;
  /** KMS endpoint URL. Default: AWS_ENDPOINT_URL_KMS or the regional endpoint. */
  kmsEndpoint?: pulumi.Input<string>;
}

export class RedshiftKeyRotation extends pulumi.dynamic.Resource {
  // `declare`: Pulumi sets these outputs inside super(); a class field (define semantics, the
  // default from ES2022 and in esbuild) would reset them to undefined right after.
  declare public readonly clusterIdentifier: pulumi.Output<string>;
  declare public readonly kmsKeyId: pulumi.Output<string>;
  /** The region input as given (undefined when the SDK's default was used). */
  declare public readonly region: pulumi.Output<string | undefined>;
  /** The region the calls went to: the region input, or the SDK's default (AWS_REGION, the profile's). */
  declare public readonly resolvedRegion: pulumi.Output<string>;
  declare public readonly triggers: pulumi.Output<Record<string, string | number | boolean> | undefined>;
  declare public readonly followKeyMaterialRotations: pulumi.Output<boolean>;
  declare public readonly timeoutMinutes: pulumi.Output<number>;
  /** When the last re-key finished (ISO 8601); undefined until the cluster has been re-keyed by this resource. */
  declare public readonly lastRotatedAt: pulumi.Output<string | undefined>;
  /** How many re-keys this resource has completed. */
  declare public readonly rotationCount: pulumi.Output<number>;
  /** KMS GetKeyRotationStatus KeyRotationEnabled, as last read. */
  declare public readonly keyRotationEnabled: pulumi.Output<boolean>;
  /** KMS RotationPeriodInDays, as last read. */
  declare public readonly rotationPeriodInDays: pulumi.Output<number | undefined>;
  /** KMS NextRotationDate (ISO 8601), as last read. */
  declare public readonly nextRotationDate: pulumi.Output<string | undefined>;
  /** KMS OnDemandRotationStartDate (ISO 8601): set while an on-demand rotation was in progress at the last read. */
  declare public readonly onDemandRotationStartDate: pulumi.Output<string | undefined>;
  /**
   * RotationDate of the newest ListKeyRotations entry (ISO 8601) the cluster's keys account for; for a
   * key in another account than the cluster's (ListKeyRotations has no cross-account use), the start
   * of its current automatic-rotation period (NextRotationDate - RotationPeriodInDays).
   */
  declare public readonly latestKeyMaterialRotationDate: pulumi.Output<string | undefined>;

  constructor(name: string, args: RedshiftKeyRotationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      redshiftKeyRotationProvider,
      name,
      {
        ...args,
        resolvedRegion: undefined,
        lastRotatedAt: undefined,
        rotationCount: undefined,
        keyRotationEnabled: undefined,
        rotationPeriodInDays: undefined,
        nextRotationDate: undefined,
        onDemandRotationStartDate: undefined,
        latestKeyMaterialRotationDate: undefined,
      },
      opts,
      REDSHIFT_KEY_ROTATION_MODULE,
      REDSHIFT_KEY_ROTATION_TYPE,
    );
  }
}
