import { needs } from '../needs.js';
import { uuidToBytes } from '../uuid.js';
import {
  CiphertextBlobOffset,
  CiphertextBlobVersion,
  CIPHERTEXT_BLOB_HEADER_LENGTH,
  CIPHERTEXT_BLOB_IV_LENGTH,
  CIPHERTEXT_BLOB_MAX_KEY_VERSION,
  CIPHERTEXT_BLOB_MAX_SEALED_LENGTH,
  CIPHERTEXT_BLOB_MIN_KEY_VERSION,
  CIPHERTEXT_BLOB_TAG_LENGTH,
} from './format.js';

export interface CiphertextBlobParts {
  /** KMS key id: a UUID string, either case. */
  readonly keyId: string;
  /** Version of the key's material that sealed the data: uint32, >= 1. */
  readonly keyVersion: number;
  /** The 12-byte AES-GCM IV used to seal. */
  readonly iv: Uint8Array;
  /** AES-256-GCM output: ciphertext || 16-byte tag, sealed with AAD = ciphertextBlobAad(header, context). */
  readonly sealed: Uint8Array;
}

/** The 21-byte header (version, key id, key version): the first part of the AAD and of the blob. */
export function ciphertextBlobHeader(keyId: string, keyVersion: number): Uint8Array {
  const keyIdBytes = uuidToBytes(keyId);
  /* Precondition: the key version fits the uint32 field and key versions start at 1. */
  needs(
    Number.isInteger(keyVersion) &&
      keyVersion >= CIPHERTEXT_BLOB_MIN_KEY_VERSION &&
      keyVersion <= CIPHERTEXT_BLOB_MAX_KEY_VERSION,
    'Key version must be an integer from 1 to 4294967295',
  );
  const header = new Uint8Array(CIPHERTEXT_BLOB_HEADER_LENGTH);
  header[CiphertextBlobOffset.VERSION] = CiphertextBlobVersion.V1;
  header.set(keyIdBytes, CiphertextBlobOffset.KEY_ID);
  new DataView(header.buffer).setUint32(CiphertextBlobOffset.KEY_VERSION, keyVersion, false);
  return header;
}

/** Lays out a version 1 ciphertext blob: header || iv || ciphertext || tag. */
export function serializeCiphertextBlob(parts: CiphertextBlobParts): Uint8Array {
  const { keyId, keyVersion, iv, sealed } = parts;
  const header = ciphertextBlobHeader(keyId, keyVersion);
  /* Precondition: AES-GCM IVs are 96 bits. */
  needs(iv instanceof Uint8Array && iv.length === CIPHERTEXT_BLOB_IV_LENGTH, 'IV must be exactly 12 bytes');
  /* Precondition: the sealed data holds at least the tag (an empty plaintext gives just the tag). */
  needs(
    sealed instanceof Uint8Array && sealed.length >= CIPHERTEXT_BLOB_TAG_LENGTH,
    'Sealed data must hold at least the 16-byte GCM tag',
    'TRUNCATED',
  );
  /* Precondition: the plaintext was at most 4096 bytes (GCM ciphertext is as long as its plaintext). */
  needs(
    sealed.length <= CIPHERTEXT_BLOB_MAX_SEALED_LENGTH,
    'Sealed data must not exceed 4096 bytes of ciphertext plus the tag',
    'TOO_LONG',
  );
  const blob = new Uint8Array(CIPHERTEXT_BLOB_HEADER_LENGTH + CIPHERTEXT_BLOB_IV_LENGTH + sealed.length);
  blob.set(header, 0);
  blob.set(iv, CiphertextBlobOffset.IV);
  blob.set(sealed, CiphertextBlobOffset.CIPHERTEXT);
  return blob;
}
