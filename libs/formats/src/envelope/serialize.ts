import { needs } from '../needs.js';
import { encodeBase64 } from './base64.js';
import { canonicalJsonBytes } from './canonical-json.js';
import {
  type EnvelopeHeader,
  ENVELOPE_HEADER_MAX_LENGTH,
  ENVELOPE_MAGIC,
  ENVELOPE_PREFIX_LENGTH,
  EnvelopeOffset,
  EnvelopeVersion,
} from './format.js';
import { headerToJson, normalizeHeader, readIdAndContext } from './validate.js';

/**
 * Lays out the start of a version 1 envelope: magic `SYME` || version 0x01 || uint32 header length || canonical
 * header JSON. The body (chunked encryption) follows these bytes; it is not written here.
 *
 * @throws EnvelopeError when any field or limit of docs/formats/envelope-v1.md does not hold.
 */
export function serializeEnvelopeHeader(header: EnvelopeHeader): Uint8Array<ArrayBuffer> {
  const json = canonicalJsonBytes(headerToJson(normalizeHeader(header, 'bytes', 'complete')));
  /* Precondition: the header JSON fits the reader's limit (many long context entries can exceed it). */
  needs(json.length <= ENVELOPE_HEADER_MAX_LENGTH, 'Envelope header is longer than 65536 bytes', 'TOO_LONG');
  const out = new Uint8Array(ENVELOPE_PREFIX_LENGTH + json.length);
  out.set(ENVELOPE_MAGIC, EnvelopeOffset.MAGIC);
  out[EnvelopeOffset.VERSION] = EnvelopeVersion.V1;
  new DataView(out.buffer).setUint32(EnvelopeOffset.HEADER_LENGTH, json.length, false);
  out.set(json, EnvelopeOffset.HEADER);
  return out;
}

/**
 * The sealed header: canonical JSON bytes of `{"context": ..., "id": <base64>, "v": 1}` (the context `{}` when
 * empty). These are the header fields no re-wrap changes; the body's chunked-encryption context is SHA-256 of them
 * (the caller hashes). Only `id` and `context` are read and checked, so a writer may call this before the
 * authorities and wrapped values are known.
 */
export function sealedHeader(header: Pick<EnvelopeHeader, 'id' | 'context'>): Uint8Array<ArrayBuffer> {
  const { id, context } = readIdAndContext(header);
  return canonicalJsonBytes({ context, id: encodeBase64(id), v: EnvelopeVersion.V1 });
}
