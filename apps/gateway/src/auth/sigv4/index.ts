export {
  INVALID_TOKEN_MESSAGE,
  MISSING_TOKEN_MESSAGE,
  SIGNATURE_MISMATCH_MESSAGE,
  SigV4Error,
  type SigV4ErrorType,
} from './errors/sigv4.error.js';
export {
  MAX_AUTHORIZATION_HEADER_LENGTH,
  type ParsedAuthorization,
  parseAuthorizationHeader,
  SIGV4_ALGORITHM,
  SIGV4_SCOPE_TERMINATOR,
} from './parse-authorization-header.js';
export {
  DEFAULT_MAX_CACHED_SIGNERS,
  DEFAULT_MAX_SKEW_MS,
  type SigV4Identity,
  type SigV4Request,
  type SigV4Secret,
  SigV4Verifier,
  type SigV4VerifierOptions,
} from './sigv4-verifier.js';
