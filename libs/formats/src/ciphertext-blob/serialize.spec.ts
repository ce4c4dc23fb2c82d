import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError, hex } from '../../test/envelope-error.js';
import { ciphertextBlobHeader, serializeCiphertextBlob } from './serialize.js';

const KEY_ID = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
const IV = Uint8Array.from({ length: 12 }, (_, i) => i);

function sealedOf(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
}

describe('ciphertextBlobHeader', () => {
  it('should lay out version, key id and big-endian key version when given valid fields', () => {
    expect(hex(ciphertextBlobHeader(KEY_ID, 0x01020304))).toBe(
      '01' + 'f47ac10b58cc4372a5670e02b2c3d479' + '01020304',
    );
  });

  it('should write the same bytes when the key id is upper case', () => {
    expect(ciphertextBlobHeader(KEY_ID.toUpperCase(), 1)).toEqual(ciphertextBlobHeader(KEY_ID, 1));
  });

  it('should accept the extreme key versions when given 1 and 4294967295', () => {
    expect(hex(ciphertextBlobHeader(KEY_ID, 1)).slice(-8)).toBe('00000001');
    expect(hex(ciphertextBlobHeader(KEY_ID, 0xffffffff)).slice(-8)).toBe('ffffffff');
  });

  it('Key version must be an integer from 1 to 4294967295', () => {
    for (const keyVersion of [0, -1, 1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY, '1']) {
      expectEnvelopeError(
        () => ciphertextBlobHeader(KEY_ID, keyVersion as number),
        'BAD_FIELD',
        'Key version must be an integer from 1 to 4294967295',
      );
    }
  });

  it('should refuse the key id when it is not a UUID', () => {
    expectEnvelopeError(
      () => ciphertextBlobHeader('alias/my-key', 1),
      'BAD_FIELD',
      'Key id must be a UUID in 8-4-4-4-12 hex form',
    );
  });
});

describe('serializeCiphertextBlob', () => {
  it('should write header || iv || sealed when given valid parts', () => {
    const sealed = sealedOf(20);
    const blob = serializeCiphertextBlob({ keyId: KEY_ID, keyVersion: 7, iv: IV, sealed });
    expect(blob.length).toBe(21 + 12 + 20);
    expect(blob.subarray(0, 21)).toEqual(ciphertextBlobHeader(KEY_ID, 7));
    expect(blob.subarray(21, 33)).toEqual(IV);
    expect(blob.subarray(33)).toEqual(sealed);
  });

  it('should write a 49-byte blob when the plaintext was empty', () => {
    expect(
      serializeCiphertextBlob({ keyId: KEY_ID, keyVersion: 1, iv: IV, sealed: sealedOf(16) }).length,
    ).toBe(49);
  });

  it('should write a 4145-byte blob when the plaintext was 4096 bytes', () => {
    const blob = serializeCiphertextBlob({ keyId: KEY_ID, keyVersion: 1, iv: IV, sealed: sealedOf(4112) });
    expect(blob.length).toBe(4145);
  });

  it('should not alias its inputs when the caller mutates them afterwards', () => {
    const sealed = sealedOf(16);
    const iv = IV.slice();
    const blob = serializeCiphertextBlob({ keyId: KEY_ID, keyVersion: 1, iv, sealed });
    const before = blob.slice();
    sealed.fill(0);
    iv.fill(0);
    expect(blob).toEqual(before);
  });

  it('IV must be exactly 12 bytes', () => {
    for (const iv of [
      new Uint8Array(0),
      new Uint8Array(11),
      new Uint8Array(13),
      new Uint8Array(16),
      Array.from(IV),
    ]) {
      expectEnvelopeError(
        () =>
          serializeCiphertextBlob({
            keyId: KEY_ID,
            keyVersion: 1,
            iv: iv as Uint8Array,
            sealed: sealedOf(16),
          }),
        'BAD_FIELD',
        'IV must be exactly 12 bytes',
      );
    }
  });

  it('Sealed data must hold at least the 16-byte GCM tag', () => {
    for (const sealed of [new Uint8Array(0), sealedOf(15), 'not bytes']) {
      expectEnvelopeError(
        () => serializeCiphertextBlob({ keyId: KEY_ID, keyVersion: 1, iv: IV, sealed: sealed as Uint8Array }),
        'TRUNCATED',
        'Sealed data must hold at least the 16-byte GCM tag',
      );
    }
  });

  it('Sealed data must not exceed 4096 bytes of ciphertext plus the tag', () => {
    for (const length of [4113, 6144, 100_000]) {
      expectEnvelopeError(
        () => serializeCiphertextBlob({ keyId: KEY_ID, keyVersion: 1, iv: IV, sealed: sealedOf(length) }),
        'TOO_LONG',
        'Sealed data must not exceed 4096 bytes of ciphertext plus the tag',
      );
    }
  });
});
