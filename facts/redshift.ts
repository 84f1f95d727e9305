/**
 * What Amazon Redshift's documentation says, written once.
 *
 * Sources: Redshift API reference (2012-12-01) for CreateCluster, DescribeClusters and
 * RotateEncryptionKey; "Amazon Redshift database encryption" in the Management Guide.
 */
import { describeValue } from "../messages/describe";

/** CreateCluster ClusterIdentifier: 1..63 characters. */
export const MAX_CLUSTER_IDENTIFIER_LENGTH = 63;

/**
 * Why a cluster identifier breaks Redshift's rules, or undefined when it follows them:
 * 1 to 63 lowercase letters, digits or hyphens; starts with a letter; no two consecutive
 * hyphens; does not end with a hyphen.
 */
export function clusterIdentifierProblem(clusterIdentifier: unknown): string | undefined {
  const allowed =
    "Redshift allows 1 to 63 lowercase letters, digits or hyphens, starting with a letter, with no two consecutive hyphens and no hyphen at the end";
  if (typeof clusterIdentifier !== "string") return `got ${describeValue(clusterIdentifier)}; ${allowed}`;
  const got = `got ${describeValue(clusterIdentifier)}`;
  if (clusterIdentifier.length < 1 || clusterIdentifier.length > MAX_CLUSTER_IDENTIFIER_LENGTH) {
    return `${got} (${clusterIdentifier.length} characters); ${allowed}`;
  }
  if (!/^[a-z]/.test(clusterIdentifier)) return `${got}: it must start with a lowercase letter; ${allowed}`;
  if (!/^[a-z0-9-]+$/.test(clusterIdentifier))
    return `${got}: it has characters other than lowercase letters, digits and hyphens; ${allowed}`;
  if (clusterIdentifier.includes("--")) return `${got}: it has two consecutive hyphens; ${allowed}`;
  if (clusterIdentifier.endsWith("-")) return `${got}: it ends with a hyphen; ${allowed}`;
  return undefined;
}

/** CreateCluster MasterUsername: 1..128 characters. */
export const MAX_MASTER_USERNAME_LENGTH = 128;

/**
 * CreateCluster requires MasterUsername (RestoreFromClusterSnapshot takes the snapshot's); the
 * Redshift console proposes "awsuser". @pulumi/aws (terraform-provider-aws) only finds out it is
 * missing when it creates the cluster, after everything before it was created.
 */
export const DEFAULT_MASTER_USERNAME = "awsuser";

/**
 * Why a master username is rejected by Redshift, or undefined when it is accepted:
 * 1 to 128 characters; lowercase letters, digits, underscore, plus, period, at sign or hyphen;
 * starts with a letter; not PUBLIC; not a reserved word (the common ones are checked here).
 */
export function masterUsernameProblem(masterUsername: unknown): string | undefined {
  const allowed =
    "Redshift allows 1 to 128 lowercase letters, digits, '_', '+', '.', '@' or '-', starting with a letter, not PUBLIC and not a reserved word";
  if (typeof masterUsername !== "string") return `got ${describeValue(masterUsername)}; ${allowed}`;
  const got = `got ${describeValue(masterUsername)}`;
  if (masterUsername.length < 1 || masterUsername.length > MAX_MASTER_USERNAME_LENGTH) return `${got}; ${allowed}`;
  if (!/^[a-z]/.test(masterUsername)) return `${got}: it must start with a lowercase letter; ${allowed}`;
  if (!/^[a-z0-9_+.@-]+$/.test(masterUsername))
    return `${got}: it has a character Redshift does not accept; ${allowed}`;
  if (REDSHIFT_RESERVED_WORDS.has(masterUsername.toUpperCase())) return `${got}: it is a reserved word; ${allowed}`;
  return undefined;
}

/**
 * Redshift's reserved words (Database Developer Guide, "Reserved words"), PUBLIC included.
 * A master username may not be one of them.
 */
export const REDSHIFT_RESERVED_WORDS: ReadonlySet<string> = new Set(
  (
    "AES128 AES256 ALL ALLOWOVERWRITE ANALYSE ANALYZE AND ANY ARRAY AS ASC AUTHORIZATION AZ64 BACKUP BETWEEN " +
    "BINARY BLANKSASNULL BOTH BYTEDICT BZIP2 CASE CAST CHECK COLLATE COLUMN CONSTRAINT CREATE CREDENTIALS " +
    "CROSS CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURRENT_USER_ID DEFAULT DEFERRABLE " +
    "DEFLATE DEFRAG DELTA DELTA32K DESC DISABLE DISTINCT DO ELSE EMPTYASNULL ENABLE ENCODE ENCRYPT " +
    "ENCRYPTION END EXCEPT EXPLICIT FALSE FOR FOREIGN FREEZE FROM FULL GLOBALDICT256 GLOBALDICT64K GRANT " +
    "GROUP GZIP HAVING IDENTITY IGNORE ILIKE IN INITIALLY INNER INTERSECT INTERVAL INTO IS ISNULL JOIN " +
    "LANGUAGE LEADING LEFT LIKE LIMIT LOCALTIME LOCALTIMESTAMP LUN LUNS LZO LZOP MINUS MOSTLY16 MOSTLY32 " +
    "MOSTLY8 NATURAL NEW NOT NOTNULL NULL NULLS OFF OFFLINE OFFSET OID OLD ON ONLY OPEN OR ORDER OUTER " +
    "OVERLAPS PARALLEL PARTITION PERCENT PERMISSIONS PIVOT PLACING PRIMARY RAW READRATIO RECOVER REFERENCES " +
    "REJECTLOG RESORT RESPECT RESTORE RIGHT SELECT SESSION_USER SIMILAR SNAPSHOT SOME SYSDATE SYSTEM TABLE " +
    "TAG TDES TEXT255 TEXT32K THEN TIMESTAMP TO TOP TRAILING TRUE TRUNCATECOLUMNS UNION UNIQUE UNNEST " +
    "UNPIVOT USER USING VERBOSE WALLET WHEN WHERE WITH WITHOUT PUBLIC"
  ).split(" "),
);

/** ClusterStatus values keyguard acts on (DescribeClusters). */
export const CLUSTER_STATUS = {
  available: "available",
  creating: "creating",
  modifying: "modifying",
  rotatingKeys: "rotating-keys",
  deleting: "deleting",
} as const;

/**
 * Statuses from which a cluster is expected to return to `available` on its own (the ClusterStatus
 * values of the API reference; an elastic resize passes through the two "available, ..." ones).
 */
export const TRANSITIONAL_CLUSTER_STATUSES: ReadonlySet<string> = new Set([
  "available, prep-for-resize",
  "available, resize-cleanup",
  "cancelling-resize",
  "creating",
  "modifying",
  "rotating-keys",
  "rebooting",
  "resizing",
  "renaming",
  "updating-hsm",
  "final-snapshot",
]);

/**
 * Redshift errors keyguard handles: the wire code in the query protocol's XML `<Code>`, the
 * AWS SDK v3 exception name it becomes, its HTTP status, and whether to retry.
 */
export const REDSHIFT_ERRORS = {
  ClusterNotFound: { sdkName: "ClusterNotFoundFault", httpStatus: 404, retryable: false },
  InvalidClusterState: { sdkName: "InvalidClusterStateFault", httpStatus: 400, retryable: true },
  DependentServiceRequestThrottlingFault: {
    sdkName: "DependentServiceRequestThrottlingFault",
    httpStatus: 400,
    retryable: true,
  },
  UnsupportedOperation: { sdkName: "UnsupportedOperationFault", httpStatus: 400, retryable: false },
} as const;
export type RedshiftErrorCode = keyof typeof REDSHIFT_ERRORS;

/** Redshift's master password rules (CreateCluster MasterUserPassword). */
export const MIN_MASTER_PASSWORD_LENGTH = 8;
export const MAX_MASTER_PASSWORD_LENGTH = 64;

/** CreateCluster MasterUserPassword: printable ASCII 33..126 except these. */
export const MASTER_PASSWORD_FORBIDDEN_CHARACTERS = ["'", '"', "\\", "/", "@"] as const;

/**
 * Why Redshift rejects a master password, or undefined when it accepts it: 8 to 64 printable
 * ASCII characters (codes 33..126) other than ' " \ / @, with at least one uppercase letter, one
 * lowercase letter and one digit. The message never repeats the password.
 */
export function masterPasswordProblem(masterPassword: unknown): string | undefined {
  const allowed = `Redshift allows ${MIN_MASTER_PASSWORD_LENGTH} to ${MAX_MASTER_PASSWORD_LENGTH} printable ASCII characters except ${MASTER_PASSWORD_FORBIDDEN_CHARACTERS.join(" ")} and space, with at least one uppercase letter, one lowercase letter and one digit`;
  if (typeof masterPassword !== "string")
    return `got ${masterPassword === null ? "null" : `a ${typeof masterPassword}`}; ${allowed}`;
  // Not even the length is repeated: it narrows a brute-force search.
  const got = "got a password";
  if (masterPassword.length < MIN_MASTER_PASSWORD_LENGTH)
    return `${got} shorter than ${MIN_MASTER_PASSWORD_LENGTH} characters; ${allowed}`;
  if (masterPassword.length > MAX_MASTER_PASSWORD_LENGTH)
    return `${got} longer than ${MAX_MASTER_PASSWORD_LENGTH} characters; ${allowed}`;
  for (const character of masterPassword) {
    const code = character.codePointAt(0) ?? 0;
    if (code < 33 || code > 126 || (MASTER_PASSWORD_FORBIDDEN_CHARACTERS as readonly string[]).includes(character)) {
      return `${got}, with a character Redshift does not accept; ${allowed}`;
    }
  }
  if (!/[A-Z]/.test(masterPassword) || !/[a-z]/.test(masterPassword) || !/[0-9]/.test(masterPassword)) {
    return `${got}, without an uppercase letter, a lowercase letter and a digit; ${allowed}`;
  }
  return undefined;
}
