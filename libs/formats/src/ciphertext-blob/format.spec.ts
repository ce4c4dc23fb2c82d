import { describe, expect, it } from '@jest/globals';

import * as format from './format.js';

describe('ciphertext blob format', () => {
  it('should keep the documented offsets and lengths when the constants are read', () => {
    expect(format.CiphertextBlobOffset).toEqual({
      VERSION: 0,
      KEY_ID: 1,
      KEY_VERSION: 17,
      IV: 21,
      CIPHERTEXT: 33,
    });
    expect(format.CIPHERTEXT_BLOB_HEADER_LENGTH).toBe(21);
    expect(format.CIPHERTEXT_BLOB_MIN_LENGTH).toBe(49);
    expect(format.CIPHERTEXT_BLOB_MAX_LENGTH).toBe(6144);
    expect(format.CIPHERTEXT_BLOB_MAX_PLAINTEXT_LENGTH).toBe(4096);
    expect(format.CIPHERTEXT_BLOB_MAX_SEALED_LENGTH).toBe(4112);
    expect(format.CIPHERTEXT_BLOB_MAX_KEY_VERSION).toBe(2 ** 32 - 1);
  });

  it('should place each field right after the previous one when offsets are added up', () => {
    const o = format.CiphertextBlobOffset;
    expect(o.KEY_ID).toBe(o.VERSION + format.CIPHERTEXT_BLOB_VERSION_LENGTH);
    expect(o.KEY_VERSION).toBe(o.KEY_ID + format.CIPHERTEXT_BLOB_KEY_ID_LENGTH);
    expect(o.IV).toBe(o.KEY_VERSION + format.CIPHERTEXT_BLOB_KEY_VERSION_LENGTH);
    expect(o.CIPHERTEXT).toBe(o.IV + format.CIPHERTEXT_BLOB_IV_LENGTH);
  });

  it('should fit the largest writable blob when checked against the reader limit', () => {
    expect(
      format.CiphertextBlobOffset.CIPHERTEXT + format.CIPHERTEXT_BLOB_MAX_SEALED_LENGTH,
    ).toBeLessThanOrEqual(format.CIPHERTEXT_BLOB_MAX_LENGTH);
  });

  it('should refuse changes when code tries to modify the frozen tables', () => {
    expect(Object.isFrozen(format.CiphertextBlobVersion)).toBe(true);
    expect(Object.isFrozen(format.CiphertextBlobOffset)).toBe(true);
    expect(format.CiphertextBlobVersion.V1).toBe(1);
  });
});
