import { createCipheriv } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';

import { expectRejection, patternBytes } from './chunked.test-helper.js';
import { webCryptoAead } from './aead.js';

const KEY = patternBytes(32, 11);
const NONCE = patternBytes(12, 12);

function nodeSeal(plaintext: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-256-gcm', KEY, NONCE, { authTagLength: 16 });
  return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
}

describe('webCryptoAead', () => {
  it('should seal like AES-256-GCM with empty AAD and open its own output when given any length', async () => {
    const aead = await webCryptoAead(KEY);
    for (const length of [0, 1, 15, 16, 17, 16384]) {
      const plaintext = patternBytes(length, length + 1);
      const sealed = await aead.seal(NONCE, plaintext);
      expect(sealed).toEqual(nodeSeal(plaintext));
      expect(await aead.open(NONCE, sealed)).toEqual(plaintext);
    }
  });

  it('should accept inputs that are views into larger buffers when sealing and opening', async () => {
    const aead = await webCryptoAead(KEY);
    const backing = patternBytes(100, 5);
    const sealed = await aead.seal(NONCE, backing.subarray(10, 50));
    const wrapped = new Uint8Array(sealed.length + 8);
    wrapped.set(sealed, 3);
    expect(await aead.open(NONCE, wrapped.subarray(3, 3 + sealed.length))).toEqual(backing.subarray(10, 50));
  });

  it('Chunk authentication failed', async () => {
    const aead = await webCryptoAead(KEY);
    const sealed = await aead.seal(NONCE, patternBytes(40, 2));
    for (let bit = 0; bit < sealed.length * 8; bit += 37) {
      const flipped = sealed.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      await expectRejection(aead.open(NONCE, flipped), 'BAD_TAG', 'Chunk authentication failed');
    }
    const otherNonce = NONCE.slice();
    otherNonce[11] ^= 1;
    await expectRejection(aead.open(otherNonce, sealed), 'BAD_TAG', 'Chunk authentication failed');
    await expectRejection(aead.open(NONCE, sealed.subarray(0, 15)), 'BAD_TAG', 'Chunk authentication failed');
    await expectRejection(aead.open(NONCE, new Uint8Array(0)), 'BAD_TAG', 'Chunk authentication failed');
    const otherKey = await webCryptoAead(patternBytes(32, 99));
    await expectRejection(otherKey.open(NONCE, sealed), 'BAD_TAG', 'Chunk authentication failed');
  });

  it('Chunk AEAD key must be 32 bytes', async () => {
    for (const key of [new Uint8Array(16), new Uint8Array(31), new Uint8Array(33), undefined]) {
      await expectRejection(webCryptoAead(key as Uint8Array), 'BAD_FIELD', 'Chunk AEAD key must be 32 bytes');
    }
  });

  it('Chunk nonce must be 12 bytes', async () => {
    const aead = await webCryptoAead(KEY);
    for (const nonce of [new Uint8Array(11), new Uint8Array(16), undefined]) {
      await expectRejection(
        aead.seal(nonce as Uint8Array, new Uint8Array(1)),
        'BAD_FIELD',
        'Chunk nonce must be 12 bytes',
      );
      await expectRejection(
        aead.open(nonce as Uint8Array, new Uint8Array(17)),
        'BAD_FIELD',
        'Chunk nonce must be 12 bytes',
      );
    }
  });
});
