import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError, hex } from '../../test/envelope-error.js';
import { canonicalEncryptionContext, ciphertextBlobAad } from './aad.js';
import { ciphertextBlobHeader } from './serialize.js';

const KEY_ID = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';

describe('canonicalEncryptionContext', () => {
  it('should be the two bytes 0000 when the context is empty', () => {
    expect(hex(canonicalEncryptionContext({}))).toBe('0000');
  });

  it('should write count, key length, key, value length and value when given one entry', () => {
    expect(hex(canonicalEncryptionContext({ ab: 'xyz' }))).toBe('0001' + '0002' + '6162' + '0003' + '78797a');
  });

  it('should write empty keys and values as zero lengths when they are empty strings', () => {
    expect(hex(canonicalEncryptionContext({ '': '' }))).toBe('0001' + '0000' + '0000');
  });

  it('should order entries by the UTF-8 bytes of the key when insertion order differs', () => {
    expect(hex(canonicalEncryptionContext({ b: '2', a: '1', B: '3' }))).toBe(
      '0003' + '0001' + '42' + '0001' + '33' + '0001' + '61' + '0001' + '31' + '0001' + '62' + '0001' + '32',
    );
  });

  it('should order by UTF-8 bytes rather than UTF-16 code units when keys lie outside the BMP', () => {
    // U+FF61 is EF BD A1 in UTF-8 and 0xFF61 in UTF-16; U+1F600 is F0 9F 98 80 in UTF-8 but 0xD83D 0xDE00 in
    // UTF-16. A UTF-16 sort (JavaScript's default) would put U+1F600 first; the byte-wise sort puts U+FF61 first.
    const canonical = hex(canonicalEncryptionContext({ '\u{1F600}': 'b', '\uFF61': 'a' }));
    expect(canonical).toBe('0002' + '0003' + 'efbda1' + '0001' + '61' + '0004' + 'f09f9880' + '0001' + '62');
  });

  it('should put a key before its extensions when one key is a prefix of another', () => {
    expect(hex(canonicalEncryptionContext({ aa: '', a: '' }))).toBe(
      '0002' + '0001' + '61' + '0000' + '0002' + '6161' + '0000',
    );
  });

  it('should give the same bytes when the same context is built in any order', () => {
    const forward: Record<string, string> = {};
    const backward: Record<string, string> = {};
    const keys = ['tenant', 'bucket', 'object', 'Ürün', '日本', 'a'];
    keys.forEach((k, i) => (forward[k] = `v${i}`));
    [...keys].reverse().forEach((k) => (backward[k] = forward[k] as string));
    expect(canonicalEncryptionContext(backward)).toEqual(canonicalEncryptionContext(forward));
  });

  it('should accept keys and values of exactly 65535 bytes when they are at the limit', () => {
    const big = 'k'.repeat(65535);
    const canonical = canonicalEncryptionContext({ [big]: big });
    expect(canonical.length).toBe(2 + 2 + 65535 + 2 + 65535);
  });

  it('should accept 65535 entries when the count is at the limit', () => {
    const context: Record<string, string> = {};
    for (let i = 0; i < 65535; i++) {
      context[`k${i}`] = '';
    }
    expect(hex(canonicalEncryptionContext(context).subarray(0, 2))).toBe('ffff');
  });

  it('Encryption context has more than 65535 entries', () => {
    const context: Record<string, string> = {};
    for (let i = 0; i < 65536; i++) {
      context[`k${i}`] = '';
    }
    expectEnvelopeError(
      () => canonicalEncryptionContext(context),
      'TOO_LONG',
      'Encryption context has more than 65535 entries',
    );
  });

  it('Encryption context must be an object of string values', () => {
    for (const value of [null, undefined, 'a=b', 42, ['a', 'b']]) {
      expectEnvelopeError(
        () => canonicalEncryptionContext(value as unknown as Record<string, string>),
        'BAD_FIELD',
        'Encryption context must be an object of string values',
      );
    }
  });

  it('Encryption context values must be strings', () => {
    for (const value of [1, true, null, undefined, { nested: 'x' }, ['x']]) {
      expectEnvelopeError(
        () => canonicalEncryptionContext({ a: 'ok', b: value } as unknown as Record<string, string>),
        'BAD_FIELD',
        'Encryption context values must be strings',
      );
    }
  });

  it('Encryption context keys and values must be well-formed Unicode', () => {
    const contexts: Record<string, string>[] = [
      { '\uD800': 'x' },
      { '\uDC00x': 'x' },
      { a: 'x\uD83D' },
      { a: '\uDE00\uD83D' },
    ];
    for (const context of contexts) {
      expectEnvelopeError(
        () => canonicalEncryptionContext(context),
        'BAD_FIELD',
        'Encryption context keys and values must be well-formed Unicode',
      );
    }
  });

  it('should accept surrogate pairs when they are well formed', () => {
    expect(hex(canonicalEncryptionContext({ '\uD83D\uDE00': '\uD83D\uDE00' }))).toBe(
      '0001' + '0004f09f9880' + '0004f09f9880',
    );
  });

  it('Encryption context key is longer than 65535 bytes', () => {
    // 32768 two-byte characters: fewer than 65536 UTF-16 code units, but 65536 UTF-8 bytes.
    for (const key of ['k'.repeat(65536), '\u00e9'.repeat(32768)]) {
      expectEnvelopeError(
        () => canonicalEncryptionContext({ [key]: 'v' }),
        'TOO_LONG',
        'Encryption context key is longer than 65535 bytes',
      );
    }
  });

  it('Encryption context value is longer than 65535 bytes', () => {
    for (const value of ['v'.repeat(65536), '\u00e9'.repeat(32768)]) {
      expectEnvelopeError(
        () => canonicalEncryptionContext({ k: value }),
        'TOO_LONG',
        'Encryption context value is longer than 65535 bytes',
      );
    }
  });
});

describe('ciphertextBlobAad', () => {
  it('should be header followed by the canonical context when given a valid header', () => {
    const header = ciphertextBlobHeader(KEY_ID, 3);
    const aad = ciphertextBlobAad(header, { purpose: 'test' });
    expect(hex(aad)).toBe(hex(header) + hex(canonicalEncryptionContext({ purpose: 'test' })));
  });

  it('should differ when only the key version differs', () => {
    expect(ciphertextBlobAad(ciphertextBlobHeader(KEY_ID, 1), {})).not.toEqual(
      ciphertextBlobAad(ciphertextBlobHeader(KEY_ID, 2), {}),
    );
  });

  it('Header must be exactly 21 bytes', () => {
    const header = ciphertextBlobHeader(KEY_ID, 1);
    for (const value of [
      header.subarray(0, 20),
      new Uint8Array([...header, 0]),
      new Uint8Array(0),
      Array.from(header),
    ]) {
      expectEnvelopeError(
        () => ciphertextBlobAad(value as Uint8Array, {}),
        'BAD_FIELD',
        'Header must be exactly 21 bytes',
      );
    }
  });

  it('Header version is not supported', () => {
    const header = ciphertextBlobHeader(KEY_ID, 1);
    header[0] = 2;
    expectEnvelopeError(
      () => ciphertextBlobAad(header, {}),
      'BAD_VERSION',
      'Header version is not supported',
    );
  });
});
