import { needs } from '../needs.js';
import { encodeBase64 } from './base64.js';
import { canonicalJsonBytes } from './canonical-json.js';
import { type EnvelopeHeader, ENVELOPE_MAX_CHAIN_LENGTH, EnvelopeBindingKey } from './format.js';
import { isStringRecord, readIdAndContext } from './validate.js';

/** `key`, or `split.0` to `split.7`: the names a part of a version 1 recipe can have. */
const PART_NAME = /^(?:key|split\.[0-7])$/;

/**
 * The binding of layer `layer` (0 = first wrap) of the chain at `part` (`key` for a top-level chain, `split.<i>` for
 * the i-th share, from 0): the header's context plus `symbolon:envelope` (the id in base64), `symbolon:part` and
 * `symbolon:layer` (decimal). For a `kms` layer it is the KMS EncryptionContext; for a `customer-key` layer,
 * `bindingAad(binding)` is the AES-GCM AAD. Only `id` and `context` of the header are read and checked, so a writer
 * computes bindings before it knows the authorities' order or any wrapped value.
 */
export function wrapBinding(
  header: Pick<EnvelopeHeader, 'id' | 'context'>,
  part: string,
  layer: number,
): Record<string, string> {
  const { id, context } = readIdAndContext(header);
  /* Precondition: the part is `key` or `split.<i>` with i from 0 to 7. */
  needs(
    typeof part === 'string' && PART_NAME.test(part),
    'Envelope part name must be key or split.0 to split.7',
  );
  /* Precondition: the layer is one a chain of at most 8 can have. */
  needs(
    Number.isInteger(layer) && layer >= 0 && layer < ENVELOPE_MAX_CHAIN_LENGTH,
    'Envelope layer must be an integer from 0 to 7',
  );
  return Object.fromEntries([
    ...Object.entries(context),
    [EnvelopeBindingKey.ENVELOPE, encodeBase64(id)],
    [EnvelopeBindingKey.PART, part],
    [EnvelopeBindingKey.LAYER, String(layer)],
  ]);
}

/** Canonical JSON bytes of a binding: the AES-256-GCM AAD of a `customer-key` wrap. */
export function bindingAad(binding: Readonly<Record<string, string>>): Uint8Array<ArrayBuffer> {
  /* Precondition: the binding maps strings to strings (as wrapBinding returns it). */
  needs(isStringRecord(binding), 'Binding must be an object of strings');
  return canonicalJsonBytes(binding);
}
