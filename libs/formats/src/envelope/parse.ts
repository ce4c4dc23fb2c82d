import { constantTimeEqual } from '../bytes.js';
import { needs } from '../needs.js';
import { canonicalJsonBytes } from './canonical-json.js';
import {
  type EnvelopeHeader,
  ENVELOPE_HEADER_MAX_LENGTH,
  ENVELOPE_HEADER_MIN_LENGTH,
  ENVELOPE_MAGIC,
  ENVELOPE_PREFIX_LENGTH,
  EnvelopeOffset,
  EnvelopeVersion,
} from './format.js';
import { headerToJson, normalizeHeader } from './validate.js';

export interface ParsedEnvelope {
  /** The header, checked against every limit; bytes are copies, never views into the input. */
  readonly header: EnvelopeHeader;
  /** n: the length of the header JSON (the uint32 at offset 5). */
  readonly headerLength: number;
  /** 9 + n: where the body starts. */
  readonly bodyOffset: number;
}

/**
 * How many bytes `parseEnvelope` needs (9 + n, the body's offset), read from the first bytes of an envelope; undefined
 * while fewer than 9 bytes are available. A stream reader buffers that many bytes, parses them, and streams the rest
 * to the body decryption. Refuses as early as the bytes allow: a wrong magic or version with fewer than 9 bytes.
 *
 * @throws EnvelopeError on a wrong magic, an unknown version or a header length outside 2 to 65,536.
 */
export function envelopeHeaderLength(prefix: Uint8Array): number | undefined {
  /* Precondition: the input is bytes. */
  needs(prefix instanceof Uint8Array, 'Envelope must be a Uint8Array');
  /* Precondition: the magic matches as far as it has arrived. */
  needs(
    prefix.subarray(0, ENVELOPE_MAGIC.length).every((b, i) => b === ENVELOPE_MAGIC[i]),
    'Envelope does not start with the SYME magic',
  );
  /* Precondition: the version, once arrived, is one this reader knows; nothing after it is read before this check. */
  needs(
    prefix.length <= EnvelopeOffset.VERSION || prefix[EnvelopeOffset.VERSION] === EnvelopeVersion.V1,
    'Envelope version is not supported',
    'BAD_VERSION',
  );
  if (prefix.length < ENVELOPE_PREFIX_LENGTH) {
    return undefined;
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength).getUint32(
    EnvelopeOffset.HEADER_LENGTH,
    false,
  );
  /* Precondition: the shortest JSON object is 2 bytes. */
  needs(n >= ENVELOPE_HEADER_MIN_LENGTH, 'Envelope header length is less than 2');
  /* Precondition: the header is within the limit, so a reader never buffers more than 64 KiB for it. */
  needs(n <= ENVELOPE_HEADER_MAX_LENGTH, 'Envelope header is longer than 65536 bytes', 'TOO_LONG');
  return ENVELOPE_PREFIX_LENGTH + n;
}

/**
 * Parses the header of a version 1 envelope. Reads only bytes [0, 9 + n): `bytes` may hold any part of the body
 * after it, or none. The header must be canonical: re-serializing what was parsed must give exactly its bytes
 * (this refuses whitespace, duplicate keys, unsorted keys, escapes `JSON.stringify` would not write, ...).
 *
 * @throws EnvelopeError on any defect; never returns partial output.
 */
export function parseEnvelope(bytes: Uint8Array): ParsedEnvelope {
  const bodyOffset = envelopeHeaderLength(bytes);
  /* Precondition: the fixed prefix (magic, version, header length) is complete. */
  needs(bodyOffset !== undefined, 'Envelope is shorter than 9 bytes', 'TRUNCATED');
  /* Precondition: the whole header has arrived. */
  needs(bytes.length >= bodyOffset, 'Envelope is shorter than its header length', 'TRUNCATED');
  const json = bytes.subarray(EnvelopeOffset.HEADER, bodyOffset);

  let text: string | undefined;
  try {
    // ignoreBOM keeps a byte order mark in the text, where JSON.parse refuses it.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(json);
  } catch {
    text = undefined;
  }
  /* Precondition: the header is UTF-8. */
  needs(text !== undefined, 'Envelope header is not valid UTF-8');
  let value: unknown;
  let parsed = true;
  try {
    value = JSON.parse(text);
  } catch {
    parsed = false;
  }
  /* Precondition: the header is JSON. */
  needs(parsed, 'Envelope header is not JSON');

  const header = normalizeHeader(value, 'base64', 'complete');
  /* Precondition: one header has one spelling, so that equal headers are equal bytes. */
  needs(
    constantTimeEqual(canonicalJsonBytes(headerToJson(header)), json),
    'Envelope header is not canonical JSON',
  );
  return { header, headerLength: bodyOffset - ENVELOPE_PREFIX_LENGTH, bodyOffset };
}
