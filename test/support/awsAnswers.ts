/**
 * What AWS would answer to the component's resources and invokes, in one place for the tests that
 * play the engine (Pulumi's mocks in test/component/mockCloud.ts, the fake engine monitor in
 * test/support/componentPackageHost.ts): computed ARNs, key ids and endpoints, the account, the region.
 */
export const ACCOUNT_ID = "111122223333";
export const PROVIDER_REGION = "eu-west-1";

type Properties = Record<string, unknown>;

/** The outputs AWS computes for a resource of `type` named `name` (on top of its inputs). */
export function computedOutputs(type: string, name: string, inputs: Properties): Properties {
  const region = (inputs.region as string | undefined) ?? PROVIDER_REGION;
  switch (type) {
    case "aws:kms/key:Key":
      return { keyId: `key-${name}`, arn: `arn:aws:kms:${region}:${ACCOUNT_ID}:key/key-${name}` };
    case "aws:kms/alias:Alias":
      return { arn: `arn:aws:kms:${region}:${ACCOUNT_ID}:${inputs.name}` };
    case "aws:redshift/cluster:Cluster":
      return { endpoint: `${inputs.clusterIdentifier}.abc123.${region}.redshift.amazonaws.com:5439` };
    default:
      return {};
  }
}

/** The answer to an invoke the component makes; throws for any other. */
export function invokeResult(token: string, args: Properties): Properties {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: ACCOUNT_ID,
        arn: `arn:aws:iam::${ACCOUNT_ID}:user/deployer`,
        userId: "AIDEXAMPLE",
        id: ACCOUNT_ID,
      };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
    case "aws:index/getRegion:getRegion": {
      const region = (args.region as string | undefined) ?? PROVIDER_REGION;
      return { region, name: region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
    }
    default:
      throw new Error(`unexpected invoke ${token}`);
  }
}
