import { randomBytes } from 'node:crypto';

import { HsmError, type HsmErrorCode } from './errors.js';
import { FakeHsm } from './fake-hsm.js';
import { type KeyMaterialRef, TokenHsm } from './hsm.js';
import type { Pkcs11Token } from './token.js';

function codeOf(fn: () => unknown): HsmErrorCode | 'NO_ERROR' | 'NOT_HSM_ERROR' {
  try {
    fn();
    return 'NO_ERROR';
  } catch (err) {
    return err instanceof HsmError ? err.code : 'NOT_HSM_ERROR';
  }
}

function flip(bytes: Uint8Array, i: number): Uint8Array {
  const c = Uint8Array.from(bytes);
  c[i] = (c[i] ?? 0) ^ 1;
  return c;
}

describe('FakeHsm', () => {
  let hsm: FakeHsm;
  let ref: KeyMaterialRef;
  const iv = randomBytes(12);
  const aad = Buffer.from('ctx');
  const pt = Buffer.from('fake but faithful');

  beforeEach(() => {
    hsm = new FakeHsm();
    hsm.ensureDomainKey(1);
    ref = hsm.generateKeyMaterial(1);
  });

  it('should report created only once when ensureDomainKey is called twice', () => {
    expect(hsm.ensureDomainKey(2)).toEqual({ created: true });
    expect(hsm.ensureDomainKey(2)).toEqual({ created: false });
  });

  it('should round-trip when key material is generated', () => {
    expect(ref.wrapped).toHaveLength(40);
    const sealed = hsm.encrypt(ref, iv, pt, aad);
    expect(sealed).toHaveLength(pt.length + 16);
    expect(Buffer.from(hsm.decrypt(ref, iv, sealed, aad))).toEqual(pt);
    expect(Buffer.from(hsm.decrypt(ref, iv, hsm.encrypt(ref, iv, new Uint8Array(0), aad), aad))).toHaveLength(
      0,
    );
  });

  it('should reject with ENCRYPTED_DATA_INVALID when the AAD, a bit or the length is wrong', () => {
    const sealed = hsm.encrypt(ref, iv, pt, aad);
    expect(codeOf(() => hsm.decrypt(ref, iv, sealed, Buffer.from('other')))).toBe('ENCRYPTED_DATA_INVALID');
    expect(codeOf(() => hsm.decrypt(ref, iv, flip(sealed, 2), aad))).toBe('ENCRYPTED_DATA_INVALID');
    expect(codeOf(() => hsm.decrypt(ref, iv, sealed.subarray(0, sealed.length - 1), aad))).toBe(
      'ENCRYPTED_DATA_INVALID',
    );
  });

  it('a sealed AES-GCM message must hold at least the 16-byte tag', () => {
    expect(codeOf(() => hsm.decrypt(ref, iv, new Uint8Array(15), aad))).toBe('ENCRYPTED_DATA_INVALID');
  });

  it('should reject with WRAPPED_KEY_INVALID when the wrapped key is altered or from another generation', () => {
    const sealed = hsm.encrypt(ref, iv, pt, aad);
    expect(codeOf(() => hsm.decrypt({ ...ref, wrapped: flip(ref.wrapped, 5) }, iv, sealed, aad))).toBe(
      'WRAPPED_KEY_INVALID',
    );
    hsm.ensureDomainKey(2);
    expect(codeOf(() => hsm.decrypt({ ...ref, domainGeneration: 2 }, iv, sealed, aad))).toBe(
      'WRAPPED_KEY_INVALID',
    );
  });

  it('wrapped key material must be 40 bytes (AES-256 under RFC 3394)', () => {
    expect(codeOf(() => hsm.encrypt({ ...ref, wrapped: ref.wrapped.subarray(0, 32) }, iv, pt, aad))).toBe(
      'WRAPPED_KEY_INVALID',
    );
  });

  it('a domain generation must be a non-negative safe integer', () => {
    expect(codeOf(() => hsm.ensureDomainKey(-1))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => hsm.ensureDomainKey(1.5))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => hsm.generateKeyMaterial(Number.NaN))).toBe('INVALID_ARGUMENT');
  });

  it('AES-GCM on the token takes a 12-byte IV', () => {
    expect(codeOf(() => hsm.encrypt(ref, randomBytes(16), pt, aad))).toBe('UNSUPPORTED_PARAMETERS');
  });

  it('random requests must be 1 to 65536 bytes', () => {
    expect(hsm.generateRandom(16)).toHaveLength(16);
    expect(codeOf(() => hsm.generateRandom(0))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => hsm.generateRandom(65537))).toBe('INVALID_ARGUMENT');
  });

  it('should fail with KEY_NOT_FOUND when the domain generation does not exist', () => {
    expect(codeOf(() => hsm.generateKeyMaterial(9))).toBe('KEY_NOT_FOUND');
  });

  it('should count a key as cached once used and drop it when evicted', () => {
    expect(hsm.evict(ref)).toBe(false);
    const sealed = hsm.encrypt(ref, iv, pt, aad);
    expect(hsm.health().cachedKeys).toBe(1);
    expect(hsm.evict(ref)).toBe(true);
    expect(hsm.health().cachedKeys).toBe(0);
    expect(hsm.evict(ref)).toBe(false);
    expect(Buffer.from(hsm.decrypt(ref, iv, sealed, aad))).toEqual(pt);
  });

  it('wrapped key material must be 40 bytes (AES-256 under RFC 3394) when evicting', () => {
    expect(codeOf(() => hsm.evict({ domainGeneration: 1, wrapped: new Uint8Array(8) }))).toBe(
      'WRAPPED_KEY_INVALID',
    );
  });

  it('should report unhealthy and refuse work when closed', () => {
    expect(hsm.health()).toEqual({ ok: true, tokenLabel: 'fake-hsm', cachedKeys: 0 });
    hsm.close();
    expect(hsm.health().ok).toBe(false);
    expect(codeOf(() => hsm.encrypt(ref, iv, pt, aad))).toBe('SESSION_CLOSED');
  });
});

describe('TokenHsm', () => {
  it('the key cache size must be a positive integer', () => {
    // The precondition is checked before the token is touched.
    const token = {} as Pkcs11Token;
    expect(codeOf(() => new TokenHsm(token, { cacheSize: 0 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new TokenHsm(token, { cacheSize: 2.5 }))).toBe('INVALID_ARGUMENT');
  });
});
