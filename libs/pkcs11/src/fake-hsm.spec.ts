import {
  constants,
  createDecipheriv,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  verify,
} from 'node:crypto';

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

  it('a key check value must be 32 lowercase hex digits', () => {
    hsm.ensureIdentityKey();
    const wrapped = new Uint8Array(384);
    for (const kcv of ['', 'ab', 'A'.repeat(32), 'g'.repeat(32), '0'.repeat(33)]) {
      expect(codeOf(() => hsm.receiveDomainKey(7, wrapped, kcv))).toBe('INVALID_ARGUMENT');
    }
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

describe('FakeHsm token operations', () => {
  const oaep = (key: KeyObject) => ({ key, oaepHash: 'sha1', padding: constants.RSA_PKCS1_OAEP_PADDING });
  const spki = (key: KeyObject) => new Uint8Array(key.export({ format: 'der', type: 'spki' }));
  const customer = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const pkcs8 = new Uint8Array(customer.privateKey.export({ format: 'der', type: 'pkcs8' }));
  const iv = randomBytes(12);
  const aad = Buffer.from('ctx');
  const pt = Buffer.from('exported and back');
  let hsm: FakeHsm;
  let ref: KeyMaterialRef;
  let sealed: Uint8Array;

  beforeEach(() => {
    hsm = new FakeHsm();
    hsm.ensureDomainKey(1);
    hsm.ensureDomainKey(2);
    ref = hsm.generateKeyMaterial(1);
    sealed = hsm.encrypt(ref, iv, pt, aad);
  });

  it('should sign verifiably with the SPKI public key when the signing key exists', () => {
    expect(codeOf(() => hsm.signingPublicKey())).toBe('KEY_NOT_FOUND');
    expect(codeOf(() => hsm.sign(Buffer.from('x')))).toBe('KEY_NOT_FOUND');
    const { publicKey, created } = hsm.ensureSigningKey();
    expect(created).toBe(true);
    expect(publicKey).toHaveLength(44);
    expect(hsm.ensureSigningKey()).toEqual({ publicKey, created: false });
    expect(hsm.signingPublicKey()).toEqual(publicKey);
    const message = Buffer.from('audit digest');
    const signature = hsm.sign(message);
    expect(signature).toHaveLength(64);
    const pub = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
    expect(verify(null, message, pub, signature)).toBe(true);
    expect(verify(null, Buffer.from('audit digesT'), pub, signature)).toBe(false);
  });

  it('a message to sign must not be empty', () => {
    hsm.ensureSigningKey();
    expect(codeOf(() => hsm.sign(new Uint8Array(0)))).toBe('INVALID_ARGUMENT');
  });

  it('should round-trip key material when it is wrapped for a customer and imported back', () => {
    const material = privateDecrypt(
      oaep(customer.privateKey),
      hsm.wrapForPublicKey(ref, spki(customer.publicKey)),
    );
    expect(material).toHaveLength(32);
    const d = createDecipheriv('aes-256-gcm', material, iv);
    d.setAAD(aad);
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    expect(Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()])).toEqual(pt);

    const importPub = createPublicKey({
      key: Buffer.from(hsm.createImportKey('k-1')),
      format: 'der',
      type: 'spki',
    });
    expect(importPub.asymmetricKeyDetails).toEqual({ modulusLength: 3072, publicExponent: 65537n });
    const imported = hsm.importKeyMaterial('k-1', publicEncrypt(oaep(importPub), material), 2);
    expect(imported.domainGeneration).toBe(2);
    expect(Buffer.from(hsm.decrypt(imported, iv, sealed, aad))).toEqual(pt);

    const literal = hsm.importKeyMaterialWithPrivateKey(
      pkcs8,
      hsm.wrapForPublicKey(ref, spki(customer.publicKey)),
      1,
    );
    expect(Buffer.from(hsm.decrypt(literal, iv, sealed, aad))).toEqual(pt);
  });

  it('the public key must be RSA SPKI DER of 3072 or 4096 bits with e = 65537', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(codeOf(() => hsm.wrapForPublicKey(ref, spki(small.publicKey)))).toBe('PUBLIC_KEY_INVALID');
    expect(codeOf(() => hsm.wrapForPublicKey(ref, randomBytes(40)))).toBe('PUBLIC_KEY_INVALID');
  });

  it('the private key must be RSA PKCS#8 DER of 3072 or 4096 bits with e = 65537', () => {
    const wrapped = hsm.wrapForPublicKey(ref, spki(customer.publicKey));
    expect(codeOf(() => hsm.importKeyMaterialWithPrivateKey(pkcs8.subarray(1), wrapped, 1))).toBe(
      'PRIVATE_KEY_INVALID',
    );
  });

  it('the unwrapped key material is not an AES-256 key', () => {
    const importPub = createPublicKey({
      key: Buffer.from(hsm.createImportKey('k-len')),
      format: 'der',
      type: 'spki',
    });
    const wrapped = publicEncrypt(oaep(importPub), randomBytes(31));
    expect(codeOf(() => hsm.importKeyMaterial('k-len', wrapped, 1))).toBe('WRAPPED_KEY_INVALID');
  });

  it('should reject with WRAPPED_KEY_INVALID when imported material is garbage or not 32 bytes', () => {
    const importPub = createPublicKey({
      key: Buffer.from(hsm.createImportKey('k-2')),
      format: 'der',
      type: 'spki',
    });
    for (const length of [0, 16, 25, 33]) {
      const wrapped = publicEncrypt(oaep(importPub), randomBytes(length));
      expect(codeOf(() => hsm.importKeyMaterial('k-2', wrapped, 1))).toBe('WRAPPED_KEY_INVALID');
    }
    expect(codeOf(() => hsm.importKeyMaterial('k-2', randomBytes(384), 1))).toBe('WRAPPED_KEY_INVALID');
    expect(codeOf(() => hsm.importKeyMaterialWithPrivateKey(pkcs8, randomBytes(384), 1))).toBe(
      'WRAPPED_KEY_INVALID',
    );
  });

  it('RSA-wrapped key material must be as long as the RSA modulus', () => {
    hsm.createImportKey('k-3');
    expect(codeOf(() => hsm.importKeyMaterial('k-3', randomBytes(383), 1))).toBe('WRAPPED_KEY_INVALID');
    expect(codeOf(() => hsm.importKeyMaterialWithPrivateKey(pkcs8, randomBytes(512), 1))).toBe(
      'WRAPPED_KEY_INVALID',
    );
  });

  it('an import key id must be 1 to 64 characters of [A-Za-z0-9-]', () => {
    for (const id of ['', 'a_b', 'x'.repeat(65)]) {
      expect(codeOf(() => hsm.createImportKey(id))).toBe('INVALID_ARGUMENT');
      expect(codeOf(() => hsm.destroyImportKey(id))).toBe('INVALID_ARGUMENT');
    }
    expect(codeOf(() => hsm.createImportKey('A-z-09'))).toBe('NO_ERROR');
  });

  it('an import key id must not be in use', () => {
    hsm.createImportKey('k-4');
    expect(codeOf(() => hsm.createImportKey('k-4'))).toBe('INVALID_ARGUMENT');
  });

  it('should fail with KEY_NOT_FOUND when the import key was destroyed or never made', () => {
    const importPub = createPublicKey({
      key: Buffer.from(hsm.createImportKey('k-5')),
      format: 'der',
      type: 'spki',
    });
    const wrapped = publicEncrypt(oaep(importPub), randomBytes(32));
    expect(hsm.destroyImportKey('k-5')).toBe(true);
    expect(hsm.destroyImportKey('k-5')).toBe(false);
    expect(codeOf(() => hsm.importKeyMaterial('k-5', wrapped, 1))).toBe('KEY_NOT_FOUND');
    expect(codeOf(() => hsm.importKeyMaterial('never', wrapped, 1))).toBe('KEY_NOT_FOUND');
  });

  it('should refuse every token operation when closed', () => {
    hsm.ensureSigningKey();
    hsm.close();
    expect(codeOf(() => hsm.sign(Buffer.from('x')))).toBe('SESSION_CLOSED');
    expect(codeOf(() => hsm.createImportKey('k-6'))).toBe('SESSION_CLOSED');
    expect(codeOf(() => hsm.wrapForPublicKey(ref, spki(customer.publicKey)))).toBe('SESSION_CLOSED');
  });
});

describe('FakeHsm state key', () => {
  let hsm: FakeHsm;
  const state = Buffer.from('{"epoch":3,"members":["hsm-1","hsm-2","hsm-3"],"quorum":2}');

  beforeEach(() => {
    hsm = new FakeHsm();
  });

  it('should fail with KEY_NOT_FOUND when there is no state key yet', () => {
    expect(codeOf(() => hsm.macState(state))).toBe('KEY_NOT_FOUND');
    expect(codeOf(() => hsm.verifyStateMac(state, new Uint8Array(32)))).toBe('KEY_NOT_FOUND');
  });

  it('should create one key when ensureStateKey is called twice', () => {
    expect(hsm.ensureStateKey()).toEqual({ created: true });
    const mac = hsm.macState(state);
    expect(hsm.ensureStateKey()).toEqual({ created: false });
    expect(Buffer.from(hsm.macState(state))).toEqual(Buffer.from(mac));
  });

  it('should give a 32-byte MAC that verifies when the data is unchanged', () => {
    hsm.ensureStateKey();
    const mac = hsm.macState(state);
    expect(mac).toHaveLength(32);
    expect(hsm.verifyStateMac(state, mac)).toBe(true);
  });

  it('should answer false when a byte of the data or of the MAC is changed', () => {
    hsm.ensureStateKey();
    const mac = hsm.macState(state);
    expect(hsm.verifyStateMac(flip(state, 0), mac)).toBe(false);
    expect(hsm.verifyStateMac(flip(state, state.length - 1), mac)).toBe(false);
    expect(hsm.verifyStateMac(state, flip(mac, 0))).toBe(false);
    expect(hsm.verifyStateMac(state, flip(mac, 31))).toBe(false);
    expect(hsm.verifyStateMac(state, mac)).toBe(true);
  });

  it('should answer false when the MAC is truncated, extended or empty', () => {
    hsm.ensureStateKey();
    const mac = hsm.macState(state);
    expect(hsm.verifyStateMac(state, mac.subarray(0, 31))).toBe(false);
    expect(hsm.verifyStateMac(state, Buffer.concat([mac, Buffer.alloc(1)]))).toBe(false);
    expect(hsm.verifyStateMac(state, new Uint8Array(0))).toBe(false);
  });

  it('should MAC and verify empty data when the state is empty', () => {
    hsm.ensureStateKey();
    const empty = hsm.macState(new Uint8Array(0));
    expect(empty).toHaveLength(32);
    expect(hsm.verifyStateMac(new Uint8Array(0), empty)).toBe(true);
    expect(hsm.verifyStateMac(new Uint8Array(1), empty)).toBe(false);
  });

  it('should give a different MAC on another instance when the data is the same', () => {
    const other = new FakeHsm('fake-hsm-2');
    hsm.ensureStateKey();
    other.ensureStateKey();
    const mac = hsm.macState(state);
    expect(Buffer.from(other.macState(state)).equals(Buffer.from(mac))).toBe(false);
    expect(other.verifyStateMac(state, mac)).toBe(false);
  });

  it('should refuse the state key operations when closed', () => {
    hsm.ensureStateKey();
    const mac = hsm.macState(state);
    hsm.close();
    expect(codeOf(() => hsm.ensureStateKey())).toBe('SESSION_CLOSED');
    expect(codeOf(() => hsm.macState(state))).toBe('SESSION_CLOSED');
    expect(codeOf(() => hsm.verifyStateMac(state, mac))).toBe('SESSION_CLOSED');
  });
});

describe('FakeHsm domain-key transport', () => {
  const oaep = (key: KeyObject) => ({ key, oaepHash: 'sha1', padding: constants.RSA_PKCS1_OAEP_PADDING });
  const iv = randomBytes(12);
  const aad = Buffer.from('ctx');
  let sender: FakeHsm;
  let receiver: FakeHsm;
  let kcv: string;

  beforeEach(() => {
    sender = new FakeHsm('sender');
    receiver = new FakeHsm('receiver');
    sender.ensureDomainKey(1);
    receiver.ensureIdentityKey();
    kcv = sender.domainKeyCheckValue(1);
  });

  function wrappedForReceiver(generation = 1): Uint8Array {
    return sender.wrapDomainKeyForMember(generation, {
      nodeId: 'node-b',
      identityPublicKey: receiver.identityPublicKey(),
    });
  }

  /** Bytes of the attacker's choosing wrapped for the receiver's public identity key. */
  function forgedForReceiver(value: Uint8Array): Uint8Array {
    const spki = createPublicKey({
      key: Buffer.from(receiver.identityPublicKey()),
      format: 'der',
      type: 'spki',
    });
    return publicEncrypt(oaep(spki), value);
  }

  it('should make one RSA-3072 identity key pair when ensureIdentityKey is called twice', () => {
    const first = sender.ensureIdentityKey();
    const second = sender.ensureIdentityKey();
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(Buffer.from(second.publicKey)).toEqual(Buffer.from(first.publicKey));
    expect(Buffer.from(sender.identityPublicKey())).toEqual(Buffer.from(first.publicKey));
    const key = createPublicKey({ key: Buffer.from(first.publicKey), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(Buffer.from(receiver.identityPublicKey()).equals(Buffer.from(first.publicKey))).toBe(false);
  });

  it('should fail with KEY_NOT_FOUND when the identity key is asked for before it exists', () => {
    expect(codeOf(() => sender.identityPublicKey())).toBe('KEY_NOT_FOUND');
  });

  it('should give a stable 32-hex-digit check value per domain key when asked for one', () => {
    expect(kcv).toMatch(/^[0-9a-f]{32}$/);
    expect(sender.domainKeyCheckValue(1)).toBe(kcv);
    sender.ensureDomainKey(2);
    expect(sender.domainKeyCheckValue(2)).not.toBe(kcv);
    receiver.ensureDomainKey(1);
    expect(receiver.domainKeyCheckValue(1)).not.toBe(kcv);
    expect(codeOf(() => sender.domainKeyCheckValue(3))).toBe('KEY_NOT_FOUND');
    expect(codeOf(() => sender.domainKeyCheckValue(-1))).toBe('INVALID_ARGUMENT');
  });

  it('should give the same check value in both tokens when the domain key moves', () => {
    const wrapped = wrappedForReceiver();
    expect(wrapped).toHaveLength(384);
    expect(receiver.receiveDomainKey(1, wrapped, kcv)).toEqual({ created: true });
    expect(receiver.hasDomainKey(1)).toBe(true);
    expect(receiver.domainKeyCheckValue(1)).toBe(kcv);
    // Both tokens now unwrap each other's key material.
    const ref = sender.generateKeyMaterial(1);
    const sealed = receiver.encrypt(ref, iv, Buffer.from('same domain'), aad);
    expect(Buffer.from(sender.decrypt(ref, iv, sealed, aad)).toString()).toBe('same domain');
    const back = receiver.generateKeyMaterial(1);
    const sealedBack = sender.encrypt(back, iv, Buffer.from('and back'), aad);
    expect(Buffer.from(receiver.decrypt(back, iv, sealedBack, aad)).toString()).toBe('and back');
  });

  it('should report created false when the same key is received twice', () => {
    receiver.receiveDomainKey(1, wrappedForReceiver(), kcv);
    expect(receiver.receiveDomainKey(1, wrappedForReceiver(), kcv)).toEqual({ created: false });
    expect(receiver.domainKeyCheckValue(1)).toBe(kcv);
  });

  it('should compare and not replace a held generation when another key of it is received', () => {
    receiver.ensureDomainKey(1);
    const own = receiver.domainKeyCheckValue(1);
    expect(codeOf(() => receiver.receiveDomainKey(1, wrappedForReceiver(), kcv))).toBe('WRAPPED_KEY_INVALID');
    expect(receiver.domainKeyCheckValue(1)).toBe(own);
    // A held generation is only compared: the wrapped bytes are not unwrapped.
    expect(receiver.receiveDomainKey(1, randomBytes(384), own)).toEqual({ created: false });
    expect(codeOf(() => receiver.receiveDomainKey(1, randomBytes(384), '0'.repeat(32)))).toBe(
      'WRAPPED_KEY_INVALID',
    );
    expect(receiver.domainKeyCheckValue(1)).toBe(own);
  });

  it('should refuse a key of the wrong value and leave nothing behind when its check value differs', () => {
    expect(codeOf(() => receiver.receiveDomainKey(2, forgedForReceiver(randomBytes(32)), kcv))).toBe(
      'WRAPPED_KEY_INVALID',
    );
    expect(codeOf(() => receiver.receiveDomainKey(2, forgedForReceiver(randomBytes(16)), kcv))).toBe(
      'WRAPPED_KEY_INVALID',
    );
    expect(codeOf(() => receiver.receiveDomainKey(2, wrappedForReceiver(), '0'.repeat(32)))).toBe(
      'WRAPPED_KEY_INVALID',
    );
    expect(receiver.hasDomainKey(2)).toBe(false);
  });

  it('should refuse with WRAPPED_KEY_INVALID when the bytes do not unwrap or have the wrong length', () => {
    expect(codeOf(() => receiver.receiveDomainKey(3, randomBytes(384), kcv))).toBe('WRAPPED_KEY_INVALID');
    expect(codeOf(() => receiver.receiveDomainKey(3, randomBytes(100), kcv))).toBe('WRAPPED_KEY_INVALID');
    expect(codeOf(() => receiver.receiveDomainKey(3, wrappedForReceiver().subarray(0, 383), kcv))).toBe(
      'WRAPPED_KEY_INVALID',
    );
    expect(codeOf(() => receiver.receiveDomainKey(3, new Uint8Array(0), kcv))).toBe('WRAPPED_KEY_INVALID');
    expect(receiver.hasDomainKey(3)).toBe(false);
  });

  it('should refuse with WRAPPED_KEY_INVALID when the key was wrapped for another token', () => {
    const other = new FakeHsm('other');
    const forOther = sender.wrapDomainKeyForMember(1, {
      nodeId: 'node-c',
      identityPublicKey: other.ensureIdentityKey().publicKey,
    });
    expect(codeOf(() => receiver.receiveDomainKey(1, forOther, kcv))).toBe('WRAPPED_KEY_INVALID');
    expect(receiver.hasDomainKey(1)).toBe(false);
  });

  it('should refuse with INVALID_ARGUMENT when the check value is not 32 lowercase hex digits', () => {
    const wrapped = wrappedForReceiver();
    for (const bad of ['not hex', '', kcv.toUpperCase(), kcv.slice(0, 31), `${kcv}0`]) {
      expect(codeOf(() => receiver.receiveDomainKey(1, wrapped, bad))).toBe('INVALID_ARGUMENT');
    }
    expect(codeOf(() => receiver.receiveDomainKey(-1, wrapped, kcv))).toBe('INVALID_ARGUMENT');
    expect(receiver.hasDomainKey(1)).toBe(false);
  });

  it('should fail with KEY_NOT_FOUND when the receiving token has no identity key', () => {
    const bare = new FakeHsm('bare');
    expect(codeOf(() => bare.receiveDomainKey(1, wrappedForReceiver(), kcv))).toBe('KEY_NOT_FOUND');
    expect(bare.hasDomainKey(1)).toBe(false);
  });

  it('should refuse to wrap a generation it does not hold and trust no one for it', () => {
    expect(codeOf(() => wrappedForReceiver(2))).toBe('KEY_NOT_FOUND');
    expect(sender.forgetMember('node-b')).toBe(false);
  });

  it('should refuse with PUBLIC_KEY_INVALID when the member key is not an accepted RSA key', () => {
    const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const ed = generateKeyPairSync('ed25519').publicKey;
    for (const identityPublicKey of [
      new Uint8Array(rsa2048.export({ format: 'der', type: 'spki' })),
      new Uint8Array(ed.export({ format: 'der', type: 'spki' })),
      randomBytes(422),
      new Uint8Array(0),
    ]) {
      expect(codeOf(() => sender.wrapDomainKeyForMember(1, { nodeId: 'node-x', identityPublicKey }))).toBe(
        'PUBLIC_KEY_INVALID',
      );
    }
    expect(sender.forgetMember('node-x')).toBe(false);
  });

  it('should forget a member once when it was trusted by a transport', () => {
    wrappedForReceiver();
    expect(sender.forgetMember('node-b')).toBe(true);
    expect(sender.forgetMember('node-b')).toBe(false);
    expect(sender.forgetMember('never-trusted')).toBe(false);
  });

  it('should refuse the transport operations when closed', () => {
    const wrapped = wrappedForReceiver();
    const identity = receiver.identityPublicKey();
    receiver.close();
    sender.close();
    expect(codeOf(() => receiver.ensureIdentityKey())).toBe('SESSION_CLOSED');
    expect(codeOf(() => receiver.identityPublicKey())).toBe('SESSION_CLOSED');
    expect(codeOf(() => receiver.receiveDomainKey(1, wrapped, kcv))).toBe('SESSION_CLOSED');
    expect(codeOf(() => sender.domainKeyCheckValue(1))).toBe('SESSION_CLOSED');
    expect(
      codeOf(() => sender.wrapDomainKeyForMember(1, { nodeId: 'node-b', identityPublicKey: identity })),
    ).toBe('SESSION_CLOSED');
    expect(codeOf(() => sender.forgetMember('node-b'))).toBe('SESSION_CLOSED');
  });
});
