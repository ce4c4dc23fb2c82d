import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError, hex } from '../../test/envelope-error.js';
import { bytes, ID, SCHEMES, valid } from './fixtures.test-helper.js';
import type { EnvelopeHeader } from './format.js';
import { parseEnvelope } from './parse.js';
import { sealedHeader, serializeEnvelopeHeader } from './serialize.js';

function jsonOf(envelope: Uint8Array): string {
  return new TextDecoder().decode(envelope.subarray(9));
}

describe('serializeEnvelopeHeader', () => {
  for (const [scheme, header] of Object.entries(SCHEMES)) {
    it(`should give back the same header when the ${scheme} scheme is serialized and parsed`, () => {
      const envelope = serializeEnvelopeHeader(header);
      const parsed = parseEnvelope(envelope);
      expect(parsed.header).toEqual(header);
      expect(parsed.bodyOffset).toBe(envelope.length);
      expect(serializeEnvelopeHeader(parsed.header)).toEqual(envelope);
    });
  }

  it('should nest when the body-wrapped scheme puts one envelope inside the body of another', () => {
    const inner = serializeEnvelopeHeader(SCHEMES['two providers (body wrapped), inner']!);
    const outer = serializeEnvelopeHeader(SCHEMES['two providers (body wrapped), outer']!);
    const both = new Uint8Array([...outer, ...inner]);
    const first = parseEnvelope(both);
    expect(first.header).toEqual(SCHEMES['two providers (body wrapped), outer']);
    expect(parseEnvelope(both.subarray(first.bodyOffset)).header).toEqual(
      SCHEMES['two providers (body wrapped), inner'],
    );
  });

  it('should write magic, version 1 and the big-endian JSON length when given a header', () => {
    const envelope = serializeEnvelopeHeader(valid());
    expect(hex(envelope.subarray(0, 5))).toBe('53594d4501');
    expect(new DataView(envelope.buffer).getUint32(5, false)).toBe(envelope.length - 9);
  });

  it('should sort keys and leave out whitespace, an empty context and an absent endpoint when writing JSON', () => {
    const header: EnvelopeHeader = {
      id: new Uint8Array(16),
      authorities: [{ type: 'kms', keyArn: 'arn', id: 'b' }],
      context: {},
      key: { wrapped: Uint8Array.of(1, 2, 3), chain: [0] },
    };
    expect(jsonOf(serializeEnvelopeHeader(header))).toBe(
      '{"authorities":[{"id":"b","keyArn":"arn","type":"kms"}],"id":"AAAAAAAAAAAAAAAAAAAAAA==","key":{"chain":[0],"wrapped":"AQID"}}',
    );
  });

  it('should accept an explicit undefined endpoint and a missing context when called from JavaScript', () => {
    const header = {
      id: ID,
      authorities: [{ id: 'a', type: 'kms', keyArn: 'arn', endpoint: undefined }],
      key: { chain: [0], wrapped: Uint8Array.of(1) },
    } as unknown as EnvelopeHeader;
    expect(parseEnvelope(serializeEnvelopeHeader(header)).header).toEqual({ ...header, context: {} });
  });

  it('should give the same bytes when the same context is built in any order', () => {
    const a = { ...valid(), context: { b: '2', a: '1', B: '3' } };
    const b = { ...valid(), context: { B: '3', a: '1', b: '2' } };
    expect(serializeEnvelopeHeader(a)).toEqual(serializeEnvelopeHeader(b));
    expect(jsonOf(serializeEnvelopeHeader(a))).toContain('"context":{"B":"3","a":"1","b":"2"}');
  });

  it('Envelope header is longer than 65536 bytes', () => {
    // 64 entries of 256 + 1024 characters: within every per-field limit, about 82 KB of JSON.
    const context = Object.fromEntries(
      Array.from({ length: 64 }, (_, i) => [`${i}`.padStart(256, 'k'), 'v'.repeat(1024)]),
    );
    expectEnvelopeError(
      () => serializeEnvelopeHeader({ ...valid(), context }),
      'TOO_LONG',
      'Envelope header is longer than 65536 bytes',
    );
  });
});

describe('sealedHeader', () => {
  it('should be the canonical JSON of context, id and v when the context is not empty', () => {
    const sealed = new TextDecoder().decode(sealedHeader(valid()));
    expect(sealed).toBe('{"context":{"purpose":"backup"},"id":"8PHy8/T19vf4+fr7/P3+/w==","v":1}');
  });

  it('should hold an empty context object when the envelope has no context', () => {
    const sealed = new TextDecoder().decode(sealedHeader({ id: new Uint8Array(16), context: {} }));
    expect(sealed).toBe('{"context":{},"id":"AAAAAAAAAAAAAAAAAAAAAA==","v":1}');
  });

  it('should stay the same when authorities or wrapped values change', () => {
    const other = { ...SCHEMES['split key']!, context: valid().context };
    expect(sealedHeader(other)).toEqual(sealedHeader(valid()));
  });

  it('should differ when the id or the context differs', () => {
    expect(sealedHeader({ ...valid(), id: bytes(16, 5) })).not.toEqual(sealedHeader(valid()));
    expect(sealedHeader({ ...valid(), context: { purpose: 'backup2' } })).not.toEqual(sealedHeader(valid()));
  });

  it('should check the id and the context when they are invalid', () => {
    expectEnvelopeError(
      () => sealedHeader({ id: new Uint8Array(15), context: {} }),
      'BAD_FIELD',
      'Envelope id must be 16 bytes',
    );
    expectEnvelopeError(
      () => sealedHeader({ id: ID, context: { 'symbolon:part': 'key' } }),
      'BAD_FIELD',
      'Envelope context key starts with symbolon:',
    );
  });
});
