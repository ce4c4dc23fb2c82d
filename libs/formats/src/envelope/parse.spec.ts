import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError, hex, prng, randomBytes } from '../../test/envelope-error.js';
import { EnvelopeError, type EnvelopeErrorCode } from '../errors.js';
import { bytes, CUSTOMER, envelopeOf, KMS, SCHEMES, sortedJson, valid } from './fixtures.test-helper.js';
import { envelopeHeaderLength, parseEnvelope } from './parse.js';
import { serializeEnvelopeHeader } from './serialize.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test JSON is reshaped freely
type Loose = any;

const VALID = serializeEnvelopeHeader(valid());
const VALID_JSON = new TextDecoder().decode(VALID.subarray(9));

/** Parses the valid header's JSON after `mutate` changed it (written back with sorted keys, no whitespace). */
function refusedJson(mutate: (header: Loose) => void, code: EnvelopeErrorCode, message: string): void {
  const header = JSON.parse(VALID_JSON) as Loose;
  mutate(header);
  expectEnvelopeError(() => parseEnvelope(envelopeOf(sortedJson(header))), code, message);
}

function b64(length: number): string {
  return btoa(String.fromCharCode(...bytes(length, 9)));
}

describe('parseEnvelope', () => {
  it('should return the header, its length and the body offset when given a serialized header and a body', () => {
    const body = bytes(1000, 3);
    const envelope = new Uint8Array(VALID.length + body.length);
    envelope.set(VALID);
    envelope.set(body, VALID.length);
    const parsed = parseEnvelope(envelope);
    expect(parsed.header).toEqual(valid());
    expect(parsed.headerLength).toBe(VALID.length - 9);
    expect(parsed.bodyOffset).toBe(VALID.length);
  });

  it('should read only the header when the input is a view into a larger buffer', () => {
    const backing = new Uint8Array(VALID.length + 20).fill(0xee);
    backing.set(VALID, 7);
    expect(parseEnvelope(backing.subarray(7)).header).toEqual(valid());
  });

  it('should return copies when the caller mutates the input afterwards', () => {
    const input = VALID.slice();
    const parsed = parseEnvelope(input);
    input.fill(0);
    expect(parsed.header).toEqual(valid());
  });

  it('should keep a __proto__ context key as a key when the header has one', () => {
    const header = { ...valid(), context: JSON.parse('{"__proto__":"x","a":"b"}') as Record<string, string> };
    const parsed = parseEnvelope(serializeEnvelopeHeader(header)).header;
    expect(Object.keys(parsed.context)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(parsed.context)).toBe(Object.prototype);
  });

  it('Envelope must be a Uint8Array', () => {
    for (const value of [undefined, null, 'SYME', Array.from(VALID), VALID.buffer]) {
      expectEnvelopeError(
        () => parseEnvelope(value as unknown as Uint8Array),
        'BAD_FIELD',
        'Envelope must be a Uint8Array',
      );
      expectEnvelopeError(
        () => envelopeHeaderLength(value as unknown as Uint8Array),
        'BAD_FIELD',
        'Envelope must be a Uint8Array',
      );
    }
  });

  it('Envelope is shorter than 9 bytes', () => {
    for (let length = 0; length < 9; length++) {
      expectEnvelopeError(
        () => parseEnvelope(VALID.subarray(0, length)),
        'TRUNCATED',
        'Envelope is shorter than 9 bytes',
      );
    }
  });

  it('Envelope does not start with the SYME magic', () => {
    for (let i = 0; i < 4; i++) {
      const envelope = VALID.slice();
      envelope[i] ^= 0x20;
      expectEnvelopeError(
        () => parseEnvelope(envelope),
        'BAD_FIELD',
        'Envelope does not start with the SYME magic',
      );
      // Refused as soon as the wrong byte has arrived.
      expectEnvelopeError(
        () => envelopeHeaderLength(envelope.subarray(0, i + 1)),
        'BAD_FIELD',
        'Envelope does not start with the SYME magic',
      );
    }
  });

  it('Envelope version is not supported', () => {
    for (const version of [0x00, 0x02, 0x7b, 0xff]) {
      const envelope = VALID.slice();
      envelope[4] = version;
      expectEnvelopeError(() => parseEnvelope(envelope), 'BAD_VERSION', 'Envelope version is not supported');
      expectEnvelopeError(
        () => envelopeHeaderLength(envelope.subarray(0, 5)),
        'BAD_VERSION',
        'Envelope version is not supported',
      );
    }
  });

  it('Envelope header length is less than 2', () => {
    for (const n of [0, 1]) {
      const envelope = VALID.slice();
      new DataView(envelope.buffer).setUint32(5, n, false);
      expectEnvelopeError(
        () => parseEnvelope(envelope),
        'BAD_FIELD',
        'Envelope header length is less than 2',
      );
    }
  });

  it('Envelope header is longer than 65536 bytes', () => {
    for (const n of [65_537, 0xffff_ffff]) {
      const prefix = VALID.slice(0, 9);
      new DataView(prefix.buffer).setUint32(5, n, false);
      expectEnvelopeError(
        () => envelopeHeaderLength(prefix),
        'TOO_LONG',
        'Envelope header is longer than 65536 bytes',
      );
      expectEnvelopeError(
        () => parseEnvelope(prefix),
        'TOO_LONG',
        'Envelope header is longer than 65536 bytes',
      );
    }
  });

  it('Envelope is shorter than its header length', () => {
    for (const length of [9, 10, VALID.length - 1]) {
      expectEnvelopeError(
        () => parseEnvelope(VALID.subarray(0, length)),
        'TRUNCATED',
        'Envelope is shorter than its header length',
      );
    }
  });

  it('Envelope header is not valid UTF-8', () => {
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      const text = new TextEncoder().encode('{"a":"x"}');
      const json = new Uint8Array([...text.subarray(0, 6), ...bad, ...text.subarray(6)]);
      const envelope = envelopeOf('');
      const out = new Uint8Array(9 + json.length);
      out.set(envelope.subarray(0, 9));
      new DataView(out.buffer).setUint32(5, json.length, false);
      out.set(json, 9);
      expectEnvelopeError(() => parseEnvelope(out), 'BAD_FIELD', 'Envelope header is not valid UTF-8');
    }
  });

  it('Envelope header is not JSON', () => {
    for (const text of ['{"', '{}}', 'nu', '\uFEFF{}', VALID_JSON.slice(0, -1), `${VALID_JSON}x`]) {
      expectEnvelopeError(() => parseEnvelope(envelopeOf(text)), 'BAD_FIELD', 'Envelope header is not JSON');
    }
  });

  it('Envelope header is not canonical JSON', () => {
    const whitespace = JSON.stringify(JSON.parse(VALID_JSON), null, 1);
    const withDuplicate = VALID_JSON.replace(
      '{"authorities"',
      '{"id":"AAAAAAAAAAAAAAAAAAAAAA==","authorities"',
    );
    const unsorted = VALID_JSON.replace(/^\{("authorities":\[.*?\]),("context":\{.*?\}),/, '{$2,$1,');
    const escaped = VALID_JSON.replace('"backup"', '"\\u0062ackup"');
    const empty = VALID_JSON.replace(/"context":\{.*?\},/, '"context":{},');
    const float = VALID_JSON.replace('"chain":[0,1]', '"chain":[0,1.0]');
    const exponent = VALID_JSON.replace('"chain":[0,1]', '"chain":[0,1e0]');
    const negativeZero = VALID_JSON.replace('"chain":[0,1]', '"chain":[-0,1]');
    expect(unsorted).not.toBe(VALID_JSON);
    for (const text of [
      whitespace,
      ` ${VALID_JSON}`,
      withDuplicate,
      unsorted,
      escaped,
      empty,
      float,
      exponent,
      negativeZero,
    ]) {
      expect(text).not.toBe(VALID_JSON);
      expectEnvelopeError(
        () => parseEnvelope(envelopeOf(text)),
        'BAD_FIELD',
        'Envelope header is not canonical JSON',
      );
    }
  });

  it('Envelope header must be an object', () => {
    for (const text of ['[]', '"x"', '12', 'null', 'true']) {
      expectEnvelopeError(
        () => parseEnvelope(envelopeOf(text)),
        'BAD_FIELD',
        'Envelope header must be an object',
      );
    }
    expectEnvelopeError(
      () => serializeEnvelopeHeader(null as Loose),
      'BAD_FIELD',
      'Envelope header must be an object',
    );
  });

  it('Envelope header has an unknown field', () => {
    const mutations: ((h: Loose) => void)[] = [
      (h) => (h.v = 1),
      (h) => (h.authorities[0].region = 'eu'),
      (h) => (h.authorities[1].endpoint = 'https://x.example'),
      (h) => (h.authorities[1].keyArn = 'arn'),
      (h) => (h.key.extra = ''),
      (h) => (h.key = { split: [h.key, { chain: [], wrapped: 'AA==' }], wrapped: 'AA==' }),
      (h) =>
        (h.key = {
          split: [
            { ...h.key, chain: [0], x: 1 },
            { chain: [1], wrapped: 'AA==' },
          ],
        }),
    ];
    for (const mutate of mutations) {
      refusedJson(mutate, 'BAD_FIELD', 'Envelope header has an unknown field');
    }
    expectEnvelopeError(
      () => serializeEnvelopeHeader({ ...valid(), extra: 1 } as Loose),
      'BAD_FIELD',
      'Envelope header has an unknown field',
    );
  });

  it('Envelope id is not base64', () => {
    for (const id of [
      null,
      16,
      '9vXl0fJ3bqk3b9wH3Pq1xw',
      '9vXl0fJ3bqk3b9wH3Pq1xx==',
      '9vXl0fJ3bqk3b9wH3Pq1-w==',
      'AAAA AAA',
    ]) {
      refusedJson((h) => (h.id = id), 'BAD_FIELD', 'Envelope id is not base64');
    }
  });

  it('Envelope id must be a Uint8Array', () => {
    for (const id of ['9vXl0fJ3bqk3b9wH3Pq1xw==', Array.from(bytes(16, 0)), undefined]) {
      expectEnvelopeError(
        () => serializeEnvelopeHeader({ ...valid(), id } as Loose),
        'BAD_FIELD',
        'Envelope id must be a Uint8Array',
      );
    }
  });

  it('Envelope id must be 16 bytes', () => {
    for (const length of [0, 15, 17, 32]) {
      refusedJson((h) => (h.id = b64(length)), 'BAD_FIELD', 'Envelope id must be 16 bytes');
      expectEnvelopeError(
        () => serializeEnvelopeHeader({ ...valid(), id: bytes(length, 0) }),
        'BAD_FIELD',
        'Envelope id must be 16 bytes',
      );
    }
  });

  it('Envelope authorities must be an array', () => {
    for (const value of [undefined, null, {}, 'kms']) {
      refusedJson((h) => (h.authorities = value), 'BAD_FIELD', 'Envelope authorities must be an array');
    }
  });

  it('Envelope has no authorities', () => {
    refusedJson((h) => (h.authorities = []), 'BAD_FIELD', 'Envelope has no authorities');
  });

  it('Envelope has more than 16 authorities', () => {
    const authorities = Array.from({ length: 17 }, (_, i) => ({ id: `k${i}`, type: 'kms', keyArn: 'a' }));
    refusedJson((h) => (h.authorities = authorities), 'TOO_LONG', 'Envelope has more than 16 authorities');
  });

  it('Envelope authority must be an object', () => {
    for (const value of [null, 'kms', ['kms'], 1]) {
      refusedJson((h) => (h.authorities[1] = value), 'BAD_FIELD', 'Envelope authority must be an object');
    }
  });

  it('Envelope authority type is not supported', () => {
    for (const type of ['KMS', 'hsm', '', null, undefined]) {
      refusedJson(
        (h) => (h.authorities[0].type = type),
        'BAD_FIELD',
        'Envelope authority type is not supported',
      );
    }
  });

  it('Envelope authority id must be 1 to 64 of A-Za-z0-9._-', () => {
    for (const id of ['', 'a b', 'a/b', 'é', 'x'.repeat(65), 7, null]) {
      refusedJson(
        (h) => (h.authorities[0].id = id),
        'BAD_FIELD',
        'Envelope authority id must be 1 to 64 of A-Za-z0-9._-',
      );
    }
  });

  it('should accept authority ids of 64 allowed characters when they are at the limit', () => {
    const header = {
      ...valid(),
      authorities: [
        { ...valid().authorities[0]!, id: 'A.z_9-'.repeat(10) + 'abcd' },
        valid().authorities[1]!,
      ],
    };
    expect(parseEnvelope(serializeEnvelopeHeader(header)).header).toEqual(header);
  });

  it('Envelope authority ids must be unique', () => {
    refusedJson(
      (h) => (h.authorities[1].id = h.authorities[0].id),
      'BAD_FIELD',
      'Envelope authority ids must be unique',
    );
  });

  it('Envelope authorities must be different keys', () => {
    // The same customer key under two ids would count twice in the all-of: refused in reading and in writing.
    const twice = {
      ...valid(),
      authorities: [
        { ...CUSTOMER, id: 'a' },
        { ...CUSTOMER, id: 'b' },
      ],
    };
    expectEnvelopeError(
      () => serializeEnvelopeHeader(twice),
      'BAD_FIELD',
      'Envelope authorities must be different keys',
    );
    refusedJson(
      (h) => (h.authorities[0] = { ...h.authorities[1], id: 'other' }),
      'BAD_FIELD',
      'Envelope authorities must be different keys',
    );
    const sameKms = { ...valid(), authorities: [KMS, { ...KMS, id: 'again' }] };
    expectEnvelopeError(
      () => serializeEnvelopeHeader(sameKms),
      'BAD_FIELD',
      'Envelope authorities must be different keys',
    );
    // The same ARN at another endpoint is another key (another provider).
    const elsewhere = {
      ...valid(),
      authorities: [KMS, { ...KMS, id: 'again', endpoint: 'https://kms.other.example' }],
    };
    expect(parseEnvelope(serializeEnvelopeHeader(elsewhere)).header).toEqual(elsewhere);
  });

  it('Envelope keyId must be 16 lower-case hex digits', () => {
    for (const keyId of [
      '5F0C1D2E3A4B5C6D',
      '5f0c1d2e3a4b5c6',
      '5f0c1d2e3a4b5c6d0',
      'gf0c1d2e3a4b5c6d',
      '',
      1,
      undefined,
    ]) {
      refusedJson(
        (h) => (h.authorities[1].keyId = keyId),
        'BAD_FIELD',
        'Envelope keyId must be 16 lower-case hex digits',
      );
    }
  });

  it('Envelope keyArn must be a string', () => {
    for (const keyArn of [undefined, null, 1, ['arn']]) {
      refusedJson((h) => (h.authorities[0].keyArn = keyArn), 'BAD_FIELD', 'Envelope keyArn must be a string');
    }
  });

  it('Envelope keyArn is empty', () => {
    refusedJson((h) => (h.authorities[0].keyArn = ''), 'BAD_FIELD', 'Envelope keyArn is empty');
  });

  it('Envelope keyArn is longer than 2048 characters', () => {
    refusedJson(
      (h) => (h.authorities[0].keyArn = 'a'.repeat(2049)),
      'TOO_LONG',
      'Envelope keyArn is longer than 2048 characters',
    );
    refusedJson(
      (h) => (h.authorities[0].keyArn = '😀'.repeat(2049)),
      'TOO_LONG',
      'Envelope keyArn is longer than 2048 characters',
    );
  });

  it('should count characters as code points when a keyArn is at the limit', () => {
    const header = {
      ...valid(),
      authorities: [{ ...valid().authorities[0]!, keyArn: '😀'.repeat(2048) }, valid().authorities[1]!],
    };
    expect(parseEnvelope(serializeEnvelopeHeader(header)).header).toEqual(header);
  });

  it('Envelope endpoint must be an http(s) URL without credentials', () => {
    const bad = [
      null,
      1,
      '',
      'kms.example',
      'ftp://kms.example',
      'HTTPS://kms.example',
      'https://',
      'https:// x',
      'https://user:pw@kms.example',
      'https://user@kms.example',
      'https://kms.example/\n',
      'https://[::1',
      'https://a\uD800',
    ];
    for (const endpoint of bad) {
      refusedJson(
        (h) => (h.authorities[0].endpoint = endpoint),
        'BAD_FIELD',
        'Envelope endpoint must be an http(s) URL without credentials',
      );
    }
  });

  it('should accept http and https endpoints with a port and a path when they are well formed', () => {
    for (const endpoint of [
      'http://127.0.0.1:4566',
      'https://kms.eu-west-1.amazonaws.com/',
      'https://[::1]:8443/kms',
    ]) {
      const header = {
        ...valid(),
        authorities: [{ ...valid().authorities[0]!, endpoint }, valid().authorities[1]!],
      };
      expect(parseEnvelope(serializeEnvelopeHeader(header)).header).toEqual(header);
    }
  });

  it('Envelope endpoint is longer than 2048 characters', () => {
    const endpoint = `https://kms.example/${'p'.repeat(2029)}`;
    expect(endpoint.length).toBe(2049);
    refusedJson(
      (h) => (h.authorities[0].endpoint = endpoint),
      'TOO_LONG',
      'Envelope endpoint is longer than 2048 characters',
    );
  });

  it('Envelope strings must be well-formed Unicode', () => {
    refusedJson(
      (h) => (h.context.purpose = '\uD800'),
      'BAD_FIELD',
      'Envelope strings must be well-formed Unicode',
    );
    refusedJson(
      (h) => (h.context['\uDC00'] = 'x'),
      'BAD_FIELD',
      'Envelope strings must be well-formed Unicode',
    );
    refusedJson(
      (h) => (h.authorities[0].keyArn = 'arn\uD83D'),
      'BAD_FIELD',
      'Envelope strings must be well-formed Unicode',
    );
  });

  it('Envelope context must be an object of strings', () => {
    for (const context of [null, 'a=b', ['a'], { a: 1 }, { a: null }, { a: { b: 'c' } }]) {
      refusedJson((h) => (h.context = context), 'BAD_FIELD', 'Envelope context must be an object of strings');
    }
  });

  it('Envelope context has more than 64 entries', () => {
    const context = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, '']));
    refusedJson((h) => (h.context = context), 'TOO_LONG', 'Envelope context has more than 64 entries');
  });

  it('Envelope context key is empty', () => {
    refusedJson((h) => (h.context[''] = 'x'), 'BAD_FIELD', 'Envelope context key is empty');
  });

  it('Envelope context key is longer than 256 characters', () => {
    refusedJson(
      (h) => (h.context['k'.repeat(257)] = ''),
      'TOO_LONG',
      'Envelope context key is longer than 256 characters',
    );
  });

  it('Envelope context value is longer than 1024 characters', () => {
    refusedJson(
      (h) => (h.context.purpose = 'v'.repeat(1025)),
      'TOO_LONG',
      'Envelope context value is longer than 1024 characters',
    );
  });

  it('Envelope context key starts with symbolon:', () => {
    for (const key of ['symbolon:', 'symbolon:envelope', 'symbolon:x']) {
      refusedJson((h) => (h.context[key] = 'x'), 'BAD_FIELD', 'Envelope context key starts with symbolon:');
    }
  });

  it('should accept a context at every limit when it has 64 entries of 256 and 1024 characters', () => {
    const context = Object.fromEntries(
      Array.from({ length: 64 }, (_, i) => [`${i}`.padStart(256, 'k'), 'v'.repeat(i === 0 ? 1024 : 0)]),
    );
    const header = { ...valid(), context: { ...context, 'Symbolon:x': '' } };
    delete (header.context as Record<string, string>)['0'.padStart(256, 'k')];
    expect(parseEnvelope(serializeEnvelopeHeader(header)).header).toEqual(header);
  });

  it('Envelope key recipe must be an object', () => {
    for (const key of [null, [], 'chain', undefined]) {
      refusedJson((h) => (h.key = key), 'BAD_FIELD', 'Envelope key recipe must be an object');
    }
    refusedJson(
      (h) => (h.key = { split: [h.key, null] }),
      'BAD_FIELD',
      'Envelope key recipe must be an object',
    );
  });

  it('Envelope chain must be an array of integers', () => {
    for (const chain of [undefined, null, 0, '0,1', [0, '1'], [0, 1.5], [0, null]]) {
      refusedJson((h) => (h.key.chain = chain), 'BAD_FIELD', 'Envelope chain must be an array of integers');
    }
  });

  it('Envelope chain is empty', () => {
    refusedJson((h) => (h.key.chain = []), 'BAD_FIELD', 'Envelope chain is empty');
  });

  it('Envelope chain has more than 8 authorities', () => {
    refusedJson(
      (h) => {
        h.authorities = Array.from({ length: 9 }, (_, i) => ({ id: `k${i}`, type: 'kms', keyArn: `a${i}` }));
        h.key.chain = [0, 1, 2, 3, 4, 5, 6, 7, 8];
      },
      'TOO_LONG',
      'Envelope chain has more than 8 authorities',
    );
  });

  it('Envelope chain index is out of range', () => {
    for (const chain of [
      [0, 2],
      [-1, 1],
      [0, 16],
    ]) {
      refusedJson((h) => (h.key.chain = chain), 'BAD_FIELD', 'Envelope chain index is out of range');
    }
  });

  it('Envelope authority is used more than once', () => {
    refusedJson((h) => (h.key.chain = [0, 1, 0]), 'BAD_FIELD', 'Envelope authority is used more than once');
    refusedJson(
      (h) =>
        (h.key = {
          split: [
            { chain: [0, 1], wrapped: 'AA==' },
            { chain: [1], wrapped: 'AA==' },
          ],
        }),
      'BAD_FIELD',
      'Envelope authority is used more than once',
    );
  });

  it('Envelope authority is never used', () => {
    refusedJson((h) => (h.key.chain = [1]), 'BAD_FIELD', 'Envelope authority is never used');
  });

  it('Envelope wrapped key is not base64', () => {
    for (const wrapped of [undefined, null, 1, 'AAA', 'AB==', '!!!!', 'AA==AA==']) {
      refusedJson((h) => (h.key.wrapped = wrapped), 'BAD_FIELD', 'Envelope wrapped key is not base64');
    }
  });

  it('Envelope wrapped key must be a Uint8Array', () => {
    for (const wrapped of ['AA==', [1, 2], undefined]) {
      expectEnvelopeError(
        () => serializeEnvelopeHeader({ ...valid(), key: { chain: [0, 1], wrapped } } as Loose),
        'BAD_FIELD',
        'Envelope wrapped key must be a Uint8Array',
      );
    }
  });

  it('Envelope wrapped key is empty', () => {
    refusedJson((h) => (h.key.wrapped = ''), 'BAD_FIELD', 'Envelope wrapped key is empty');
    expectEnvelopeError(
      () => serializeEnvelopeHeader({ ...valid(), key: { chain: [0, 1], wrapped: new Uint8Array(0) } }),
      'BAD_FIELD',
      'Envelope wrapped key is empty',
    );
  });

  it('Envelope wrapped key is longer than 8192 bytes', () => {
    refusedJson(
      (h) => (h.key.wrapped = b64(8193)),
      'TOO_LONG',
      'Envelope wrapped key is longer than 8192 bytes',
    );
  });

  it('Envelope split must be an array', () => {
    for (const split of [null, {}, 'key']) {
      refusedJson((h) => (h.key = { split }), 'BAD_FIELD', 'Envelope split must be an array');
    }
  });

  it('Envelope split has fewer than 2 parts', () => {
    refusedJson((h) => (h.key = { split: [] }), 'BAD_FIELD', 'Envelope split has fewer than 2 parts');
    refusedJson((h) => (h.key = { split: [h.key] }), 'BAD_FIELD', 'Envelope split has fewer than 2 parts');
  });

  it('Envelope split has more than 8 parts', () => {
    refusedJson(
      (h) => {
        h.authorities = Array.from({ length: 9 }, (_, i) => ({ id: `k${i}`, type: 'kms', keyArn: `a${i}` }));
        h.key = { split: Array.from({ length: 9 }, (_, i) => ({ chain: [i], wrapped: 'AA==' })) };
      },
      'TOO_LONG',
      'Envelope split has more than 8 parts',
    );
  });

  it('Envelope split cannot be nested', () => {
    refusedJson(
      (h) => {
        h.authorities.push({ id: 'third', type: 'kms', keyArn: 'a' });
        h.key = {
          split: [
            { chain: [0], wrapped: 'AA==' },
            {
              split: [
                { chain: [1], wrapped: 'AA==' },
                { chain: [2], wrapped: 'AA==' },
              ],
            },
          ],
        };
      },
      'BAD_FIELD',
      'Envelope split cannot be nested',
    );
  });

  it('should refuse or parse to a different header when any single byte of a valid envelope is changed', () => {
    for (const original of [VALID, serializeEnvelopeHeader(SCHEMES['split key']!)]) {
      const body = bytes(64, 11);
      const envelope = new Uint8Array(original.length + body.length);
      envelope.set(original);
      envelope.set(body, original.length);
      expect(parseEnvelope(envelope).bodyOffset).toBe(original.length);
      const originalHex = hex(original);
      let refused = 0;
      const others: string[] = [];
      const foreign: unknown[] = [];
      for (let at = 0; at < original.length; at++) {
        for (const mask of [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff]) {
          const flipped = envelope.slice();
          flipped[at] ^= mask;
          try {
            // A parsed header is canonical, so it is the same header exactly when it re-serializes to the same bytes.
            others.push(hex(serializeEnvelopeHeader(parseEnvelope(flipped).header)));
          } catch (error: unknown) {
            if (error instanceof EnvelopeError) {
              refused++;
            } else {
              foreign.push(error);
            }
          }
        }
      }
      expect(foreign).toEqual([]);
      expect(others).not.toContain(originalHex);
      expect(refused).toBeGreaterThan(0);
      expect(others.length).toBeGreaterThan(0);
    }
  });

  it('should throw only EnvelopeError when given garbage after a valid prefix', () => {
    const next = prng(0xe1e);
    for (let round = 0; round < 500; round++) {
      const json = randomBytes(next, 2 + (next() % 300));
      const envelope = new Uint8Array(9 + json.length);
      envelope.set(VALID.subarray(0, 5));
      new DataView(envelope.buffer).setUint32(5, json.length, false);
      envelope.set(json, 9);
      expect(() => parseEnvelope(envelope)).toThrow(EnvelopeError);
    }
  });
});

describe('envelopeHeaderLength', () => {
  it('should be undefined when fewer than 9 bytes have arrived and they match so far', () => {
    for (let length = 0; length < 9; length++) {
      expect(envelopeHeaderLength(VALID.subarray(0, length))).toBeUndefined();
    }
  });

  it('should be the body offset when 9 bytes or more have arrived', () => {
    for (const length of [9, 10, VALID.length, VALID.length + 5]) {
      const input = new Uint8Array(length);
      input.set(VALID.subarray(0, Math.min(length, VALID.length)));
      expect(envelopeHeaderLength(input)).toBe(VALID.length);
    }
  });

  it('should let a stream reader parse exactly the bytes it asked for when the envelope arrives in pieces', () => {
    const envelope = new Uint8Array(VALID.length + 100);
    envelope.set(VALID);
    let buffered = new Uint8Array(0);
    let needed: number | undefined;
    for (let at = 0; needed === undefined || buffered.length < needed; at += 3) {
      buffered = envelope.slice(0, at + 3);
      needed = envelopeHeaderLength(buffered);
    }
    const parsed = parseEnvelope(buffered.subarray(0, needed));
    expect(parsed.bodyOffset).toBe(needed);
    expect(parsed.header).toEqual(valid());
  });

  it('should accept the bounds when the header length is 2 or 65536', () => {
    for (const n of [2, 65_536]) {
      const prefix = VALID.slice(0, 9);
      new DataView(prefix.buffer).setUint32(5, n, false);
      expect(envelopeHeaderLength(prefix)).toBe(9 + n);
    }
  });
});
