// What is refused before any token is used; against a real SoftHSM2 token: test/integration/pkcs11-customer-key.
import { SdkError } from '../core/errors.js';
import { Pkcs11CustomerKey, generateKeyInToken, importKeyToToken } from './index.js';

const opts = { module: '/no/such/module.so', tokenLabel: 'token', pin: '1234', keyLabel: 'key' };

describe('Pkcs11CustomerKey', () => {
  it('a PKCS#11 customer key names a module, a token label, a PIN and a key label', async () => {
    for (const field of ['module', 'tokenLabel', 'pin', 'keyLabel'] as const) {
      const bad = { ...opts, [field]: '' };
      expect(() => Pkcs11CustomerKey.open('mine', bad)).toThrow(
        new SdkError('CONFIG', 'a PKCS#11 customer key names a module, a token label, a PIN and a key label'),
      );
      expect(() => generateKeyInToken(bad)).toThrow(SdkError);
      await expect(importKeyToToken({ ...bad, raw: new Uint8Array(32) })).rejects.toMatchObject({
        code: 'CONFIG',
        message: 'a PKCS#11 customer key names a module, a token label, a PIN and a key label',
      });
    }
  });

  it('a key to import into a token is 32 bytes (AES-256)', async () => {
    for (const length of [0, 16, 31, 33]) {
      await expect(importKeyToToken({ ...opts, raw: new Uint8Array(length) })).rejects.toMatchObject({
        code: 'CONFIG',
        message: 'a key to import into a token is 32 bytes (AES-256)',
      });
    }
  });

  it('should refuse with a CONFIG error naming the module, never the PIN, when the module cannot be loaded', () => {
    let failure: unknown;
    try {
      Pkcs11CustomerKey.open('mine', { ...opts, pin: 'secret-pin-4711' });
    } catch (e) {
      failure = e;
    }
    expect(failure).toBeInstanceOf(SdkError);
    expect(failure).toMatchObject({ code: 'CONFIG' });
    expect((failure as Error).message).toContain('/no/such/module.so');
    expect((failure as Error).message).not.toContain('secret-pin-4711');
  });
});
