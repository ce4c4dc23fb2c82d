import { needs } from '../needs.js';
import {
  EKT_HEADER_LENGTH,
  EKT_MAX_LENGTH,
  EKT_MIN_DOMAIN_GENERATION,
  EKT_MIN_LENGTH,
  EKT_WRAPPED_BLOCK_LENGTH,
  EktOffset,
  EktVersion,
  EktWrapAlgorithm,
} from './format.js';

export interface DeserializedEkt {
  /** Format version byte (always 0x01 for now). */
  readonly version: EktVersion;
  /** Generation of the domain key that must unwrap `wrapped`, >= 1. */
  readonly domainGeneration: number;
  /** Wrap algorithm id (always RFC 3394 AES key wrap for now). */
  readonly algorithm: EktWrapAlgorithm;
  /** The wrapped key material, 24 to 520 bytes, a multiple of 8. */
  readonly wrapped: Uint8Array;
}

/**
 * Parses a version 1 EKT. Every length is checked before any field is read; the result holds copies, never views
 * into `bytes`. Integrity of the wrapped key is checked by the unwrap itself (the RFC 3394 integrity check).
 *
 * @throws EnvelopeError on any structural defect; never returns partial output.
 */
export function deserializeEkt(bytes: Uint8Array): DeserializedEkt {
  /* Precondition: the input is bytes. */
  needs(bytes instanceof Uint8Array, 'EKT must be a Uint8Array');
  /* Precondition: there is a version byte to read. */
  needs(bytes.length >= 1, 'EKT is empty', 'TRUNCATED');
  /* Precondition: the version is one this reader knows; nothing else is read before this check. */
  needs(bytes[EktOffset.VERSION] === EktVersion.V1, 'EKT version is not supported', 'BAD_VERSION');
  /* Precondition: the fixed header is complete. */
  needs(bytes.length >= EKT_HEADER_LENGTH, 'EKT is shorter than its 6-byte header', 'TRUNCATED');

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const domainGeneration = view.getUint32(EktOffset.DOMAIN_GENERATION, false);
  /* Precondition: domain generations start at 1, so a zero is a corrupt or forged token. */
  needs(domainGeneration >= EKT_MIN_DOMAIN_GENERATION, 'EKT domain generation is zero');
  /* Precondition: the wrap algorithm is one this reader knows. */
  needs(
    bytes[EktOffset.ALGORITHM] === EktWrapAlgorithm.AES_KW_RFC3394,
    'EKT wrap algorithm is not supported',
  );
  /* Precondition: the wrapped key is at least 24 bytes. */
  needs(bytes.length >= EKT_MIN_LENGTH, 'EKT wrapped key is shorter than 24 bytes', 'TRUNCATED');
  /* Precondition: the wrapped key is at most 520 bytes. */
  needs(bytes.length <= EKT_MAX_LENGTH, 'EKT wrapped key is longer than 520 bytes', 'TOO_LONG');
  /* Precondition: the wrapped key is whole 64-bit blocks. */
  needs(
    (bytes.length - EKT_HEADER_LENGTH) % EKT_WRAPPED_BLOCK_LENGTH === 0,
    'EKT wrapped key length is not a multiple of 8',
  );

  return {
    version: EktVersion.V1,
    domainGeneration,
    algorithm: EktWrapAlgorithm.AES_KW_RFC3394,
    wrapped: bytes.slice(EktOffset.WRAPPED),
  };
}
