/**
 * Stack-export documents shaped exactly as `pulumi stack export` writes them (version-3
 * deployment: manifest, secrets provider, the stack, the default aws provider, then resources with
 * inputs, outputs, parent, provider reference, dependencies and property dependencies; secrets as
 * ciphertext or, with --show-secrets, plaintext JSON).
 */
import { RESOURCE_TYPES, SECRET_SIGNATURE, SPECIAL_SIGNATURE_KEY } from "../../facts";

export const ACCOUNT = "111122223333";
export const REGION = "eu-west-1";

export interface ExportOptions {
  /** The key as deployed: rotation on/off, period, spec. */
  enableKeyRotation?: boolean;
  rotationPeriodInDays?: number;
  clusterIdentifier?: string;
  keyId?: string;
  /** The master password as state holds it: encrypted (default) or plaintext (--show-secrets). */
  passwordInState?: "ciphertext" | { plaintext: string };
  /** Include a RedshiftKeyRotation bound to the cluster (as EncryptedRedshiftCluster does). */
  withKeyRotation?: boolean;
}

export function keyArnOf(keyId: string): string {
  return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`;
}

export function stackExport(options: ExportOptions = {}): Record<string, unknown> {
  const stackUrn = "urn:pulumi:prod::warehouse::pulumi:pulumi:Stack::warehouse-prod";
  const providerUrn = "urn:pulumi:prod::warehouse::pulumi:providers:aws::default_7_48_0";
  const providerId = "4b2a0f5e-1c7d-4a4e-9f65-8d2e7c3b1a90";
  const provider = `${providerUrn}::${providerId}`;
  const componentUrn = "urn:pulumi:prod::warehouse::keyguard:redshift:EncryptedCluster::warehouse";
  const keyUrn = "urn:pulumi:prod::warehouse::keyguard:redshift:EncryptedCluster$aws:kms/key:Key::warehouse-key";
  const aliasUrn =
    "urn:pulumi:prod::warehouse::keyguard:redshift:EncryptedCluster$aws:kms/alias:Alias::warehouse-alias";
  const clusterUrn =
    "urn:pulumi:prod::warehouse::keyguard:redshift:EncryptedCluster$aws:redshift/cluster:Cluster::warehouse-cluster";
  const rotationUrn = `urn:pulumi:prod::warehouse::keyguard:redshift:EncryptedCluster$${RESOURCE_TYPES.redshiftKeyRotation}::warehouse-rotation`;
  const keyId = options.keyId ?? "1234abcd-12ab-34cd-56ef-1234567890ab";
  const keyArn = keyArnOf(keyId);
  const clusterIdentifier = options.clusterIdentifier ?? "warehouse-prod";
  const enableKeyRotation = options.enableKeyRotation ?? true;
  const rotationPeriodInDays = options.rotationPeriodInDays ?? 180;
  const password =
    options.passwordInState === undefined || options.passwordInState === "ciphertext"
      ? {
          [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE,
          ciphertext: "v1:q1X0cHcvV2p3bWc9:7yqgk3m4QWJ0c2VjcmV0Y2lwaGVydGV4dA==",
        }
      : { [SPECIAL_SIGNATURE_KEY]: SECRET_SIGNATURE, plaintext: JSON.stringify(options.passwordInState.plaintext) };
  const created = "2026-03-02T09:14:27.118Z";
  const keyInputs = {
    __defaults: ["bypassPolicyLockoutSafetyCheck", "customerMasterKeySpec", "isEnabled", "keyUsage"],
    bypassPolicyLockoutSafetyCheck: false,
    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
    deletionWindowInDays: 30,
    description: "Redshift cluster warehouse-prod",
    enableKeyRotation,
    isEnabled: true,
    keyUsage: "ENCRYPT_DECRYPT",
    rotationPeriodInDays,
  };
  const resources: Record<string, unknown>[] = [
    {
      urn: stackUrn,
      custom: false,
      type: RESOURCE_TYPES.pulumiStack,
      outputs: { clusterIdentifier, keyArn },
      created,
      modified: created,
    },
    {
      urn: providerUrn,
      custom: true,
      id: providerId,
      type: "pulumi:providers:aws",
      inputs: {
        __internal: { pluginDownloadURL: "" },
        region: REGION,
        skipCredentialsValidation: "false",
        skipRegionValidation: "true",
        version: "7.48.0",
      },
      outputs: { region: REGION, skipCredentialsValidation: "false", skipRegionValidation: "true", version: "7.48.0" },
      created,
      modified: created,
    },
    {
      urn: componentUrn,
      custom: false,
      type: RESOURCE_TYPES.encryptedRedshiftCluster,
      parent: stackUrn,
      outputs: { clusterIdentifier, keyArn },
      created,
      modified: created,
    },
    {
      urn: keyUrn,
      custom: true,
      id: keyId,
      type: RESOURCE_TYPES.kmsKey,
      inputs: keyInputs,
      outputs: {
        ...keyInputs,
        __defaults: undefined,
        arn: keyArn,
        customKeyStoreId: "",
        id: keyId,
        keyId,
        multiRegion: false,
        policy: '{"Statement":[],"Version":"2012-10-17"}',
        tags: {},
        tagsAll: {},
        xksKeyId: "",
      },
      parent: componentUrn,
      provider,
      propertyDependencies: {
        deletionWindowInDays: [],
        description: [],
        enableKeyRotation: [],
        rotationPeriodInDays: [],
      },
      created,
      modified: created,
    },
    {
      urn: aliasUrn,
      custom: true,
      id: "alias/warehouse-prod",
      type: RESOURCE_TYPES.kmsAlias,
      inputs: { __defaults: [], name: "alias/warehouse-prod", targetKeyId: keyArn },
      outputs: {
        arn: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/warehouse-prod`,
        id: "alias/warehouse-prod",
        name: "alias/warehouse-prod",
        targetKeyArn: keyArn,
        targetKeyId: keyArn,
      },
      parent: componentUrn,
      dependencies: [keyUrn],
      provider,
      propertyDependencies: { name: [], targetKeyId: [keyUrn] },
      created,
      modified: created,
    },
    {
      urn: clusterUrn,
      custom: true,
      id: clusterIdentifier,
      type: RESOURCE_TYPES.redshiftCluster,
      inputs: {
        __defaults: [],
        clusterIdentifier,
        encrypted: "true",
        kmsKeyId: keyArn,
        masterPassword: password,
        masterUsername: "warehouse_admin",
        nodeType: "ra3.large",
        publiclyAccessible: false,
      },
      outputs: {
        arn: `arn:aws:redshift:${REGION}:${ACCOUNT}:cluster:${clusterIdentifier}`,
        clusterIdentifier,
        encrypted: "true",
        endpoint: `${clusterIdentifier}.abc123.${REGION}.redshift.amazonaws.com:5439`,
        enhancedVpcRouting: true,
        id: clusterIdentifier,
        kmsKeyId: keyArn,
        masterPassword: password,
        masterUsername: "warehouse_admin",
        nodeType: "ra3.large",
        publiclyAccessible: false,
      },
      parent: componentUrn,
      dependencies: [keyUrn],
      provider,
      propertyDependencies: {
        clusterIdentifier: [],
        encrypted: [],
        kmsKeyId: [keyUrn],
        masterPassword: [],
        masterUsername: [],
        nodeType: [],
      },
      additionalSecretOutputs: ["masterPassword"],
      created,
      modified: created,
    },
  ];
  if (options.withKeyRotation !== false) {
    resources.push({
      urn: rotationUrn,
      custom: true,
      id: `${clusterIdentifier}-rotation`,
      type: RESOURCE_TYPES.redshiftKeyRotation,
      inputs: { __provider: "exports.handler = __f0; ...", clusterIdentifier, kmsKeyId: keyArn, region: REGION },
      outputs: {
        __provider: "exports.handler = __f0; ...",
        clusterIdentifier,
        kmsKeyId: keyArn,
        region: REGION,
        rotationCount: 0,
      },
      parent: componentUrn,
      dependencies: [clusterUrn, keyUrn],
      propertyDependencies: { clusterIdentifier: [clusterUrn], kmsKeyId: [keyUrn], region: [] },
      created,
      modified: created,
    });
  }
  return {
    version: 3,
    deployment: {
      manifest: {
        time: "2026-03-02T09:20:11.402Z",
        magic: "3f3d1c1e0a8a5b9e3f3d1c1e0a8a5b9e3f3d1c1e0a8a5b9e3f3d1c1e0a8a5b9e",
        version: "v3.210.0",
      },
      secrets_providers: {
        type: "passphrase",
        state: { salt: "v1:AAAAAAAAAAA=:v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAA" },
      },
      resources,
    },
  };
}
