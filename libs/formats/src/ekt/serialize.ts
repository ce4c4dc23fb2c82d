import { needs } from '../needs.js';
import {
  EKT_HEADER_LENGTH,
  EKT_MAX_DOMAIN_GENERATION,
  EKT_MAX_WRAPPED_LENGTH,
  EKT_MIN_DOMAIN_GENERATION,
  EKT_MIN_WRAPPED_LENGTH,
  EKT_WRAPPED_BLOCK_LENGTH,
  EktOffset,
  EktVersion,
  EktWrapAlgorithm,
} from './format.js';

export interface EktParts {
  /** Generation of the domain key that wrapped the material: uint32, >= 1. */
  readonly domainGeneration: number;
  /** The key material wrapped with RFC 3394 AES key wrap (the only algorithm of version 1). */
  readonly wrapped: Uint8Array;
}

/** Lays out a version 1 EKT: version || domain generation || algorithm (RFC 3394) || wrapped key. */
export function serializeEkt(parts: EktParts): Uint8Array {
  const { domainGeneration, wrapped } = parts;
  /* Precondition: the generation fits the uint32 field and generations start at 1. */
  needs(
    Number.isInteger(domainGeneration) &&
      domainGeneration >= EKT_MIN_DOMAIN_GENERATION &&
      domainGeneration <= EKT_MAX_DOMAIN_GENERATION,
    'Domain generation must be an integer from 1 to 4294967295',
  );
  /* Precondition: the wrapped key is bytes. */
  needs(wrapped instanceof Uint8Array, 'Wrapped key must be a Uint8Array');
  /* Precondition: RFC 3394 output is at least 24 bytes (a 128-bit key plus the 8-byte IV). */
  needs(wrapped.length >= EKT_MIN_WRAPPED_LENGTH, 'Wrapped key is shorter than 24 bytes', 'TRUNCATED');
  /* Precondition: the wrapped key is within the format's maximum. */
  needs(wrapped.length <= EKT_MAX_WRAPPED_LENGTH, 'Wrapped key is longer than 520 bytes', 'TOO_LONG');
  /* Precondition: RFC 3394 output is whole 64-bit blocks. */
  needs(wrapped.length % EKT_WRAPPED_BLOCK_LENGTH === 0, 'Wrapped key length is not a multiple of 8');

  const ekt = new Uint8Array(EKT_HEADER_LENGTH + wrapped.length);
  ekt[EktOffset.VERSION] = EktVersion.V1;
  new DataView(ekt.buffer).setUint32(EktOffset.DOMAIN_GENERATION, domainGeneration, false);
  ekt[EktOffset.ALGORITHM] = EktWrapAlgorithm.AES_KW_RFC3394;
  ekt.set(wrapped, EktOffset.WRAPPED);
  return ekt;
}
