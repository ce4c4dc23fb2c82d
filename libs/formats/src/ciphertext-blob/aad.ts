import { needs } from '../needs.js';
import {
  CiphertextBlobVersion,
  CIPHERTEXT_BLOB_HEADER_LENGTH,
  ENCRYPTION_CONTEXT_MAX_ENTRIES,
  ENCRYPTION_CONTEXT_MAX_FIELD_BYTES,
} from './format.js';
import { isWellFormedUnicode } from '../unicode.js';

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) {
      return d;
    }
  }
  return a.length - b.length;
}

/**
 * The canonical bytes of an encryption context:
 *
 *   uint16 count, then for each entry, in byte-wise order of the key's UTF-8 bytes:
 *   uint16 key length || key (UTF-8) || uint16 value length || value (UTF-8)
 *
 * All integers are big-endian. An empty context is the two bytes 00 00. Keys are unique (they are object keys,
 * and well-formed strings have distinct UTF-8 forms), so the order is total.
 */
export function canonicalEncryptionContext(context: Readonly<Record<string, string>>): Uint8Array {
  /* Precondition: the context is a plain key/value object (not null, not an array). */
  needs(
    typeof context === 'object' && context !== null && !Array.isArray(context),
    'Encryption context must be an object of string values',
  );
  const keys = Object.keys(context);
  /* Precondition: the entry count fits its uint16 prefix. */
  needs(
    keys.length <= ENCRYPTION_CONTEXT_MAX_ENTRIES,
    'Encryption context has more than 65535 entries',
    'TOO_LONG',
  );

  const encoder = new TextEncoder();
  const entries: { key: Uint8Array; value: Uint8Array }[] = [];
  let total = 2;
  for (const key of keys) {
    const value: unknown = context[key];
    /* Precondition: every value is a string; numbers, booleans and nested objects have no canonical form here. */
    needs(typeof value === 'string', 'Encryption context values must be strings');
    /* Precondition: keys and values have a UTF-8 form, so that two different strings never encode alike. */
    needs(
      isWellFormedUnicode(key) && isWellFormedUnicode(value),
      'Encryption context keys and values must be well-formed Unicode',
    );
    const keyBytes = encoder.encode(key);
    const valueBytes = encoder.encode(value);
    /* Precondition: each key fits its uint16 length prefix. */
    needs(
      keyBytes.length <= ENCRYPTION_CONTEXT_MAX_FIELD_BYTES,
      'Encryption context key is longer than 65535 bytes',
      'TOO_LONG',
    );
    /* Precondition: each value fits its uint16 length prefix. */
    needs(
      valueBytes.length <= ENCRYPTION_CONTEXT_MAX_FIELD_BYTES,
      'Encryption context value is longer than 65535 bytes',
      'TOO_LONG',
    );
    entries.push({ key: keyBytes, value: valueBytes });
    total += 4 + keyBytes.length + valueBytes.length;
  }
  entries.sort((a, b) => compareBytes(a.key, b.key));

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint16(0, entries.length, false);
  let offset = 2;
  for (const { key, value } of entries) {
    view.setUint16(offset, key.length, false);
    out.set(key, offset + 2);
    offset += 2 + key.length;
    view.setUint16(offset, value.length, false);
    out.set(value, offset + 2);
    offset += 2 + value.length;
  }
  return out;
}

/**
 * The AES-GCM additional authenticated data of a version 1 blob: header || canonicalEncryptionContext(context).
 * The context is bound by the tag and never stored in the blob: decryption needs the same context.
 */
export function ciphertextBlobAad(header: Uint8Array, context: Readonly<Record<string, string>>): Uint8Array {
  /* Precondition: the header is a whole version 1 header (from ciphertextBlobHeader or deserializeCiphertextBlob). */
  needs(
    header instanceof Uint8Array && header.length === CIPHERTEXT_BLOB_HEADER_LENGTH,
    'Header must be exactly 21 bytes',
  );
  /* Precondition: the header is a version 1 header. */
  needs(header[0] === CiphertextBlobVersion.V1, 'Header version is not supported', 'BAD_VERSION');
  const canonical = canonicalEncryptionContext(context);
  const aad = new Uint8Array(CIPHERTEXT_BLOB_HEADER_LENGTH + canonical.length);
  aad.set(header, 0);
  aad.set(canonical, CIPHERTEXT_BLOB_HEADER_LENGTH);
  return aad;
}
