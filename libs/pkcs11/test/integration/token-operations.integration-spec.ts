// Signing key, wrapping for a customer's public key and key import, against a real SoftHSM2 token
// created in a fresh temporary folder.
import {
  constants,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  verify,
} from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { activateSoftHsmConf, initSoftHsmToken } from '../../../platform/src/local/softhsm.js';
import {
  HsmError,
  type HsmErrorCode,
  importKeyLabel,
  type KeyMaterialRef,
  Pkcs11Token,
  SIGNING_KEY_LABEL,
  TokenHsm,
} from '../../src/index.js';

const LABEL = 'symbolon-it-ops';
const PIN = '246810';
const SO_PIN = '13579111';

let dir: string;
let modulePath: string;
let deactivate: () => void = () => undefined;

function codeOf(fn: () => unknown): HsmErrorCode | 'NO_ERROR' | 'NOT_HSM_ERROR' {
  try {
    fn();
    return 'NO_ERROR';
  } catch (err) {
    return err instanceof HsmError ? err.code : 'NOT_HSM_ERROR';
  }
}

const oaep = (key: KeyObject) => ({ key, oaepHash: 'sha1', padding: constants.RSA_PKCS1_OAEP_PADDING });

function spki(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
}

function gcmOpen(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, iv);
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'symbolon-pkcs11-ops-'));
  const t = await initSoftHsmToken({ dir, label: LABEL, pin: PIN, soPin: SO_PIN });
  deactivate = activateSoftHsmConf(t.conf);
  modulePath = t.modulePath;
});

afterAll(async () => {
  deactivate();
  await rm(dir, { recursive: true, force: true });
});

describe('TokenHsm token operations', () => {
  let token: Pkcs11Token;
  let hsm: TokenHsm;
  const customer = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const iv = randomBytes(12);
  const aad = Buffer.from('tenant=t1;key=k1');
  const pt = Buffer.from('the old ciphertext still opens');
  let ref: KeyMaterialRef;
  let sealed: Uint8Array;

  beforeAll(() => {
    token = Pkcs11Token.open({ modulePath, tokenLabel: LABEL, pin: PIN });
    hsm = new TokenHsm(token, { cacheSize: 8 });
    hsm.ensureDomainKey(1);
    hsm.ensureDomainKey(2);
    ref = hsm.generateKeyMaterial(1);
    sealed = hsm.encrypt(ref, iv, pt, aad);
  });

  afterAll(() => {
    hsm.close();
  });

  describe('signing key', () => {
    it('should fail with KEY_NOT_FOUND when the token has no signing key yet', () => {
      expect(codeOf(() => hsm.signingPublicKey())).toBe('KEY_NOT_FOUND');
      expect(codeOf(() => hsm.sign(Buffer.from('digest')))).toBe('KEY_NOT_FOUND');
    });

    it('should create the key once and sign verifiably with node:crypto when ensureSigningKey is called', () => {
      const first = hsm.ensureSigningKey();
      expect(first.created).toBe(true);
      expect(first.publicKey).toHaveLength(44);
      expect(Buffer.from(first.publicKey.subarray(0, 12)).toString('hex')).toBe('302a300506032b6570032100');
      const again = hsm.ensureSigningKey();
      expect(again.created).toBe(false);
      expect(Buffer.from(again.publicKey)).toEqual(Buffer.from(first.publicKey));
      expect(Buffer.from(hsm.signingPublicKey())).toEqual(Buffer.from(first.publicKey));

      const pub = createPublicKey({ key: Buffer.from(first.publicKey), format: 'der', type: 'spki' });
      expect(pub.asymmetricKeyType).toBe('ed25519');
      const message = Buffer.from('shred receipt: key k1, 2024-05-01');
      const signature = hsm.sign(message);
      expect(signature).toHaveLength(64);
      expect(verify(null, message, pub, signature)).toBe(true);
      expect(verify(null, Buffer.from('shred receipt: key k2, 2024-05-01'), pub, signature)).toBe(false);
    });

    it('a message to sign must not be empty', () => {
      expect(codeOf(() => hsm.sign(new Uint8Array(0)))).toBe('INVALID_ARGUMENT');
      expect(hsm.sign(new Uint8Array(1))).toHaveLength(64);
    });

    it('should keep the private half sensitive, not extractable and sign-only when the key pair is made', () => {
      const privates = token.findKeys('private', SIGNING_KEY_LABEL);
      expect(privates).toHaveLength(1);
      expect(token.findKeys('public', SIGNING_KEY_LABEL)).toHaveLength(1);
      expect(token.getPrivateKeyAttributes(privates[0]!)).toEqual({
        label: SIGNING_KEY_LABEL,
        token: true,
        private: true,
        sensitive: true,
        extractable: false,
        alwaysSensitive: true,
        neverExtractable: true,
        decrypt: false,
        sign: true,
        signRecover: false,
        unwrap: false,
        derive: false,
      });
    });
  });

  describe('wrapForPublicKey', () => {
    it('should give key bytes that open hsm.encrypt output in node:crypto when the customer decrypts them', () => {
      const wrapped = hsm.wrapForPublicKey(ref, spki(customer.publicKey));
      expect(wrapped).toHaveLength(384);
      const key = privateDecrypt(oaep(customer.privateKey), wrapped);
      expect(key).toHaveLength(32);
      expect(gcmOpen(key, iv, sealed, aad)).toEqual(pt);
    });

    it('should wrap for a 4096-bit public key when the customer has one', () => {
      const big = generateKeyPairSync('rsa', { modulusLength: 4096 });
      const wrapped = hsm.wrapForPublicKey(ref, spki(big.publicKey));
      expect(wrapped).toHaveLength(512);
      expect(gcmOpen(privateDecrypt(oaep(big.privateKey), wrapped), iv, sealed, aad)).toEqual(pt);
    });

    it('should leave the key cache unchanged when key material is wrapped for a customer', () => {
      const before = hsm.health().cachedKeys;
      hsm.wrapForPublicKey(ref, spki(customer.publicKey));
      expect(hsm.health().cachedKeys).toBe(before);
      expect(Buffer.from(hsm.decrypt(ref, iv, sealed, aad))).toEqual(pt);
    });

    it('the public key must be RSA SPKI DER of 3072 or 4096 bits with e = 65537', () => {
      const small = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const e3 = generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 3 });
      const ed = generateKeyPairSync('ed25519');
      const good = spki(customer.publicKey);
      for (const bad of [
        spki(small.publicKey),
        spki(e3.publicKey),
        spki(ed.publicKey),
        good.subarray(0, good.length - 1),
        randomBytes(422),
        new Uint8Array(0),
      ]) {
        expect(codeOf(() => hsm.wrapForPublicKey(ref, bad))).toBe('PUBLIC_KEY_INVALID');
      }
    });

    it('should fail with KEY_NOT_FOUND or WRAPPED_KEY_INVALID when the reference is unknown or altered', () => {
      const pub = spki(customer.publicKey);
      expect(codeOf(() => hsm.wrapForPublicKey({ ...ref, domainGeneration: 9 }, pub))).toBe('KEY_NOT_FOUND');
      expect(codeOf(() => hsm.wrapForPublicKey({ ...ref, domainGeneration: 2 }, pub))).toBe(
        'WRAPPED_KEY_INVALID',
      );
      expect(codeOf(() => hsm.wrapForPublicKey({ ...ref, wrapped: ref.wrapped.subarray(1) }, pub))).toBe(
        'WRAPPED_KEY_INVALID',
      );
    });
  });

  describe('import keys', () => {
    it('should round-trip key material when it is exported to a customer and imported back', () => {
      const toCustomer = hsm.wrapForPublicKey(ref, spki(customer.publicKey));
      const material = privateDecrypt(oaep(customer.privateKey), toCustomer);

      const importSpki = hsm.createImportKey('round-trip-1');
      const importPub = createPublicKey({ key: Buffer.from(importSpki), format: 'der', type: 'spki' });
      expect(importPub.asymmetricKeyType).toBe('rsa');
      expect(importPub.asymmetricKeyDetails?.modulusLength).toBe(3072);
      expect(importPub.asymmetricKeyDetails?.publicExponent).toBe(65537n);

      for (const generation of [1, 2]) {
        const imported = hsm.importKeyMaterial(
          'round-trip-1',
          publicEncrypt(oaep(importPub), material),
          generation,
        );
        expect(imported.domainGeneration).toBe(generation);
        expect(imported.wrapped).toHaveLength(40);
        expect(Buffer.from(hsm.decrypt(imported, iv, sealed, aad))).toEqual(pt);
      }
    });

    it('should keep the import private key unwrap-only and refuse to reveal or wrap it when asked', () => {
      hsm.createImportKey('attrs-1');
      const [priv] = token.findKeys('private', importKeyLabel('attrs-1'));
      const [pub] = token.findKeys('public', importKeyLabel('attrs-1'));
      expect(token.getPrivateKeyAttributes(priv!)).toEqual({
        label: 'symbolon-import-attrs-1',
        token: true,
        private: true,
        sensitive: true,
        extractable: false,
        alwaysSensitive: true,
        neverExtractable: true,
        decrypt: false,
        sign: false,
        signRecover: false,
        unwrap: true,
        derive: false,
      });
      expect(codeOf(() => token.readKeyValue(priv!, 'privateExponent'))).toBe('ATTRIBUTE_SENSITIVE');
      expect(codeOf(() => token.wrapKeyRsaOaep(pub!, priv!))).toBe('KEY_UNEXTRACTABLE');
      const kek = token.generateAesKey({
        length: 32,
        usage: 'wrap',
        token: false,
        sensitive: true,
        extractable: false,
      });
      try {
        expect(codeOf(() => token.wrapKey(kek, priv!, 'rfc5649'))).not.toBe('NO_ERROR');
      } finally {
        token.destroy(kek);
      }
      expect(hsm.destroyImportKey('attrs-1')).toBe(true);
    });

    it('should reject with WRAPPED_KEY_INVALID when the material is garbage or not 32 bytes', () => {
      const importPub = createPublicKey({
        key: Buffer.from(hsm.createImportKey('lengths-1')),
        format: 'der',
        type: 'spki',
      });
      for (const length of [0, 1, 8, 16, 20, 24, 25, 31, 33, 40, 48, 64]) {
        const wrapped = publicEncrypt(oaep(importPub), randomBytes(length));
        expect([length, codeOf(() => hsm.importKeyMaterial('lengths-1', wrapped, 1))]).toEqual([
          length,
          'WRAPPED_KEY_INVALID',
        ]);
      }
      expect(codeOf(() => hsm.importKeyMaterial('lengths-1', randomBytes(384), 1))).toBe(
        'WRAPPED_KEY_INVALID',
      );
      // Sealed for another RSA key.
      const elsewhere = publicEncrypt(oaep(customer.publicKey), randomBytes(32));
      expect(codeOf(() => hsm.importKeyMaterial('lengths-1', elsewhere, 1))).toBe('WRAPPED_KEY_INVALID');
      // The session still works afterwards.
      const good = hsm.importKeyMaterial('lengths-1', publicEncrypt(oaep(importPub), randomBytes(32)), 1);
      expect(Buffer.from(hsm.decrypt(good, iv, hsm.encrypt(good, iv, pt, aad), aad))).toEqual(pt);
      hsm.destroyImportKey('lengths-1');
    });

    it('RSA-wrapped key material must be as long as the RSA modulus', () => {
      hsm.createImportKey('modulus-1');
      expect(codeOf(() => hsm.importKeyMaterial('modulus-1', randomBytes(383), 1))).toBe(
        'WRAPPED_KEY_INVALID',
      );
      expect(codeOf(() => hsm.importKeyMaterial('modulus-1', randomBytes(512), 1))).toBe(
        'WRAPPED_KEY_INVALID',
      );
      hsm.destroyImportKey('modulus-1');
    });

    it('should fail with KEY_NOT_FOUND when the import key or the domain generation does not exist', () => {
      expect(codeOf(() => hsm.importKeyMaterial('never-made', randomBytes(384), 1))).toBe('KEY_NOT_FOUND');
      const importPub = createPublicKey({
        key: Buffer.from(hsm.createImportKey('gen-1')),
        format: 'der',
        type: 'spki',
      });
      const wrapped = publicEncrypt(oaep(importPub), randomBytes(32));
      expect(codeOf(() => hsm.importKeyMaterial('gen-1', wrapped, 9))).toBe('KEY_NOT_FOUND');
      hsm.destroyImportKey('gen-1');
    });

    it('an import key id must be 1 to 64 characters of [A-Za-z0-9-]', () => {
      for (const id of ['', 'a b', 'a/b', 'ü', 'x'.repeat(65)]) {
        expect(codeOf(() => hsm.createImportKey(id))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => hsm.importKeyMaterial(id, randomBytes(384), 1))).toBe('INVALID_ARGUMENT');
        expect(codeOf(() => hsm.destroyImportKey(id))).toBe('INVALID_ARGUMENT');
      }
    });

    it('an import key id must not be in use', () => {
      hsm.createImportKey('in-use-1');
      expect(codeOf(() => hsm.createImportKey('in-use-1'))).toBe('INVALID_ARGUMENT');
      expect(token.findKeys('private', importKeyLabel('in-use-1'))).toHaveLength(1);
      hsm.destroyImportKey('in-use-1');
    });

    it('should make the import key unusable and the id free again when it is destroyed', () => {
      const first = createPublicKey({
        key: Buffer.from(hsm.createImportKey('destroy-1')),
        format: 'der',
        type: 'spki',
      });
      const wrapped = publicEncrypt(oaep(first), randomBytes(32));
      expect(hsm.destroyImportKey('destroy-1')).toBe(true);
      expect(token.findKeys('private', importKeyLabel('destroy-1'))).toHaveLength(0);
      expect(token.findKeys('public', importKeyLabel('destroy-1'))).toHaveLength(0);
      expect(codeOf(() => hsm.importKeyMaterial('destroy-1', wrapped, 1))).toBe('KEY_NOT_FOUND');
      expect(hsm.destroyImportKey('destroy-1')).toBe(false);

      // A new key under the same id is a different key: the old ciphertext does not unwrap under it.
      const second = hsm.createImportKey('destroy-1');
      expect(Buffer.from(second).equals(first.export({ format: 'der', type: 'spki' }))).toBe(false);
      expect(codeOf(() => hsm.importKeyMaterial('destroy-1', wrapped, 1))).toBe('WRAPPED_KEY_INVALID');
      hsm.destroyImportKey('destroy-1');
    });
  });

  describe('importKeyMaterialWithPrivateKey', () => {
    const pkcs8 = new Uint8Array(customer.privateKey.export({ format: 'der', type: 'pkcs8' }));

    it('should import material wrapped for the customer key when its PKCS#8 private key is given', () => {
      const wrapped = hsm.wrapForPublicKey(ref, spki(customer.publicKey));
      const imported = hsm.importKeyMaterialWithPrivateKey(pkcs8, wrapped, 2);
      expect(imported.domainGeneration).toBe(2);
      expect(Buffer.from(hsm.decrypt(imported, iv, sealed, aad))).toEqual(pt);
    });

    it('should still parse PKCS#8 keys in node:crypto when a token operation has just failed', () => {
      // SoftHSM2 shares libcrypto with Node here and leaves errors on the OpenSSL queue when it fails.
      hsm.createImportKey('queue-1');
      expect(codeOf(() => hsm.importKeyMaterial('queue-1', randomBytes(384), 1))).toBe('WRAPPED_KEY_INVALID');
      expect(createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }).type).toBe(
        'private',
      );
      expect(codeOf(() => hsm.importKeyMaterial('queue-1', randomBytes(384), 1))).toBe('WRAPPED_KEY_INVALID');
      const wrapped = hsm.wrapForPublicKey(ref, spki(customer.publicKey));
      expect(hsm.importKeyMaterialWithPrivateKey(pkcs8, wrapped, 1).wrapped).toHaveLength(40);
      hsm.destroyImportKey('queue-1');
    });

    it('the private key must be RSA PKCS#8 DER of 3072 or 4096 bits with e = 65537', () => {
      const wrapped = hsm.wrapForPublicKey(ref, spki(customer.publicKey));
      const small = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const ed = generateKeyPairSync('ed25519').privateKey;
      for (const bad of [
        new Uint8Array(small.export({ format: 'der', type: 'pkcs8' })),
        new Uint8Array(ed.export({ format: 'der', type: 'pkcs8' })),
        new Uint8Array(customer.privateKey.export({ format: 'der', type: 'pkcs1' })),
        pkcs8.subarray(0, pkcs8.length - 10),
        randomBytes(1200),
      ]) {
        expect(codeOf(() => hsm.importKeyMaterialWithPrivateKey(bad, wrapped, 1))).toBe(
          'PRIVATE_KEY_INVALID',
        );
      }
    });

    it('should reject with WRAPPED_KEY_INVALID when the material is garbage or not 32 bytes', () => {
      for (const wrapped of [
        publicEncrypt(oaep(customer.publicKey), randomBytes(16)),
        publicEncrypt(oaep(customer.publicKey), randomBytes(25)),
        randomBytes(384),
        randomBytes(100),
      ]) {
        expect(codeOf(() => hsm.importKeyMaterialWithPrivateKey(pkcs8, wrapped, 1))).toBe(
          'WRAPPED_KEY_INVALID',
        );
      }
    });
  });

  it('RSA keys must have 3072 or 4096 bits', () => {
    expect(codeOf(() => token.generateRsaKeyPair({ modulusBits: 2048, token: false }))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('TokenHsm token operations across reopen', () => {
  it('should keep the signing key and the import key when the token is reopened', () => {
    const first = TokenHsm.open({ modulePath, tokenLabel: LABEL, pin: PIN });
    first.ensureDomainKey(1);
    const signing = first.ensureSigningKey().publicKey;
    const importSpki = first.createImportKey('reopen-1');
    first.close();

    const second = TokenHsm.open({ modulePath, tokenLabel: LABEL, pin: PIN });
    try {
      const again = second.ensureSigningKey();
      expect(again.created).toBe(false);
      expect(Buffer.from(again.publicKey)).toEqual(Buffer.from(signing));
      const pub = createPublicKey({ key: Buffer.from(signing), format: 'der', type: 'spki' });
      const message = Buffer.from('audit digest 42');
      expect(verify(null, message, pub, second.sign(message))).toBe(true);

      const importPub = createPublicKey({ key: Buffer.from(importSpki), format: 'der', type: 'spki' });
      const imported = second.importKeyMaterial(
        'reopen-1',
        publicEncrypt(oaep(importPub), randomBytes(32)),
        1,
      );
      expect(imported.wrapped).toHaveLength(40);
      expect(second.destroyImportKey('reopen-1')).toBe(true);
    } finally {
      second.close();
    }
  });
});
