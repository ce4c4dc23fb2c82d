/**
 * INSECURE - FOR TESTS ONLY.
 *
 * FakeHsm implements the Hsm interface with node:crypto in process memory: domain keys and key
 * material sit in ordinary JavaScript memory and can be read by anything in the process. It exists so
 * that other apps can unit-test against the Hsm interface without a PKCS#11 token (like tink's fakekms).
 * Never use it in a running service. Its checks and error codes match TokenHsm's, so tests written
 * against it hold for the token.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign as nodeSign,
  timingSafeEqual,
} from 'node:crypto';

import { HsmError, needs } from './errors.js';
import {
  checkGeneration,
  checkReceivedDomainKey,
  checkValueMismatch,
  cacheKey,
  checkWrappedKeyMaterial,
  keyCheckValue,
  type Hsm,
  type HsmHealth,
  type KeyMaterialRef,
} from './hsm.js';
import {
  checkImportId,
  checkRsaWrapped,
  IDENTITY_KEY_MODULUS_BITS,
  IMPORT_KEY_MODULUS_BITS,
  parseRsaPrivateKey,
  parseRsaPublicKey,
  rsaPublicKeyObject,
} from './key-formats.js';
import { GCM_IV_LENGTH, GCM_TAG_LENGTH, HMAC_SHA256_LENGTH, MAX_RANDOM_LENGTH } from './params.js';

const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const AES_256_KEY_LENGTH = 32;

function oaepSha1(key: KeyObject): { key: KeyObject; oaepHash: string; padding: number } {
  return { key, oaepHash: 'sha1', padding: constants.RSA_PKCS1_OAEP_PADDING };
}

function spkiOf(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
}

export class FakeHsm implements Hsm {
  private readonly domainKeys = new Map<number, Buffer>();
  /** Which key versions TokenHsm would hold unwrapped: those used since they were made or evicted. */
  private readonly cached = new Set<string>();
  private signingKey: { publicKey: KeyObject; privateKey: KeyObject } | null = null;
  /** Import key id -> its RSA-3072 private key. */
  private readonly importKeys = new Map<string, KeyObject>();
  /** The HMAC-SHA256 state key (32 bytes). */
  private stateKey: Buffer | null = null;
  private identityKey: { publicKey: KeyObject; privateKey: KeyObject } | null = null;
  /** Node id -> the SPKI of its identity key this fake "trusts" (TokenHsm: a CKA_TRUSTED token object). */
  private readonly trustedMembers = new Map<string, Buffer>();
  private closed = false;

  constructor(readonly tokenLabel = 'fake-hsm') {}

  hasDomainKey(generation: number): boolean {
    this.assertOpen();
    checkGeneration(generation);
    return this.domainKeys.has(generation);
  }

  ensureDomainKey(generation: number): { created: boolean } {
    this.assertOpen();
    checkGeneration(generation);
    if (this.domainKeys.has(generation)) return { created: false };
    this.domainKeys.set(generation, randomBytes(32));
    return { created: true };
  }

  generateKeyMaterial(domainGeneration: number): KeyMaterialRef {
    return this.wrapUnder(domainGeneration, randomBytes(AES_256_KEY_LENGTH));
  }

  rewrapKeyMaterial(ref: KeyMaterialRef, toGeneration: number): KeyMaterialRef {
    this.domainKey(toGeneration);
    return this.wrapUnder(toGeneration, this.unwrapValue(ref));
  }

  destroyDomainKey(generation: number): boolean {
    this.assertOpen();
    checkGeneration(generation);
    for (const id of [...this.cached]) if (id.startsWith(`${generation}:`)) this.cached.delete(id);
    return this.domainKeys.delete(generation);
  }

  encrypt(ref: KeyMaterialRef, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const key = this.unwrap(ref);
    checkIv(iv);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_LENGTH });
    cipher.setAAD(aad);
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return new Uint8Array(ct);
  }

  decrypt(ref: KeyMaterialRef, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
    const key = this.unwrap(ref);
    checkIv(iv);
    needs(
      sealed.length >= GCM_TAG_LENGTH,
      'a sealed AES-GCM message must hold at least the 16-byte tag',
      'ENCRYPTED_DATA_INVALID',
    );
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_LENGTH });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_LENGTH));
    try {
      return new Uint8Array(
        Buffer.concat([
          decipher.update(sealed.subarray(0, sealed.length - GCM_TAG_LENGTH)),
          decipher.final(),
        ]),
      );
    } catch {
      throw new HsmError('ENCRYPTED_DATA_INVALID', 'AES-GCM authentication failed');
    }
  }

  generateRandom(length: number): Uint8Array {
    this.assertOpen();
    needs(
      Number.isInteger(length) && length >= 1 && length <= MAX_RANDOM_LENGTH,
      'random requests must be 1 to 65536 bytes',
    );
    return new Uint8Array(randomBytes(length));
  }

  evict(ref: KeyMaterialRef): boolean {
    this.assertOpen();
    checkWrappedKeyMaterial(ref);
    return this.cached.delete(cacheKey(ref));
  }

  health(): HsmHealth {
    return { ok: !this.closed, tokenLabel: this.tokenLabel, cachedKeys: this.cached.size };
  }

  close(): void {
    for (const k of this.domainKeys.values()) k.fill(0);
    this.domainKeys.clear();
    this.cached.clear();
    this.signingKey = null;
    this.importKeys.clear();
    this.stateKey?.fill(0);
    this.stateKey = null;
    this.closed = true;
  }

  ensureSigningKey(): { publicKey: Uint8Array; created: boolean } {
    this.assertOpen();
    const created = this.signingKey === null;
    this.signingKey ??= generateKeyPairSync('ed25519');
    return { publicKey: spkiOf(this.signingKey.publicKey), created };
  }

  signingPublicKey(): Uint8Array {
    return spkiOf(this.requireSigningKey().publicKey);
  }

  sign(message: Uint8Array): Uint8Array {
    needs(message.length > 0, 'a message to sign must not be empty');
    return new Uint8Array(nodeSign(null, message, this.requireSigningKey().privateKey));
  }

  wrapForPublicKey(ref: KeyMaterialRef, publicKeySpki: Uint8Array): Uint8Array {
    const { n, e } = parseRsaPublicKey(publicKeySpki);
    const recipient = rsaPublicKeyObject(n, e);
    return new Uint8Array(publicEncrypt(oaepSha1(recipient), this.unwrapValue(ref)));
  }

  createImportKey(id: string): Uint8Array {
    this.assertOpen();
    checkImportId(id);
    needs(!this.importKeys.has(id), 'an import key id must not be in use');
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: IMPORT_KEY_MODULUS_BITS });
    this.importKeys.set(id, privateKey);
    return spkiOf(publicKey);
  }

  importKeyMaterial(id: string, wrapped: Uint8Array, domainGeneration: number): KeyMaterialRef {
    this.assertOpen();
    checkImportId(id);
    const importKey = this.importKeys.get(id);
    if (importKey === undefined) throw new HsmError('KEY_NOT_FOUND', `no import key '${id}' in the token`);
    checkRsaWrapped(wrapped, IMPORT_KEY_MODULUS_BITS);
    return this.importUnder(importKey, wrapped, domainGeneration);
  }

  importKeyMaterialWithPrivateKey(
    privateKeyPkcs8: Uint8Array,
    wrapped: Uint8Array,
    domainGeneration: number,
  ): KeyMaterialRef {
    this.assertOpen();
    checkRsaWrapped(wrapped, parseRsaPrivateKey(privateKeyPkcs8).modulusBits);
    const customerKey = createPrivateKey({ key: Buffer.from(privateKeyPkcs8), format: 'der', type: 'pkcs8' });
    return this.importUnder(customerKey, wrapped, domainGeneration);
  }

  destroyImportKey(id: string): boolean {
    this.assertOpen();
    checkImportId(id);
    return this.importKeys.delete(id);
  }

  ensureIdentityKey(): { publicKey: Uint8Array; created: boolean } {
    this.assertOpen();
    const created = this.identityKey === null;
    this.identityKey ??= generateKeyPairSync('rsa', { modulusLength: IDENTITY_KEY_MODULUS_BITS });
    return { publicKey: spkiOf(this.identityKey.publicKey), created };
  }

  identityPublicKey(): Uint8Array {
    this.assertOpen();
    if (this.identityKey === null) throw new HsmError('KEY_NOT_FOUND', 'no identity key in the token');
    return spkiOf(this.identityKey.publicKey);
  }

  domainKeyCheckValue(generation: number): string {
    return checkValueOf(this.domainKey(generation));
  }

  wrapDomainKeyForMember(
    generation: number,
    member: { nodeId: string; identityPublicKey: Uint8Array },
  ): Uint8Array {
    const { n, e } = parseRsaPublicKey(member.identityPublicKey);
    const key = this.domainKey(generation);
    this.trustedMembers.set(member.nodeId, Buffer.from(member.identityPublicKey));
    return new Uint8Array(publicEncrypt(oaepSha1(rsaPublicKeyObject(n, e)), key));
  }

  private pendingGenesis = false;

  markGenesisPending(): void {
    this.assertOpen();
    this.pendingGenesis = true;
  }

  genesisPending(): boolean {
    this.assertOpen();
    return this.pendingGenesis;
  }

  clearGenesisPending(): void {
    this.assertOpen();
    this.pendingGenesis = false;
  }

  /** The fake has no security officer: it trusts any member (TokenHsm needs an SO PIN). */
  canTrustMembers(): boolean {
    return true;
  }

  receiveDomainKey(
    generation: number,
    wrapped: Uint8Array,
    kcv: string,
    opts: { replace?: boolean } = {},
  ): { created: boolean } {
    this.assertOpen();
    checkReceivedDomainKey(generation, wrapped, kcv);
    const mismatch = checkValueMismatch(generation);
    const held = this.domainKeys.get(generation);
    if (held) {
      if (checkValueOf(held) === kcv) return { created: false };
      if (opts.replace !== true) throw mismatch;
    }
    if (this.identityKey === null) throw new HsmError('KEY_NOT_FOUND', 'no identity key in the token');
    let key: Buffer;
    try {
      key = privateDecrypt(oaepSha1(this.identityKey.privateKey), wrapped);
    } catch {
      throw mismatch;
    }
    if (key.length !== AES_256_KEY_LENGTH || checkValueOf(key) !== kcv) throw mismatch;
    if (held) this.destroyDomainKey(generation);
    this.domainKeys.set(generation, key);
    return { created: true };
  }

  forgetMember(nodeId: string): boolean {
    this.assertOpen();
    return this.trustedMembers.delete(nodeId);
  }

  ensureStateKey(): { created: boolean } {
    this.assertOpen();
    if (this.stateKey !== null) return { created: false };
    this.stateKey = randomBytes(HMAC_SHA256_LENGTH);
    return { created: true };
  }

  macState(data: Uint8Array): Uint8Array {
    return new Uint8Array(createHmac('sha256', this.requireStateKey()).update(data).digest());
  }

  verifyStateMac(data: Uint8Array, mac: Uint8Array): boolean {
    const expected = createHmac('sha256', this.requireStateKey()).update(data).digest();
    return mac.length === HMAC_SHA256_LENGTH && timingSafeEqual(expected, mac);
  }

  private requireStateKey(): Buffer {
    this.assertOpen();
    if (this.stateKey === null) throw new HsmError('KEY_NOT_FOUND', 'no state key in the token');
    return this.stateKey;
  }

  private requireSigningKey(): { publicKey: KeyObject; privateKey: KeyObject } {
    this.assertOpen();
    if (this.signingKey === null) throw new HsmError('KEY_NOT_FOUND', 'no signing key in the token');
    return this.signingKey;
  }

  private importUnder(privateKey: KeyObject, wrapped: Uint8Array, domainGeneration: number): KeyMaterialRef {
    this.domainKey(domainGeneration);
    let value: Buffer;
    try {
      value = privateDecrypt(oaepSha1(privateKey), wrapped);
    } catch {
      throw new HsmError('WRAPPED_KEY_INVALID', 'the RSA-wrapped key material does not unwrap');
    }
    needs(
      value.length === AES_256_KEY_LENGTH,
      'the unwrapped key material is not an AES-256 key',
      'WRAPPED_KEY_INVALID',
    );
    return this.wrapUnder(domainGeneration, value);
  }

  private wrapUnder(domainGeneration: number, value: Buffer): KeyMaterialRef {
    const cipher = createCipheriv('id-aes256-wrap', this.domainKey(domainGeneration), KW_IV);
    const wrapped = Buffer.concat([cipher.update(value), cipher.final()]);
    value.fill(0);
    return { domainGeneration, wrapped: new Uint8Array(wrapped) };
  }

  private assertOpen(): void {
    if (this.closed) throw new HsmError('SESSION_CLOSED', 'the fake HSM is closed');
  }

  private domainKey(generation: number): Buffer {
    this.assertOpen();
    checkGeneration(generation);
    const key = this.domainKeys.get(generation);
    if (!key) throw new HsmError('KEY_NOT_FOUND', `no domain key of generation ${generation} in the token`);
    return key;
  }

  /** The key value of `ref`, counted as cached like TokenHsm's unwrapped copies. */
  private unwrap(ref: KeyMaterialRef): Buffer {
    const key = this.unwrapValue(ref);
    this.cached.add(cacheKey(ref));
    return key;
  }

  private unwrapValue(ref: KeyMaterialRef): Buffer {
    checkWrappedKeyMaterial(ref);
    const kek = this.domainKey(ref.domainGeneration);
    try {
      const decipher = createDecipheriv('id-aes256-wrap', kek, KW_IV);
      return Buffer.concat([decipher.update(ref.wrapped), decipher.final()]);
    } catch {
      throw new HsmError('WRAPPED_KEY_INVALID', 'the wrapped key material failed its integrity check');
    }
  }
}

/** keyCheckValue of an AES-256 key held in memory: its RFC 3394 wrap of 32 zero bytes, hashed. */
function checkValueOf(key: Buffer): string {
  const cipher = createCipheriv('id-aes256-wrap', key, KW_IV);
  return keyCheckValue(Buffer.concat([cipher.update(Buffer.alloc(32)), cipher.final()]));
}

function checkIv(iv: Uint8Array): void {
  needs(iv.length === GCM_IV_LENGTH, 'AES-GCM on the token takes a 12-byte IV', 'UNSUPPORTED_PARAMETERS');
}
