import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';

import { fromHex, hex } from '../../test/envelope-error.js';
import { bindingAad, wrapBinding } from './binding.js';
import type { ChainRecipe, EnvelopeHeader } from './format.js';
import { parseEnvelope } from './parse.js';
import { sealedHeader, serializeEnvelopeHeader } from './serialize.js';

interface Vector {
  name: string;
  headerJson: string;
  envelopeHex: string;
  sealedHeader: string;
  sealedHeaderHex: string;
  binding: { part: string; layer: number; aad: string; aadHex: string };
}

const file = JSON.parse(
  readFileSync(new URL('../../test-vectors/envelope-v1-headers.json', import.meta.url), 'utf8'),
) as { format: string; version: number; vectors: Vector[] };

/** The header the JSON describes, decoded with Node's base64 (independently of the module's decoder). */
function expectedHeader(json: string): EnvelopeHeader {
  type ChainJson = { chain: number[]; wrapped: string };
  const raw = JSON.parse(json) as {
    id: string;
    authorities: EnvelopeHeader['authorities'];
    context?: Record<string, string>;
    key: ChainJson | { split: ChainJson[] };
  };
  const chain = (c: ChainJson): ChainRecipe => ({
    chain: c.chain,
    wrapped: new Uint8Array(Buffer.from(c.wrapped, 'base64')),
  });
  return {
    id: new Uint8Array(Buffer.from(raw.id, 'base64')),
    authorities: raw.authorities,
    context: raw.context ?? {},
    key: 'split' in raw.key ? { split: raw.key.split.map(chain) } : chain(raw.key),
  };
}

describe('envelope header test vectors', () => {
  it('should hold several version 1 vectors when the file is read', () => {
    expect(file.format).toBe('symbolon-envelope-header');
    expect(file.version).toBe(1);
    expect(file.vectors.length).toBeGreaterThanOrEqual(3);
  });

  for (const vector of file.vectors) {
    it(`should keep the exact bytes when serializing the vector ${vector.name}`, () => {
      const header = expectedHeader(vector.headerJson);
      const envelope = serializeEnvelopeHeader(header);
      expect(hex(envelope)).toBe(vector.envelopeHex);
      expect(hex(envelope.subarray(9))).toBe(hex(new TextEncoder().encode(vector.headerJson)));
    });

    it(`should parse the vector ${vector.name} when a body follows it`, () => {
      const envelope = fromHex(vector.envelopeHex);
      const withBody = new Uint8Array([...envelope, 1, 2, 3]);
      const parsed = parseEnvelope(withBody);
      expect(parsed.header).toEqual(expectedHeader(vector.headerJson));
      expect(parsed.bodyOffset).toBe(envelope.length);
      expect(parsed.headerLength).toBe(envelope.length - 9);
    });

    it(`should keep the sealed header and the binding AAD when given the vector ${vector.name}`, () => {
      const header = expectedHeader(vector.headerJson);
      expect(hex(sealedHeader(header))).toBe(vector.sealedHeaderHex);
      expect(new TextDecoder().decode(fromHex(vector.sealedHeaderHex))).toBe(vector.sealedHeader);
      const aad = bindingAad(wrapBinding(header, vector.binding.part, vector.binding.layer));
      expect(hex(aad)).toBe(vector.binding.aadHex);
      expect(new TextDecoder().decode(fromHex(vector.binding.aadHex))).toBe(vector.binding.aad);
    });
  }
});
