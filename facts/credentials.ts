/**
 * Error codes AWS answers when a request's credentials are not usable (missing, unknown, expired,
 * or signed wrong), as opposed to a refusal of the action itself (AccessDenied): AWS's "Common
 * Errors" list, with the names JSON-protocol services such as KMS give them (UnrecognizedClient,
 * ExpiredTokenException). Every call with such credentials fails alike, so one report says it all.
 */
export const AWS_CREDENTIAL_ERROR_NAMES: ReadonlySet<string> = new Set([
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "InvalidAccessKeyId",
  "IncompleteSignature",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "MissingAuthenticationToken",
  "MissingAuthenticationTokenException",
  "ExpiredToken",
  "ExpiredTokenException",
  "CredentialsProviderError",
]);
