import { randomBytes } from 'node:crypto';

import { CustomerKey, customerKeyId } from './customer-key.js';
import { SdkError } from './errors.js';

const binding = { 'symbolon:envelope': 'e', 'symbolon:part': 'key', 'symbolon:layer': '0' };

describe('CustomerKey', () => {
  it('should unwrap what it wrapped only under the same binding and key', async () => {
    const raw = randomBytes(32);
    const key = await CustomerKey.fromBytes('me', raw);
    const wrapped = await key.wrap(Buffer.from('secret'), binding);
    expect(Buffer.from(await key.unwrap(wrapped, binding)).toString()).toBe('secret');
    await expect(key.unwrap(wrapped, { ...binding, 'symbolon:layer': '1' })).rejects.toMatchObject({
      code: 'AUTHORITY_FAILED',
      authorityId: 'me',
    });
    const other = await CustomerKey.fromBytes('me', randomBytes(32));
    await expect(other.unwrap(wrapped, binding)).rejects.toBeInstanceOf(SdkError);
    await expect(key.unwrap(wrapped.subarray(0, 27), binding)).rejects.toMatchObject({
      code: 'AUTHORITY_FAILED',
    });
  });

  it('should name a raw key by 8 bytes of a labelled SHA-256 of it, the same for the same bytes', async () => {
    const raw = randomBytes(32);
    const id = await customerKeyId(raw);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect((await CustomerKey.fromBytes('x', raw)).describe()).toEqual({
      id: 'x',
      type: 'customer-key',
      keyId: id,
    });
    expect(await customerKeyId(randomBytes(32))).not.toBe(id);
  });

  it('a customer key is 32 bytes (AES-256)', async () => {
    await expect(CustomerKey.fromBytes('x', randomBytes(16))).rejects.toMatchObject({
      message: 'a customer key is 32 bytes (AES-256)',
    });
  });

  it('a customer CryptoKey is an AES-GCM key of 256 bits that can encrypt and decrypt', async () => {
    const short = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, [
      'encrypt',
      'decrypt',
    ]);
    expect(() => CustomerKey.fromCryptoKey('x', short, '0123456789abcdef')).toThrow(
      'a customer CryptoKey is an AES-GCM key of 256 bits that can encrypt and decrypt',
    );
  });

  it('a customer key id is 16 hex digits', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    expect(() => CustomerKey.fromCryptoKey('x', key, 'not-hex')).toThrow(
      'a customer key id is 16 hex digits',
    );
    const usable = CustomerKey.fromCryptoKey('x', key, '0123456789abcdef');
    const wrapped = await usable.wrap(Buffer.from('k'), binding);
    expect(Buffer.from(await usable.unwrap(wrapped, binding)).toString()).toBe('k');
  });
});
