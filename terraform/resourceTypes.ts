/**
 * Which Pulumi type token each Terraform resource type keyguard judges becomes. Pulumi's AWS
 * provider is bridged from Terraform's (hashicorp/aws), so each of these is the same resource
 * under two names.
 *
 * Source: pulumi/pulumi-aws `provider/cmd/pulumi-resource-aws/bridge-metadata.json` ("renames" →
 * "resources": token → Terraform type) and `provider/resources.go`; the tokens are the ones
 * @pulumi/aws 7 registers (kms/key.d.ts `__pulumiType`, …).
 */
import { RESOURCE_TYPES } from "../facts";

export const TERRAFORM_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  aws_kms_key: RESOURCE_TYPES.kmsKey,
  aws_kms_alias: RESOURCE_TYPES.kmsAlias,
  aws_kms_replica_key: RESOURCE_TYPES.kmsReplicaKey,
  aws_kms_external_key: RESOURCE_TYPES.kmsExternalKey,
  aws_kms_replica_external_key: RESOURCE_TYPES.kmsReplicaExternalKey,
  aws_redshift_cluster: RESOURCE_TYPES.redshiftCluster,
  aws_redshiftserverless_namespace: RESOURCE_TYPES.redshiftServerlessNamespace,
};

/**
 * The type token a Terraform resource is judged under: the bridged Pulumi token for the types
 * above; any other type keeps its Terraform name, which no policy judges (the pack reports it
 * "not applicable", as it does for a Pulumi program's other resources).
 */
export function pulumiTypeOf(terraformType: string): string {
  return Object.prototype.hasOwnProperty.call(TERRAFORM_RESOURCE_TYPES, terraformType)
    ? TERRAFORM_RESOURCE_TYPES[terraformType]
    : terraformType;
}

/** True when keyguard knows the Terraform type's attributes (the bridged types above). */
export function isMappedTerraformType(terraformType: string): boolean {
  return Object.prototype.hasOwnProperty.call(TERRAFORM_RESOURCE_TYPES, terraformType);
}
