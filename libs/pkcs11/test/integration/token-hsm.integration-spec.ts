// Against a real SoftHSM2 token created in a fresh temporary folder.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  activateSoftHsmConf,
  initSoftHsmToken,
  listSoftHsmTokenLabels,
} from '../../../platform/src/local/softhsm.js';
import {
  domainKeyLabel,
  HsmError,
  type HsmErrorCode,
  type KeyMaterialRef,
  Pkcs11Token,
  TokenHsm,
} from '../../src/index.js';

const LABEL = 'symbolon-it';
const PIN_LABEL = 'symbolon-it-pin';
const PIN = '246810';
const SO_PIN = '13579111';

let dir: string;
let modulePath: string;
let deactivate: () => void = () => undefined;

function cfg(label = LABEL, pin = PIN) {
  return { modulePath, tokenLabel: label, pin };
}

function codeOf(fn: () => unknown): HsmErrorCode | 'NO_ERROR' | 'NOT_HSM_ERROR' {
  try {
    fn();
    return 'NO_ERROR';
  } catch (err) {
    return err instanceof HsmError ? err.code : 'NOT_HSM_ERROR';
  }
}

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'symbolon-pkcs11-'));
  const a = await initSoftHsmToken({ dir, label: LABEL, pin: PIN, soPin: SO_PIN });
  await initSoftHsmToken({ dir, label: PIN_LABEL, pin: PIN, soPin: SO_PIN });
  deactivate = activateSoftHsmConf(a.conf);
  modulePath = a.modulePath;
});

afterAll(async () => {
  deactivate();
  await rm(dir, { recursive: true, force: true });
});

describe('initSoftHsmToken', () => {
  it('should leave the token unchanged when a token with the label already exists', async () => {
    const again = await initSoftHsmToken({ dir, label: LABEL, pin: 'other-pin', soPin: 'other-so-pin' });
    expect(await listSoftHsmTokenLabels(again.conf)).toEqual(expect.arrayContaining([LABEL, PIN_LABEL]));
    expect((await listSoftHsmTokenLabels(again.conf)).filter((l) => l === LABEL)).toHaveLength(1);
  });
});

describe('TokenHsm', () => {
  let token: Pkcs11Token;
  let hsm: TokenHsm;
  const iv = randomBytes(12);
  const aad = Buffer.from('tenant=t1;key=k1');

  beforeAll(() => {
    token = Pkcs11Token.open(cfg());
    hsm = new TokenHsm(token, { cacheSize: 4 });
  });

  afterAll(() => {
    hsm.close();
  });

  it('should create a sensitive, wrap-with-trusted domain key when the generation is new', () => {
    expect(hsm.ensureDomainKey(1)).toEqual({ created: true });
    const found = token.findSecretKeys(domainKeyLabel(1));
    expect(found).toHaveLength(1);
    const attrs = token.getSecretKeyAttributes(found[0]!);
    expect(attrs).toEqual({
      label: 'symbolon-domain-1',
      keyType: 'aes',
      token: true,
      private: true,
      sensitive: true,
      extractable: true,
      alwaysSensitive: true,
      neverExtractable: false,
      wrapWithTrusted: true,
      encrypt: false,
      decrypt: false,
      wrap: true,
      unwrap: true,
      sign: false,
      verify: false,
      derive: false,
      valueLength: 32,
    });
  });

  it('should not reveal CKA_VALUE when the domain key is read', () => {
    const [domain] = token.findSecretKeys(domainKeyLabel(1));
    expect(codeOf(() => token.readKeyValue(domain!))).toBe('ATTRIBUTE_SENSITIVE');
  });

  it('should refuse to wrap the domain key when the wrapping key is not trusted', () => {
    const [domain] = token.findSecretKeys(domainKeyLabel(1));
    const untrusted = token.importAesKey(randomBytes(32), 'wrap');
    try {
      expect(codeOf(() => token.wrapKey(untrusted, domain!, 'rfc3394'))).toBe('KEY_NOT_WRAPPABLE');
      expect(codeOf(() => token.wrapKey(untrusted, domain!, 'rfc5649'))).toBe('KEY_NOT_WRAPPABLE');
    } finally {
      token.destroy(untrusted);
    }
  });

  it('should return created false when the domain key already exists', () => {
    expect(hsm.ensureDomainKey(1)).toEqual({ created: false });
    expect(token.findSecretKeys(domainKeyLabel(1))).toHaveLength(1);
  });

  it('should round-trip plaintexts of several sizes when key material is generated', () => {
    const ref = hsm.generateKeyMaterial(1);
    expect(ref.domainGeneration).toBe(1);
    expect(ref.wrapped).toHaveLength(40);
    for (const size of [0, 1, 15, 16, 17, 4096, 65536]) {
      const pt = randomBytes(size);
      const sealed = hsm.encrypt(ref, iv, pt, aad);
      expect(sealed).toHaveLength(size + 16);
      expect(Buffer.from(hsm.decrypt(ref, iv, sealed, aad))).toEqual(pt);
    }
  });

  it('should give different wrapped values when key material is generated twice', () => {
    const a = hsm.generateKeyMaterial(1);
    const b = hsm.generateKeyMaterial(1);
    expect(Buffer.from(a.wrapped).equals(Buffer.from(b.wrapped))).toBe(false);
  });

  describe('decrypt negatives', () => {
    let ref: KeyMaterialRef;
    let sealed: Uint8Array;
    const pt = Buffer.from('attack at dawn, bring snacks');

    beforeAll(() => {
      ref = hsm.generateKeyMaterial(1);
      sealed = hsm.encrypt(ref, iv, pt, aad);
    });

    it('should reject with ENCRYPTED_DATA_INVALID when the AAD differs', () => {
      expect(codeOf(() => hsm.decrypt(ref, iv, sealed, Buffer.from('tenant=t2;key=k1')))).toBe(
        'ENCRYPTED_DATA_INVALID',
      );
      expect(codeOf(() => hsm.decrypt(ref, iv, sealed, new Uint8Array(0)))).toBe('ENCRYPTED_DATA_INVALID');
    });

    it('should reject with ENCRYPTED_DATA_INVALID when a ciphertext or tag bit is flipped', () => {
      expect(codeOf(() => hsm.decrypt(ref, iv, flip(sealed, 0), aad))).toBe('ENCRYPTED_DATA_INVALID');
      expect(codeOf(() => hsm.decrypt(ref, iv, flip(sealed, sealed.length - 1), aad))).toBe(
        'ENCRYPTED_DATA_INVALID',
      );
    });

    it('should reject with ENCRYPTED_DATA_INVALID when the IV differs', () => {
      expect(codeOf(() => hsm.decrypt(ref, flip(iv, 3), sealed, aad))).toBe('ENCRYPTED_DATA_INVALID');
    });

    it('should reject with ENCRYPTED_DATA_INVALID when the sealed message is truncated', () => {
      expect(codeOf(() => hsm.decrypt(ref, iv, sealed.subarray(0, sealed.length - 1), aad))).toBe(
        'ENCRYPTED_DATA_INVALID',
      );
      expect(codeOf(() => hsm.decrypt(ref, iv, sealed.subarray(1), aad))).toBe('ENCRYPTED_DATA_INVALID');
      expect(codeOf(() => hsm.decrypt(ref, iv, new Uint8Array(0), aad))).toBe('ENCRYPTED_DATA_INVALID');
    });

    it('a sealed AES-GCM message must hold at least the 16-byte tag', () => {
      expect(codeOf(() => hsm.decrypt(ref, iv, sealed.subarray(0, 15), aad))).toBe('ENCRYPTED_DATA_INVALID');
    });

    it('should still decrypt when earlier decryptions failed', () => {
      expect(Buffer.from(hsm.decrypt(ref, iv, sealed, aad))).toEqual(pt);
    });

    it('should reject with WRAPPED_KEY_INVALID when a bit of the wrapped key is flipped', () => {
      for (const i of [0, 7, 8, 39]) {
        const bad = { domainGeneration: 1, wrapped: flip(ref.wrapped, i) };
        expect(codeOf(() => hsm.decrypt(bad, iv, sealed, aad))).toBe('WRAPPED_KEY_INVALID');
      }
    });

    it('wrapped key material must be 40 bytes (AES-256 under RFC 3394)', () => {
      const short = { domainGeneration: 1, wrapped: ref.wrapped.subarray(0, 32) };
      expect(codeOf(() => hsm.decrypt(short, iv, sealed, aad))).toBe('WRAPPED_KEY_INVALID');
      const long = { domainGeneration: 1, wrapped: new Uint8Array(48) };
      expect(codeOf(() => hsm.encrypt(long, iv, pt, aad))).toBe('WRAPPED_KEY_INVALID');
    });

    it('should reject with WRAPPED_KEY_INVALID when the key was wrapped under another generation', () => {
      hsm.ensureDomainKey(2);
      const other = { domainGeneration: 2, wrapped: ref.wrapped };
      expect(codeOf(() => hsm.decrypt(other, iv, sealed, aad))).toBe('WRAPPED_KEY_INVALID');
    });

    it('should reject with KEY_NOT_FOUND when the domain generation does not exist', () => {
      const missing = { domainGeneration: 99, wrapped: ref.wrapped };
      expect(codeOf(() => hsm.decrypt(missing, iv, sealed, aad))).toBe('KEY_NOT_FOUND');
      expect(codeOf(() => hsm.generateKeyMaterial(99))).toBe('KEY_NOT_FOUND');
    });

    it('AES-GCM on the token takes a 12-byte IV', () => {
      expect(codeOf(() => hsm.encrypt(ref, randomBytes(16), pt, aad))).toBe('UNSUPPORTED_PARAMETERS');
      expect(codeOf(() => hsm.decrypt(ref, randomBytes(8), sealed, aad))).toBe('UNSUPPORTED_PARAMETERS');
    });
  });

  it('should keep at most cacheSize unwrapped keys when more keys are used', () => {
    const refs = Array.from({ length: 7 }, () => hsm.generateKeyMaterial(1));
    const sealed = refs.map((ref, i) => hsm.encrypt(ref, iv, Buffer.from(`message ${i}`), aad));
    expect(hsm.health().cachedKeys).toBe(4);
    // The first refs were evicted: they are unwrapped again and still work.
    refs.forEach((ref, i) => {
      expect(Buffer.from(hsm.decrypt(ref, iv, sealed[i]!, aad)).toString()).toBe(`message ${i}`);
    });
    expect(hsm.health().cachedKeys).toBe(4);
  });

  it('should drop the unwrapped copy and unwrap it again on next use when a cached key is evicted', () => {
    const ref = hsm.generateKeyMaterial(1);
    const sealed = hsm.encrypt(ref, iv, Buffer.from('evict me'), aad);
    const before = hsm.health().cachedKeys;
    expect(hsm.evict(ref)).toBe(true);
    expect(hsm.health().cachedKeys).toBe(before - 1);
    expect(hsm.evict(ref)).toBe(false);
    expect(Buffer.from(hsm.decrypt(ref, iv, sealed, aad)).toString()).toBe('evict me');
    expect(hsm.health().cachedKeys).toBe(before);
  });

  it('should reject with WRAPPED_KEY_INVALID when the evicted reference is malformed', () => {
    expect(codeOf(() => hsm.evict({ domainGeneration: 1, wrapped: new Uint8Array(8) }))).toBe(
      'WRAPPED_KEY_INVALID',
    );
  });

  it('should re-wrap key material under a new generation, and lose the old EKTs once that generation is destroyed', () => {
    const ref = hsm.generateKeyMaterial(1);
    const sealed = hsm.encrypt(ref, iv, Buffer.from('rotated'), aad);
    expect(hsm.ensureDomainKey(7).created).toBe(true);
    const moved = hsm.rewrapKeyMaterial(ref, 7);
    expect(moved.domainGeneration).toBe(7);
    expect(Buffer.from(moved.wrapped).equals(Buffer.from(ref.wrapped))).toBe(false);
    expect(Buffer.from(hsm.decrypt(moved, iv, sealed, aad)).toString()).toBe('rotated');
    // Generation 7 stands in for a retiring generation here: destroy it, and what it wrapped is gone, cached or not.
    const again = hsm.rewrapKeyMaterial(moved, 1);
    expect(hsm.destroyDomainKey(7)).toBe(true);
    expect(hsm.hasDomainKey(7)).toBe(false);
    expect(codeOf(() => hsm.decrypt(moved, iv, sealed, aad))).toBe('KEY_NOT_FOUND');
    expect(codeOf(() => hsm.rewrapKeyMaterial(again, 7))).toBe('KEY_NOT_FOUND');
    expect(Buffer.from(hsm.decrypt(again, iv, sealed, aad)).toString()).toBe('rotated');
    expect(hsm.destroyDomainKey(7)).toBe(false);
    // RFC 3394 is deterministic: back under generation 1 it is the original EKT.
    expect(Buffer.from(again.wrapped).equals(Buffer.from(ref.wrapped))).toBe(true);
    hsm.generateKeyMaterial(1); // leaves the cache full again for the tests below
  });

  it('should return fresh random bytes when generateRandom is called', () => {
    const a = hsm.generateRandom(32);
    const b = hsm.generateRandom(32);
    expect(a).toHaveLength(32);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('random requests must be 1 to 65536 bytes', () => {
    expect(codeOf(() => hsm.generateRandom(0))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => hsm.generateRandom(65537))).toBe('INVALID_ARGUMENT');
  });

  it('should report healthy with its token label when open', () => {
    expect(hsm.health()).toEqual({ ok: true, tokenLabel: LABEL, cachedKeys: 4 });
  });

  it('should refuse with TOKEN_IN_USE when the same token is opened twice in one process', () => {
    expect(codeOf(() => Pkcs11Token.open(cfg()))).toBe('TOKEN_IN_USE');
  });
});

describe('TokenHsm across reopen', () => {
  it('should keep the domain key and decrypt old ciphertexts when the token is reopened', () => {
    const first = TokenHsm.open({ ...cfg(), cacheSize: 2 });
    first.ensureDomainKey(7);
    const ref = first.generateKeyMaterial(7);
    const iv = randomBytes(12);
    const sealed = first.encrypt(ref, iv, Buffer.from('persisted'), new Uint8Array(0));
    first.close();
    expect(first.health().ok).toBe(false);
    expect(codeOf(() => first.encrypt(ref, iv, Buffer.from('x'), new Uint8Array(0)))).toBe('SESSION_CLOSED');

    const second = TokenHsm.open({ ...cfg(), cacheSize: 2 });
    try {
      expect(second.ensureDomainKey(7)).toEqual({ created: false });
      expect(Buffer.from(second.decrypt(ref, iv, sealed, new Uint8Array(0))).toString()).toBe('persisted');
    } finally {
      second.close();
    }
  });
});

describe('Pkcs11Token', () => {
  it('should fail with PIN_INCORRECT when the PIN is wrong', () => {
    expect(codeOf(() => Pkcs11Token.open(cfg(PIN_LABEL, '000000')))).toBe('PIN_INCORRECT');
    // A failed login leaves nothing behind: the right PIN still opens the token.
    const t = Pkcs11Token.open(cfg(PIN_LABEL));
    t.close();
  });

  it('should fail with TOKEN_NOT_FOUND when no token has the label', () => {
    expect(codeOf(() => Pkcs11Token.open(cfg('no-such-token')))).toBe('TOKEN_NOT_FOUND');
  });

  it('the token label must not be empty', () => {
    expect(codeOf(() => Pkcs11Token.open(cfg('')))).toBe('INVALID_ARGUMENT');
  });

  describe('with an open token', () => {
    let token: Pkcs11Token;
    beforeAll(() => {
      token = Pkcs11Token.open(cfg());
    });
    afterAll(() => {
      token.close();
    });

    it('should interoperate with node:crypto when the AES-GCM key has a known value', () => {
      for (const len of [16, 24, 32]) {
        const value = randomBytes(len);
        const key = token.importAesKey(value, 'aead');
        const iv = randomBytes(12);
        const aad = randomBytes(20);
        const pt = randomBytes(100);
        const sealed = Buffer.from(token.aesGcmEncrypt(key, iv, aad, pt));

        const d = createDecipheriv(`aes-${len * 8}-gcm` as 'aes-256-gcm', value, iv);
        d.setAAD(aad);
        d.setAuthTag(sealed.subarray(sealed.length - 16));
        expect(Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()])).toEqual(pt);

        const c = createCipheriv(`aes-${len * 8}-gcm` as 'aes-256-gcm', value, iv);
        c.setAAD(aad);
        const nodeSealed = Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]);
        expect(nodeSealed).toEqual(sealed);
        expect(Buffer.from(token.aesGcmDecrypt(key, iv, aad, nodeSealed))).toEqual(pt);
        token.destroy(key);
      }
    });

    it('should interoperate with node:crypto when wrapping with RFC 3394 and RFC 5649', () => {
      const kek = randomBytes(32);
      const key = token.importAesKey(kek, 'wrap');
      const secret = randomBytes(32);
      const wrapped = token.aesKeyWrap(key, secret, 'rfc3394');
      const c = createCipheriv('id-aes256-wrap', kek, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
      expect(Buffer.from(wrapped)).toEqual(Buffer.concat([c.update(secret), c.final()]));
      expect(Buffer.from(token.aesKeyUnwrap(key, wrapped, 'rfc3394'))).toEqual(secret);

      const eight = randomBytes(8);
      const padded = token.aesKeyWrap(key, eight, 'rfc5649');
      const cp = createCipheriv('id-aes256-wrap-pad', kek, Buffer.from('a65959a6', 'hex'));
      expect(Buffer.from(padded)).toEqual(Buffer.concat([cp.update(eight), cp.final()]));
      expect(Buffer.from(token.aesKeyUnwrap(key, padded, 'rfc5649'))).toEqual(eight);

      // The unwrap side takes every length: node:crypto's RFC 5649 wrap of 13 bytes unwraps to 13 bytes.
      const odd = randomBytes(13);
      const co = createCipheriv('id-aes256-wrap-pad', kek, Buffer.from('a65959a6', 'hex'));
      const oddWrapped = Buffer.concat([co.update(odd), co.final()]);
      expect(Buffer.from(token.aesKeyUnwrap(key, oddWrapped, 'rfc5649'))).toEqual(odd);
      token.destroy(key);
    });

    it('RFC 5649 wrapping on the token takes a multiple of 8 bytes', () => {
      const key = token.importAesKey(randomBytes(32), 'wrap');
      expect(codeOf(() => token.aesKeyWrap(key, randomBytes(13), 'rfc5649'))).toBe('UNSUPPORTED_PARAMETERS');
      expect(codeOf(() => token.aesKeyWrap(key, randomBytes(1), 'rfc5649'))).toBe('UNSUPPORTED_PARAMETERS');
      token.destroy(key);
    });

    it('AES keys must be 16, 24 or 32 bytes', () => {
      expect(codeOf(() => token.importAesKey(randomBytes(20), 'aead'))).toBe('UNSUPPORTED_PARAMETERS');
      expect(
        codeOf(() =>
          token.generateAesKey({
            length: 8,
            usage: 'aead',
            token: false,
            sensitive: true,
            extractable: false,
          }),
        ),
      ).toBe('UNSUPPORTED_PARAMETERS');
    });

    it('a key that may only be wrapped with a trusted key must be extractable', () => {
      expect(
        codeOf(() =>
          token.generateAesKey({
            length: 32,
            usage: 'wrap',
            token: false,
            sensitive: true,
            extractable: false,
            wrapWithTrusted: true,
          }),
        ),
      ).toBe('INVALID_ARGUMENT');
    });

    it('RFC 3394 wraps a multiple of 8 bytes, at least 16', () => {
      const key = token.importAesKey(randomBytes(16), 'wrap');
      expect(codeOf(() => token.aesKeyWrap(key, randomBytes(15), 'rfc3394'))).toBe('DATA_LEN_RANGE');
      expect(codeOf(() => token.aesKeyWrap(key, randomBytes(8), 'rfc3394'))).toBe('DATA_LEN_RANGE');
      token.destroy(key);
    });

    it('a secret to wrap must not be empty', () => {
      const key = token.importAesKey(randomBytes(16), 'wrap');
      expect(codeOf(() => token.aesKeyWrap(key, new Uint8Array(0), 'rfc5649'))).toBe('DATA_LEN_RANGE');
      expect(codeOf(() => token.importWrappableSecret(new Uint8Array(0)))).toBe('DATA_LEN_RANGE');
      token.destroy(key);
    });

    it('a wrapped key must be a multiple of 8 bytes, at least 24 (RFC 3394) or 16 (RFC 5649)', () => {
      const key = token.importAesKey(randomBytes(16), 'wrap');
      expect(codeOf(() => token.aesKeyUnwrap(key, randomBytes(16), 'rfc3394'))).toBe('WRAPPED_KEY_INVALID');
      expect(codeOf(() => token.aesKeyUnwrap(key, randomBytes(25), 'rfc3394'))).toBe('WRAPPED_KEY_INVALID');
      expect(codeOf(() => token.aesKeyUnwrap(key, randomBytes(8), 'rfc5649'))).toBe('WRAPPED_KEY_INVALID');
      token.destroy(key);
    });

    it('should fail with KEY_FUNCTION_NOT_PERMITTED when a wrap key is used for AES-GCM', () => {
      const key = token.importAesKey(randomBytes(32), 'wrap');
      expect(codeOf(() => token.aesGcmEncrypt(key, randomBytes(12), new Uint8Array(0), randomBytes(4)))).toBe(
        'KEY_FUNCTION_NOT_PERMITTED',
      );
      token.destroy(key);
    });

    it('should fail with KEY_NOT_FOUND when a destroyed handle is used', () => {
      const key = token.importAesKey(randomBytes(32), 'aead');
      token.destroy(key);
      expect(codeOf(() => token.aesGcmEncrypt(key, randomBytes(12), new Uint8Array(0), randomBytes(4)))).toBe(
        'KEY_NOT_FOUND',
      );
    });
  });
});
