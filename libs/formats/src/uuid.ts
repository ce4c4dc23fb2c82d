import { needs } from './needs.js';

/** 8-4-4-4-12 hexadecimal digits, either case. Any UUID version or variant is accepted. */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Length of a UUID in raw bytes. */
export const UUID_BYTE_LENGTH = 16;

/** Parses a UUID string (8-4-4-4-12 hex, either case) into its 16 raw bytes. */
export function uuidToBytes(uuid: string): Uint8Array {
  /* Precondition: the key id is a UUID string in its canonical 8-4-4-4-12 form (case-insensitive). */
  needs(typeof uuid === 'string' && UUID_PATTERN.test(uuid), 'Key id must be a UUID in 8-4-4-4-12 hex form');
  const hex = uuid.replaceAll('-', '');
  const bytes = new Uint8Array(UUID_BYTE_LENGTH);
  for (let i = 0; i < UUID_BYTE_LENGTH; i++) {
    bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  }
  return bytes;
}

/** Formats 16 raw bytes as a lower-case canonical UUID string. */
export function bytesToUuid(bytes: Uint8Array): string {
  /* Precondition: exactly 16 bytes, so that no prefix of a longer buffer is silently taken as a UUID. */
  needs(
    bytes instanceof Uint8Array && bytes.length === UUID_BYTE_LENGTH,
    'UUID bytes must be exactly 16 bytes',
  );
  let hex = '';
  for (const byte of bytes) {
    hex += byte.toString(16).padStart(2, '0');
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
