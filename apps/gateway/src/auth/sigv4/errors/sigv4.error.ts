/**
 * AWS error `__type` values the gateway answers when SigV4 authentication fails. All are HTTP 400,
 * as AWS KMS answers them.
 */
export type SigV4ErrorType =
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException';

/**
 * An authentication failure, in the AWS error shape: `type` is the `__type` to answer with and
 * `message` is safe to return to the caller (it never contains a secret, a session token or the
 * signature we computed).
 */
export class SigV4Error extends Error {
  override readonly name = 'SigV4Error';
  readonly httpStatus = 400;

  constructor(
    readonly type: SigV4ErrorType,
    message: string,
  ) {
    super(message);
  }
}

export const MISSING_TOKEN_MESSAGE = 'Request is missing Authentication Token';
export const INVALID_TOKEN_MESSAGE = 'The security token included in the request is invalid.';
export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
