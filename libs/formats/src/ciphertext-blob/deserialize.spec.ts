import { describe, expect, it } from '@jest/globals';

import { expectEnvelopeError, prng, randomBytes } from '../../test/envelope-error.js';
import { EnvelopeError } from '../errors.js';
import { deserializeCiphertextBlob } from './deserialize.js';
import { ciphertextBlobHeader, serializeCiphertextBlob } from './serialize.js';

const KEY_ID = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
const IV = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
const SEALED = Uint8Array.from({ length: 40 }, (_, i) => (i * 13 + 1) & 0xff);

function validBlob(): Uint8Array {
  return serializeCiphertextBlob({ keyId: KEY_ID, keyVersion: 42, iv: IV, sealed: SEALED });
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

describe('deserializeCiphertextBlob', () => {
  it('should return every field when given a blob from serializeCiphertextBlob', () => {
    expect(deserializeCiphertextBlob(validBlob())).toEqual({
      version: 1,
      keyId: KEY_ID,
      keyVersion: 42,
      header: ciphertextBlobHeader(KEY_ID, 42),
      iv: IV,
      sealed: SEALED,
    });
  });

  it('should return a lower-case key id when the blob was written from an upper-case one', () => {
    const blob = serializeCiphertextBlob({
      keyId: KEY_ID.toUpperCase(),
      keyVersion: 1,
      iv: IV,
      sealed: SEALED,
    });
    expect(deserializeCiphertextBlob(blob).keyId).toBe(KEY_ID);
  });

  it('should read the fields at the right offsets when the blob is a view into a larger buffer', () => {
    const blob = validBlob();
    const backing = new Uint8Array(blob.length + 10).fill(0xee);
    backing.set(blob, 7);
    const parsed = deserializeCiphertextBlob(backing.subarray(7, 7 + blob.length));
    expect(parsed.keyVersion).toBe(42);
    expect(parsed.keyId).toBe(KEY_ID);
    expect(parsed.sealed).toEqual(SEALED);
  });

  it('should return copies when the caller mutates the input afterwards', () => {
    const blob = validBlob();
    const parsed = deserializeCiphertextBlob(blob);
    blob.fill(0);
    expect(parsed.header).toEqual(ciphertextBlobHeader(KEY_ID, 42));
    expect(parsed.iv).toEqual(IV);
    expect(parsed.sealed).toEqual(SEALED);
  });

  it('should accept the largest key version when it is 4294967295', () => {
    const blob = serializeCiphertextBlob({ keyId: KEY_ID, keyVersion: 0xffffffff, iv: IV, sealed: SEALED });
    expect(deserializeCiphertextBlob(blob).keyVersion).toBe(0xffffffff);
  });

  it('should refuse the blob when it is truncated below 49 bytes at any offset', () => {
    const blob = validBlob();
    expectEnvelopeError(
      () => deserializeCiphertextBlob(blob.subarray(0, 0)),
      'TRUNCATED',
      'Ciphertext blob is empty',
    );
    for (let length = 1; length < 49; length++) {
      expectEnvelopeError(
        () => deserializeCiphertextBlob(blob.subarray(0, length)),
        'TRUNCATED',
        'Ciphertext blob is shorter than 49 bytes',
      );
    }
  });

  it('should never return the original sealed data when the blob is truncated at 49 bytes or more', () => {
    // Structure alone cannot tell a shorter ciphertext from a cut one: the tag then sits at the wrong place and
    // AES-GCM authentication refuses it (test-vectors.spec.ts checks that with real ciphertexts).
    const blob = validBlob();
    for (let length = 49; length < blob.length; length++) {
      const parsed = deserializeCiphertextBlob(blob.subarray(0, length));
      expect(parsed.sealed.length).toBe(length - 33);
      expect(parsed.sealed).not.toEqual(SEALED);
    }
  });

  it('should refuse the blob when its version byte is anything but 0x01', () => {
    for (let version = 0; version < 256; version++) {
      if (version === 1) {
        continue;
      }
      const blob = validBlob();
      blob[0] = version;
      expectEnvelopeError(
        () => deserializeCiphertextBlob(blob),
        'BAD_VERSION',
        'Ciphertext blob version is not supported',
      );
    }
  });

  it('Ciphertext blob version is not supported', () => {
    // The version is checked before the length, so that a short blob of an unknown version reports the version.
    expectEnvelopeError(
      () => deserializeCiphertextBlob(Uint8Array.of(0x02)),
      'BAD_VERSION',
      'Ciphertext blob version is not supported',
    );
    expectEnvelopeError(
      () => deserializeCiphertextBlob(new Uint8Array(49)),
      'BAD_VERSION',
      'Ciphertext blob version is not supported',
    );
  });

  it('Ciphertext blob is empty', () => {
    expectEnvelopeError(
      () => deserializeCiphertextBlob(new Uint8Array(0)),
      'TRUNCATED',
      'Ciphertext blob is empty',
    );
  });

  it('Ciphertext blob is shorter than 49 bytes', () => {
    expectEnvelopeError(
      () => deserializeCiphertextBlob(validBlob().subarray(0, 48)),
      'TRUNCATED',
      'Ciphertext blob is shorter than 49 bytes',
    );
  });

  it('Ciphertext blob is longer than 6144 bytes', () => {
    for (const extra of [6145 - 33, 1 << 20]) {
      const blob = concat(ciphertextBlobHeader(KEY_ID, 1), IV, new Uint8Array(extra));
      expectEnvelopeError(
        () => deserializeCiphertextBlob(blob),
        'TOO_LONG',
        'Ciphertext blob is longer than 6144 bytes',
      );
    }
  });

  it('should accept the blob when it is exactly 6144 bytes', () => {
    const blob = concat(ciphertextBlobHeader(KEY_ID, 1), IV, new Uint8Array(6144 - 33));
    expect(deserializeCiphertextBlob(blob).sealed.length).toBe(6144 - 33);
  });

  it('should treat appended bytes as ciphertext when the blob is extended within 6144 bytes', () => {
    // The moved tag makes AES-GCM authentication fail (test-vectors.spec.ts checks that with real ciphertexts).
    const parsed = deserializeCiphertextBlob(concat(validBlob(), Uint8Array.of(0)));
    expect(parsed.sealed).toEqual(concat(SEALED, Uint8Array.of(0)));
  });

  it('Ciphertext blob key version is zero', () => {
    const blob = validBlob();
    blob.set([0, 0, 0, 0], 17);
    expectEnvelopeError(
      () => deserializeCiphertextBlob(blob),
      'BAD_FIELD',
      'Ciphertext blob key version is zero',
    );
  });

  it('Ciphertext blob must be a Uint8Array', () => {
    for (const value of [undefined, null, 'AQID', Array.from(validBlob()), validBlob().buffer, 42]) {
      expectEnvelopeError(
        () => deserializeCiphertextBlob(value as unknown as Uint8Array),
        'BAD_FIELD',
        'Ciphertext blob must be a Uint8Array',
      );
    }
  });

  it('should throw only EnvelopeError or return a complete blob when given garbage', () => {
    const next = prng(0x5eed);
    let parsed = 0;
    for (let round = 0; round < 2000; round++) {
      const bytes = randomBytes(next, next() % 7000);
      if (round % 2 === 0 && bytes.length > 0) {
        bytes[0] = 1;
      }
      let result;
      try {
        result = deserializeCiphertextBlob(bytes);
      } catch (error: unknown) {
        expect(error).toBeInstanceOf(EnvelopeError);
        continue;
      }
      parsed++;
      expect(concat(result.header, result.iv, result.sealed)).toEqual(bytes);
      expect(result.keyVersion).toBeGreaterThanOrEqual(1);
      expect(result.keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    // Both outcomes occurred, so the property was exercised on each side.
    expect(parsed).toBeGreaterThan(0);
    expect(parsed).toBeLessThan(2000);
  });
});
