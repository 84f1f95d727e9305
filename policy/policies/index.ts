/** Every keyguard policy, in the order the pack serves them. Importing this starts no server. */
import { kmsKeyRotationEnabled } from "./kms-key-rotation-enabled";
import { kmsKeyRotationPeriod } from "./kms-key-rotation-period";
import { redshiftClusterEncrypted } from "./redshift-cluster-encrypted";
import { redshiftClusterExternalKey } from "./redshift-cluster-external-key";
import { redshiftClusterKeyRotated } from "./redshift-cluster-key-rotated";
import { redshiftClusterRotationOnKeyChange } from "./redshift-cluster-rotation-on-key-change";

/** The pack's name (policy/index.ts): the gate trusts this code's view of its own policies only for this pack. */
export const KEYGUARD_PACK_NAME = "keyguard";

export const keyguardPolicies = [
  kmsKeyRotationEnabled,
  kmsKeyRotationPeriod,
  redshiftClusterEncrypted,
  redshiftClusterKeyRotated,
  redshiftClusterExternalKey,
  redshiftClusterRotationOnKeyChange,
];
