import { needs } from '../needs.js';
import { bytesToUuid } from '../uuid.js';
import {
  CiphertextBlobOffset,
  CiphertextBlobVersion,
  CIPHERTEXT_BLOB_HEADER_LENGTH,
  CIPHERTEXT_BLOB_KEY_ID_LENGTH,
  CIPHERTEXT_BLOB_MAX_LENGTH,
  CIPHERTEXT_BLOB_MIN_LENGTH,
  CIPHERTEXT_BLOB_MIN_KEY_VERSION,
} from './format.js';

export interface DeserializedCiphertextBlob {
  /** Format version byte (always 0x01 for now). */
  readonly version: CiphertextBlobVersion;
  /** Key id as a lower-case canonical UUID string. */
  readonly keyId: string;
  /** Key version, >= 1. */
  readonly keyVersion: number;
  /** Bytes [0, 21): pass to ciphertextBlobAad with the caller's encryption context. */
  readonly header: Uint8Array;
  /** The 12-byte AES-GCM IV. */
  readonly iv: Uint8Array;
  /** Ciphertext || 16-byte tag, as AES-GCM decryption expects it. */
  readonly sealed: Uint8Array;
}

/**
 * Parses a version 1 ciphertext blob. Every length is checked before any field is read; the result holds copies,
 * never views into `blob`. This checks structure only: a blob cut short but still at least 49 bytes long, or one
 * with bytes appended, parses, and is refused by AES-GCM authentication (the tag covers header and context).
 *
 * @throws EnvelopeError on any structural defect; never returns partial output.
 */
export function deserializeCiphertextBlob(blob: Uint8Array): DeserializedCiphertextBlob {
  /* Precondition: the input is bytes. */
  needs(blob instanceof Uint8Array, 'Ciphertext blob must be a Uint8Array');
  /* Precondition: there is a version byte to read. */
  needs(blob.length >= 1, 'Ciphertext blob is empty', 'TRUNCATED');
  /* Precondition: the version is one this reader knows; nothing else is read before this check. */
  needs(
    blob[CiphertextBlobOffset.VERSION] === CiphertextBlobVersion.V1,
    'Ciphertext blob version is not supported',
    'BAD_VERSION',
  );
  /* Precondition: header, IV and tag are all present. */
  needs(blob.length >= CIPHERTEXT_BLOB_MIN_LENGTH, 'Ciphertext blob is shorter than 49 bytes', 'TRUNCATED');
  /* Precondition: the blob is within the AWS KMS CiphertextBlob limit. */
  needs(blob.length <= CIPHERTEXT_BLOB_MAX_LENGTH, 'Ciphertext blob is longer than 6144 bytes', 'TOO_LONG');

  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const keyVersion = view.getUint32(CiphertextBlobOffset.KEY_VERSION, false);
  /* Precondition: key versions start at 1, so a zero is a corrupt or forged blob. */
  needs(keyVersion >= CIPHERTEXT_BLOB_MIN_KEY_VERSION, 'Ciphertext blob key version is zero');

  return {
    version: CiphertextBlobVersion.V1,
    keyId: bytesToUuid(
      blob.slice(CiphertextBlobOffset.KEY_ID, CiphertextBlobOffset.KEY_ID + CIPHERTEXT_BLOB_KEY_ID_LENGTH),
    ),
    keyVersion,
    header: blob.slice(0, CIPHERTEXT_BLOB_HEADER_LENGTH),
    iv: blob.slice(CiphertextBlobOffset.IV, CiphertextBlobOffset.CIPHERTEXT),
    sealed: blob.slice(CiphertextBlobOffset.CIPHERTEXT),
  };
}
