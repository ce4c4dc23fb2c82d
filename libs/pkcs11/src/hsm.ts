/**
 * The narrow interface the hsm app uses, and its implementation on a PKCS#11 token.
 *
 * Key hierarchy (DESIGN.md): a domain key (AES-256, one per generation) is a token object that is
 * sensitive and leaves the token only wrapped for a trusted key. KMS key material (AES-256) is generated
 * inside the token and stored outside only as its RFC 3394 wrap under a domain key (KeyMaterialRef).
 * To use it, the wrapped value is unwrapped into a non-extractable session object, kept in a bounded LRU
 * cache (TOOLCHAIN.md: unwrap per call costs 3 to 4 times the cached path).
 *
 * Besides: one Ed25519 signing key pair per domain (token objects, for receipts and audit digests), one
 * HMAC-SHA256 state key per token (a never-extractable token object that authenticates the node's
 * domain-state file, so that the file is bound to this token and cannot be edited or moved), and
 * key material moved to and from customers with RSA-OAEP (SHA-1 / MGF1-SHA-1, the only OAEP SoftHSM2
 * offers): wrapped for a customer's public key, or imported under an RSA-3072 import key of the token.
 */
import { createHash } from 'node:crypto';

import { HsmError, needs } from './errors.js';
import {
  checkImportId,
  checkRsaWrapped,
  ed25519Spki,
  IDENTITY_KEY_LABEL,
  IDENTITY_KEY_MODULUS_BITS,
  IMPORT_KEY_MODULUS_BITS,
  importKeyLabel,
  memberKeyLabel,
  parseRsaPrivateKey,
  parseRsaPublicKey,
  rsaSpki,
  SIGNING_KEY_LABEL,
  STATE_KEY_LABEL,
} from './key-formats.js';
import { WRAPPED_KEY_MATERIAL_LENGTH } from './params.js';
import { type KeyHandle, type KeyPairHandles, Pkcs11Token, type Pkcs11TokenConfig } from './token.js';

/** RFC 3394 output under the domain key of that generation. */
export interface KeyMaterialRef {
  domainGeneration: number;
  wrapped: Uint8Array;
}

export interface HsmHealth {
  ok: boolean;
  tokenLabel: string;
  cachedKeys: number;
}

export interface Hsm {
  /** Whether the token holds the domain key of `generation`. */
  hasDomainKey(generation: number): boolean;
  /** Creates the domain key of `generation` in the token unless it exists. */
  ensureDomainKey(generation: number): { created: boolean };
  /** New AES-256 key material generated inside the token, returned wrapped under the domain key. */
  generateKeyMaterial(domainGeneration: number): KeyMaterialRef;
  /**
   * The same key material wrapped under the domain key of `toGeneration` instead (domain-key rotation): unwrapped
   * inside the token as an extractable session object, wrapped again, destroyed. The material never leaves the token.
   */
  rewrapKeyMaterial(ref: KeyMaterialRef, toGeneration: number): KeyMaterialRef;
  /**
   * Destroys the domain key of `generation` and every cached key unwrapped under it: EKTs of that generation can never
   * be unwrapped in this token again. False when there was none.
   */
  destroyDomainKey(generation: number): boolean;
  /** AES-256-GCM; returns ciphertext || 16-byte tag. */
  encrypt(ref: KeyMaterialRef, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** AES-256-GCM over ciphertext || 16-byte tag; a failed tag gives ENCRYPTED_DATA_INVALID. */
  decrypt(ref: KeyMaterialRef, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array;
  generateRandom(length: number): Uint8Array;
  /** Drops the cached unwrapped copy of `ref`, if any (its key is being deleted); true when one was cached. */
  evict(ref: KeyMaterialRef): boolean;
  health(): HsmHealth;
  close(): void;
  /** Creates the domain's Ed25519 signing key pair as token objects unless present (label 'symbolon-signing'); private half sensitive and not extractable, CKA_SIGN only. Returns its public key as SPKI DER. */
  ensureSigningKey(): { publicKey: Uint8Array; created: boolean };
  /** The signing key's public key (SPKI DER, 44 bytes for Ed25519); HsmError KEY_NOT_FOUND when there is none. */
  signingPublicKey(): Uint8Array;
  /** Ed25519 (CKM_EDDSA, pure) signature of `message` inside the token: 64 bytes, verifiable with node:crypto.verify(null, ...). */
  sign(message: Uint8Array): Uint8Array;
  /** Key material `ref` wrapped for an RSA public key (SPKI DER, 3072 or 4096 bits, e = 65537) with RSA-OAEP, SHA-1 and MGF1-SHA-1, empty label; the public key is a session object destroyed after use. Other sizes / malformed DER: HsmError PUBLIC_KEY_INVALID. */
  wrapForPublicKey(ref: KeyMaterialRef, publicKeySpki: Uint8Array): Uint8Array;
  /** Makes an RSA-3072 key pair as token objects labelled `symbolon-import-${id}` (id: 1..64 chars of [A-Za-z0-9-]); private half sensitive, not extractable, CKA_UNWRAP only (no decrypt, no sign). Returns the public key as SPKI DER. An id already in use: HsmError INVALID_ARGUMENT. */
  createImportKey(id: string): Uint8Array;
  /** Unwraps AES-256 key material sent under import key `id` (RSA-OAEP SHA-1) into the token and returns it wrapped under the domain key of `domainGeneration` (RFC 3394, like generateKeyMaterial). Unknown id: KEY_NOT_FOUND. Bytes that do not unwrap, or unwrap to anything but 32 bytes: WRAPPED_KEY_INVALID. */
  importKeyMaterial(id: string, wrapped: Uint8Array, domainGeneration: number): KeyMaterialRef;
  /** The same with the customer's RSA private key given as PKCS#8 DER (the weaker literal form): imported as a session object, used once, destroyed. Malformed key: PRIVATE_KEY_INVALID. */
  importKeyMaterialWithPrivateKey(
    privateKeyPkcs8: Uint8Array,
    wrapped: Uint8Array,
    domainGeneration: number,
  ): KeyMaterialRef;
  /** Destroys both halves of import key `id`; false when there was none. */
  destroyImportKey(id: string): boolean;
  /** Creates this token's identity key pair unless present: RSA-3072 token objects labelled 'symbolon-identity', the private half sensitive, never extractable, CKA_UNWRAP only. Returns the public key as SPKI DER. */
  ensureIdentityKey(): { publicKey: Uint8Array; created: boolean };
  /** The identity public key (SPKI DER); KEY_NOT_FOUND when there is none. */
  identityPublicKey(): Uint8Array;
  /** The key check value of the domain key of `generation`: 32 hex digits that only a holder of that key can compute (see keyCheckValue). KEY_NOT_FOUND when the token has no such key. */
  domainKeyCheckValue(generation: number): string;
  /**
   * The domain key of `generation` wrapped (RSA-OAEP SHA-1) for another member's identity public key, which the token
   * holds as a CKA_TRUSTED object labelled `symbolon-member-<nodeId>` (imported by the security officer the first time,
   * or again when the key changed): the domain key is CKA_WRAP_WITH_TRUSTED, so the token wraps it for nothing else.
   * No usable SO PIN and no trusted copy yet: SECURITY_OFFICER_UNAVAILABLE (a PIN the token refuses is not tried again
   * until restart, so that nobody can spend the token's PIN attempts).
   */
  wrapDomainKeyForMember(
    generation: number,
    member: { nodeId: string; identityPublicKey: Uint8Array },
  ): Uint8Array;
  /**
   * A marker token object made with the first domain key of a new domain, until the node takes that domain's genesis:
   * a genesis is accepted only by a token that made its key for it (not by one that merely holds keys, e.g. after its
   * state file was lost).
   */
  markGenesisPending(): void;
  genesisPending(): boolean;
  clearGenesisPending(): void;
  /** Whether this token can mark another member's identity key trusted (it has an SO PIN the token has not refused). */
  canTrustMembers(): boolean;
  /**
   * Unwraps a domain key sent by a member (wrapDomainKeyForMember) with this token's identity key into a token object
   * (sensitive, extractable only for a trusted key, wrap / unwrap only), and keeps it only if its key check value is
   * `keyCheckValue`: another key, or bytes that do not unwrap, give WRAPPED_KEY_INVALID and leave the token as it
   * was. A token that holds the generation with that check value keeps it; with another one, it refuses
   * (WRAPPED_KEY_INVALID), unless `replace` (a candidate made ahead of a rotation that never wrapped anything): the
   * held key is destroyed only once the received one has proved its check value.
   */
  receiveDomainKey(
    generation: number,
    wrapped: Uint8Array,
    keyCheckValue: string,
    opts?: { replace?: boolean },
  ): { created: boolean };
  /** Destroys the trusted copy of a member's identity key (it left the domain); false when there was none. */
  forgetMember(nodeId: string): boolean;
  /** Creates the token's state-authentication key unless present: a generic secret (CKK_GENERIC_SECRET, 32 bytes) token object labelled 'symbolon-state-mac', sensitive, never extractable, CKA_SIGN and CKA_VERIFY only. More than one such key in the token: HsmError DEVICE_ERROR (here and below). */
  ensureStateKey(): { created: boolean };
  /** HMAC-SHA256 (CKM_SHA256_HMAC) of `data` (may be empty) inside the token: 32 bytes. KEY_NOT_FOUND when there is no state key. */
  macState(data: Uint8Array): Uint8Array;
  /** True when `mac` is the token's HMAC-SHA256 of `data` (C_Verify; a wrong MAC is false, not an error; a MAC of the wrong length is false). KEY_NOT_FOUND when there is no state key. */
  verifyStateMac(data: Uint8Array, mac: Uint8Array): boolean;
}

export const DEFAULT_KEY_CACHE_SIZE = 1024;

/** The marker of a token that made a new domain's first key and awaits its genesis. */
const GENESIS_PENDING_LABEL = 'symbolon-genesis-pending';

export function domainKeyLabel(generation: number): string {
  return `symbolon-domain-${generation}`;
}

export function checkGeneration(generation: number): void {
  /* Precondition: a domain generation must be a non-negative safe integer. */
  needs(
    Number.isSafeInteger(generation) && generation >= 0,
    'a domain generation must be a non-negative safe integer',
  );
}

export function checkWrappedKeyMaterial(ref: KeyMaterialRef): void {
  checkGeneration(ref.domainGeneration);
  /* Precondition: wrapped key material must be 40 bytes (AES-256 under RFC 3394). */
  needs(
    ref.wrapped.length === WRAPPED_KEY_MATERIAL_LENGTH,
    'wrapped key material must be 40 bytes (AES-256 under RFC 3394)',
    'WRAPPED_KEY_INVALID',
  );
}

export function cacheKey(ref: KeyMaterialRef): string {
  return `${ref.domainGeneration}:${Buffer.from(ref.wrapped).toString('base64')}`;
}

export interface TokenHsmOptions {
  /** Most unwrapped keys kept as session objects; default 1024. */
  cacheSize?: number;
  /** The security officer's PIN: only to mark another member's identity key trusted (wrapDomainKeyForMember). */
  soPin?: string;
}

/** Bytes a key check value wraps: a known value, as a classic KCV encrypts a known block. */
const KCV_INPUT = new Uint8Array(32);

/**
 * The key check value of an AES key from its RFC 3394 wrap of 32 zero bytes: the first 16 bytes of its SHA-256, in hex.
 * Deterministic, so every token holding the same key gives the same value; it tells nothing of the key (one known
 * plaintext of AES), and a key of another value or length gives another one.
 */
export function keyCheckValue(wrapOfZeros: Uint8Array): string {
  return createHash('sha256').update(wrapOfZeros).digest('hex').slice(0, 32);
}

/** What both Hsm implementations check of a domain key received from a member, before they unwrap it. */
export function checkReceivedDomainKey(generation: number, wrapped: Uint8Array, kcv: string): void {
  checkGeneration(generation);
  checkKeyCheckValue(kcv);
  checkRsaWrapped(wrapped, IDENTITY_KEY_MODULUS_BITS);
}

/** A received domain key is not the one its check value names (or does not unwrap at all). */
export function checkValueMismatch(generation: number): HsmError {
  return new HsmError(
    'WRAPPED_KEY_INVALID',
    `the domain key of generation ${generation} does not match its key check value`,
  );
}

export function checkKeyCheckValue(kcv: string): void {
  /* Precondition: a key check value must be 32 lowercase hex digits. */
  needs(/^[0-9a-f]{32}$/.test(kcv), 'a key check value must be 32 lowercase hex digits');
}

export class TokenHsm implements Hsm {
  private readonly cacheSize: number;
  private readonly soPin: string | undefined;
  /** The token refused the SO PIN once: not tried again (each try spends one of its PIN attempts). */
  private soRefused = false;
  /** Insertion order is recency order: the first entry is the least recently used. */
  private readonly cache = new Map<string, KeyHandle>();
  private readonly domainKeys = new Map<number, KeyHandle>();
  private signingKey: KeyPairHandles | null = null;
  private stateKey: KeyHandle | null = null;

  /** Takes ownership of `token`: close() closes it. */
  constructor(
    private readonly token: Pkcs11Token,
    opts: TokenHsmOptions = {},
  ) {
    const size = opts.cacheSize ?? DEFAULT_KEY_CACHE_SIZE;
    /* Precondition: the key cache size must be a positive integer. */
    needs(Number.isSafeInteger(size) && size >= 1, 'the key cache size must be a positive integer');
    this.cacheSize = size;
    this.soPin = opts.soPin;
  }

  static open(cfg: Pkcs11TokenConfig & TokenHsmOptions): TokenHsm {
    return new TokenHsm(Pkcs11Token.open(cfg), { cacheSize: cfg.cacheSize, soPin: cfg.soPin });
  }

  hasDomainKey(generation: number): boolean {
    checkGeneration(generation);
    return this.findDomainKey(generation) !== null;
  }

  ensureDomainKey(generation: number): { created: boolean } {
    checkGeneration(generation);
    if (this.findDomainKey(generation) !== null) return { created: false };
    const key = this.token.generateAesKey({
      length: 32,
      usage: 'wrap',
      token: true,
      label: domainKeyLabel(generation),
      sensitive: true,
      extractable: true,
      wrapWithTrusted: true,
    });
    this.domainKeys.set(generation, key);
    return { created: true };
  }

  generateKeyMaterial(domainGeneration: number): KeyMaterialRef {
    const domainKey = this.requireDomainKey(domainGeneration);
    // Extractable only so that it can be wrapped; destroyed right after wrapping.
    const fresh = this.token.generateAesKey({
      length: 32,
      usage: 'aead',
      token: false,
      sensitive: true,
      extractable: true,
    });
    let wrapped: Uint8Array;
    try {
      wrapped = this.token.wrapKey(domainKey, fresh, 'rfc3394');
    } finally {
      this.token.destroy(fresh);
    }
    const ref = { domainGeneration, wrapped };
    // Cache a non-extractable copy: this also proves the wrapped value unwraps.
    this.keyFor(ref);
    return ref;
  }

  rewrapKeyMaterial(ref: KeyMaterialRef, toGeneration: number): KeyMaterialRef {
    checkWrappedKeyMaterial(ref);
    const to = this.requireDomainKey(toGeneration);
    const from = this.requireDomainKey(ref.domainGeneration);
    // An RFC 3394 unwrap of 40 bytes gives 32: no need to prove the length as for an RSA-OAEP import.
    const material = this.token.unwrapAesKey(from, ref.wrapped, { usage: 'aead', extractable: true });
    try {
      const wrapped = this.token.wrapUnwrapped40(
        to,
        material,
        () => new HsmError('WRAPPED_KEY_INVALID', 'the key material is not an AES-256 key'),
      );
      return { domainGeneration: toGeneration, wrapped };
    } finally {
      this.token.destroy(material);
    }
  }

  destroyDomainKey(generation: number): boolean {
    checkGeneration(generation);
    const found = this.token.findSecretKeys(domainKeyLabel(generation));
    for (const [id, key] of [...this.cache]) {
      if (id.startsWith(`${generation}:`)) {
        this.cache.delete(id);
        this.tryDestroy(key);
      }
    }
    this.domainKeys.delete(generation);
    for (const key of found) this.token.destroy(key);
    return found.length > 0;
  }

  encrypt(ref: KeyMaterialRef, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    return this.token.aesGcmEncrypt(this.keyFor(ref), iv, aad, plaintext);
  }

  decrypt(ref: KeyMaterialRef, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
    return this.token.aesGcmDecrypt(this.keyFor(ref), iv, aad, sealed);
  }

  generateRandom(length: number): Uint8Array {
    return this.token.generateRandom(length);
  }

  evict(ref: KeyMaterialRef): boolean {
    checkWrappedKeyMaterial(ref);
    const id = cacheKey(ref);
    const cached = this.cache.get(id);
    if (cached === undefined) return false;
    this.cache.delete(id);
    this.tryDestroy(cached);
    return true;
  }

  health(): HsmHealth {
    let ok = this.token.isOpen;
    if (ok) {
      try {
        this.token.generateRandom(1);
      } catch {
        ok = false;
      }
    }
    return { ok, tokenLabel: this.token.tokenLabel, cachedKeys: this.cache.size };
  }

  close(): void {
    for (const key of this.cache.values()) this.tryDestroy(key);
    this.cache.clear();
    this.domainKeys.clear();
    this.signingKey = null;
    this.stateKey = null;
    this.token.close();
  }

  ensureSigningKey(): { publicKey: Uint8Array; created: boolean } {
    let pair = this.findSigningKey();
    const created = pair === null;
    if (pair === null) {
      pair = this.token.generateEd25519KeyPair({ token: true, label: SIGNING_KEY_LABEL });
      this.signingKey = pair;
    }
    return { publicKey: ed25519Spki(this.token.ed25519PublicKey(pair.publicKey)), created };
  }

  signingPublicKey(): Uint8Array {
    return ed25519Spki(this.token.ed25519PublicKey(this.requireSigningKey().publicKey));
  }

  sign(message: Uint8Array): Uint8Array {
    return this.token.signEd25519(this.requireSigningKey().privateKey, message);
  }

  wrapForPublicKey(ref: KeyMaterialRef, publicKeySpki: Uint8Array): Uint8Array {
    const recipient = parseRsaPublicKey(publicKeySpki);
    checkWrappedKeyMaterial(ref);
    const domainKey = this.requireDomainKey(ref.domainGeneration);
    // A fresh extractable copy, never cached (the cached copies are not extractable); destroyed after use.
    const material = this.token.unwrapAesKey(domainKey, ref.wrapped, { usage: 'aead', extractable: true });
    try {
      const publicKey = this.token.importRsaPublicKey(recipient);
      try {
        return this.token.wrapKeyRsaOaep(publicKey, material);
      } finally {
        this.token.destroy(publicKey);
      }
    } finally {
      this.token.destroy(material);
    }
  }

  createImportKey(id: string): Uint8Array {
    checkImportId(id);
    /* Precondition: an import key id must not be in use. */
    needs(this.importKeyObjects(id).length === 0, 'an import key id must not be in use');
    const pair = this.token.generateRsaKeyPair({
      modulusBits: IMPORT_KEY_MODULUS_BITS,
      token: true,
      label: importKeyLabel(id),
    });
    const { n, e } = this.token.rsaPublicKey(pair.publicKey);
    return rsaSpki(n, e);
  }

  importKeyMaterial(id: string, wrapped: Uint8Array, domainGeneration: number): KeyMaterialRef {
    checkImportId(id);
    const [importKey] = this.token.findKeys('private', importKeyLabel(id));
    if (importKey === undefined) throw new HsmError('KEY_NOT_FOUND', `no import key '${id}' in the token`);
    checkRsaWrapped(wrapped, IMPORT_KEY_MODULUS_BITS);
    return this.importUnder(importKey, wrapped, domainGeneration, this.requireDomainKey(domainGeneration));
  }

  importKeyMaterialWithPrivateKey(
    privateKeyPkcs8: Uint8Array,
    wrapped: Uint8Array,
    domainGeneration: number,
  ): KeyMaterialRef {
    const customerKey = parseRsaPrivateKey(privateKeyPkcs8);
    checkRsaWrapped(wrapped, customerKey.modulusBits);
    const domainKey = this.requireDomainKey(domainGeneration);
    const privateKey = this.token.importRsaPrivateKey(customerKey);
    try {
      return this.importUnder(privateKey, wrapped, domainGeneration, domainKey);
    } finally {
      this.token.destroy(privateKey);
    }
  }

  destroyImportKey(id: string): boolean {
    checkImportId(id);
    const found = this.importKeyObjects(id);
    for (const key of found) this.token.destroy(key);
    return found.length > 0;
  }

  ensureStateKey(): { created: boolean } {
    if (this.findStateKey() !== null) return { created: false };
    this.stateKey = this.token.generateHmacKey({ token: true, label: STATE_KEY_LABEL });
    return { created: true };
  }

  macState(data: Uint8Array): Uint8Array {
    return this.token.hmacSha256(this.requireStateKey(), data);
  }

  verifyStateMac(data: Uint8Array, mac: Uint8Array): boolean {
    return this.token.verifyHmacSha256(this.requireStateKey(), data, mac);
  }

  ensureIdentityKey(): { publicKey: Uint8Array; created: boolean } {
    let pair = this.findIdentityKey();
    const created = pair === null;
    if (pair === null) {
      pair = this.token.generateRsaKeyPair({
        modulusBits: IDENTITY_KEY_MODULUS_BITS,
        token: true,
        label: IDENTITY_KEY_LABEL,
      });
    }
    const { n, e } = this.token.rsaPublicKey(pair.publicKey);
    return { publicKey: rsaSpki(n, e), created };
  }

  identityPublicKey(): Uint8Array {
    const pair = this.findIdentityKey();
    if (pair === null) throw new HsmError('KEY_NOT_FOUND', 'no identity key in the token');
    const { n, e } = this.token.rsaPublicKey(pair.publicKey);
    return rsaSpki(n, e);
  }

  domainKeyCheckValue(generation: number): string {
    return keyCheckValue(this.token.aesKeyWrap(this.requireDomainKey(generation), KCV_INPUT, 'rfc3394'));
  }

  wrapDomainKeyForMember(
    generation: number,
    member: { nodeId: string; identityPublicKey: Uint8Array },
  ): Uint8Array {
    const recipient = parseRsaPublicKey(member.identityPublicKey);
    this.requireDomainKey(generation);
    const label = memberKeyLabel(member.nodeId);
    let trusted = this.token.findKeys('public', label);
    const same = (k: KeyHandle): boolean => {
      const { n } = this.token.rsaPublicKey(k);
      return Buffer.from(n).equals(Buffer.from(recipient.n));
    };
    if (trusted.length !== 1 || !same(trusted[0]!)) {
      // First transport to this member, or its identity changed (it left and joined again with a new token).
      if (!this.canTrustMembers()) {
        throw new HsmError(
          'SECURITY_OFFICER_UNAVAILABLE',
          `no usable security officer PIN: cannot trust the identity key of ${member.nodeId}`,
        );
      }
      // The new copy is made beside the old one, which goes only once the new one exists.
      const incoming = `${label}-incoming`;
      try {
        for (const stale of this.token.findKeys('public', incoming)) this.token.destroy(stale);
        this.token.importTrustedRsaPublicKey(recipient, incoming, this.soPin!);
      } catch (e) {
        if (e instanceof HsmError && (e.code === 'PIN_INCORRECT' || e.code === 'PIN_LOCKED')) {
          this.soRefused = true;
          throw new HsmError('SECURITY_OFFICER_UNAVAILABLE', 'the token refused the security officer PIN');
        }
        throw e;
      } finally {
        this.forgetHandles();
      }
      for (const old of this.token.findKeys('public', label)) this.token.destroy(old);
      const [made] = this.token.findKeys('public', incoming);
      this.token.setLabel(made!, label);
      trusted = [made!];
    }
    return this.token.wrapKeyRsaOaep(trusted[0]!, this.requireDomainKey(generation));
  }

  canTrustMembers(): boolean {
    return this.soPin !== undefined && !this.soRefused;
  }

  markGenesisPending(): void {
    if (!this.genesisPending()) this.token.generateHmacKey({ token: true, label: GENESIS_PENDING_LABEL });
  }

  genesisPending(): boolean {
    return this.token.findSecretKeys(GENESIS_PENDING_LABEL).length > 0;
  }

  clearGenesisPending(): void {
    for (const k of this.token.findSecretKeys(GENESIS_PENDING_LABEL)) this.token.destroy(k);
  }

  receiveDomainKey(
    generation: number,
    wrapped: Uint8Array,
    kcv: string,
    opts: { replace?: boolean } = {},
  ): { created: boolean } {
    checkReceivedDomainKey(generation, wrapped, kcv);
    const mismatch = (): HsmError => checkValueMismatch(generation);
    const label = domainKeyLabel(generation);
    const held = this.findDomainKey(generation);
    if (held !== null) {
      if (this.domainKeyCheckValue(generation) === kcv) return { created: false };
      if (opts.replace !== true) throw mismatch();
    }
    const identity = this.findIdentityKey();
    if (identity === null) throw new HsmError('KEY_NOT_FOUND', 'no identity key in the token');
    // Beside the held key until it proves its value; a leftover of an interrupted replacement goes first.
    const incoming = `${label}-incoming`;
    for (const stale of this.token.findSecretKeys(incoming)) this.token.destroy(stale);
    let key: KeyHandle;
    try {
      key = this.token.unwrapAesKeyRsaOaep(identity.privateKey, wrapped, {
        usage: 'wrap',
        extractable: true,
        tokenLabel: held === null ? label : incoming,
      });
    } catch (e) {
      if (e instanceof HsmError && e.code === 'WRAPPED_KEY_INVALID') throw mismatch();
      throw e;
    }
    let received: string;
    try {
      received = keyCheckValue(this.token.aesKeyWrap(key, KCV_INPUT, 'rfc3394'));
    } catch {
      received = '';
    }
    if (received !== kcv) {
      this.token.destroy(key);
      throw mismatch();
    }
    if (held !== null) {
      this.destroyDomainKey(generation);
      this.token.setLabel(key, label);
    }
    this.domainKeys.set(generation, key);
    return { created: true };
  }

  forgetMember(nodeId: string): boolean {
    const found = this.token.findKeys('public', memberKeyLabel(nodeId));
    for (const k of found) this.token.destroy(k);
    return found.length > 0;
  }

  /** After the security officer's login every handle to a private object is void: the caches are found again. */
  private forgetHandles(): void {
    this.cache.clear();
    this.domainKeys.clear();
    this.signingKey = null;
    this.stateKey = null;
  }

  private findIdentityKey(): KeyPairHandles | null {
    return this.findKeyPair(IDENTITY_KEY_LABEL, 'identity');
  }

  /** Both halves of a key pair, or null; one half alone is a damaged token. */
  private findKeyPair(label: string, name: string): KeyPairHandles | null {
    const [publicKey] = this.token.findKeys('public', label);
    const [privateKey] = this.token.findKeys('private', label);
    if (publicKey === undefined && privateKey === undefined) return null;
    if (publicKey === undefined || privateKey === undefined) {
      throw new HsmError('DEVICE_ERROR', `the token holds only one half of the ${name} key pair`);
    }
    return { publicKey, privateKey };
  }

  /** The state key; two keys with its label would make the MAC depend on which one is found: refused. */
  private findStateKey(): KeyHandle | null {
    if (this.stateKey !== null) return this.stateKey;
    const found = this.token.findSecretKeys(STATE_KEY_LABEL);
    if (found.length > 1) throw new HsmError('DEVICE_ERROR', 'the token holds more than one state key');
    this.stateKey = found[0] ?? null;
    return this.stateKey;
  }

  private requireStateKey(): KeyHandle {
    const key = this.findStateKey();
    if (key === null) throw new HsmError('KEY_NOT_FOUND', 'no state key in the token');
    return key;
  }

  /** Both halves of import key `id` that exist. */
  private importKeyObjects(id: string): KeyHandle[] {
    const label = importKeyLabel(id);
    return [...this.token.findKeys('public', label), ...this.token.findKeys('private', label)];
  }

  /** RSA-OAEP unwrap into the token, then the RFC 3394 wrap under the domain key (cached like generateKeyMaterial). */
  private importUnder(
    unwrappingKey: KeyHandle,
    wrapped: Uint8Array,
    domainGeneration: number,
    domainKey: KeyHandle,
  ): KeyMaterialRef {
    // Extractable only so that it can be wrapped under the domain key; destroyed right after wrapping.
    const material = this.token.unwrapAesKeyRsaOaep(unwrappingKey, wrapped, {
      usage: 'aead',
      extractable: true,
    });
    let ref: KeyMaterialRef;
    try {
      ref = { domainGeneration, wrapped: this.token.wrapAes256OfUnknownLength(domainKey, material) };
    } finally {
      this.token.destroy(material);
    }
    this.keyFor(ref);
    return ref;
  }

  private findSigningKey(): KeyPairHandles | null {
    if (this.signingKey !== null) return this.signingKey;
    this.signingKey = this.findKeyPair(SIGNING_KEY_LABEL, 'signing');
    return this.signingKey;
  }

  private requireSigningKey(): KeyPairHandles {
    const pair = this.findSigningKey();
    if (pair === null) throw new HsmError('KEY_NOT_FOUND', 'no signing key in the token');
    return pair;
  }

  private findDomainKey(generation: number): KeyHandle | null {
    const known = this.domainKeys.get(generation);
    if (known) return known;
    const found = this.token.findSecretKeys(domainKeyLabel(generation));
    const first = found[0];
    if (first === undefined) return null;
    this.domainKeys.set(generation, first);
    return first;
  }

  private requireDomainKey(generation: number): KeyHandle {
    checkGeneration(generation);
    const key = this.findDomainKey(generation);
    if (key === null)
      throw new HsmError('KEY_NOT_FOUND', `no domain key of generation ${generation} in the token`);
    return key;
  }

  private keyFor(ref: KeyMaterialRef): KeyHandle {
    checkWrappedKeyMaterial(ref);
    const id = cacheKey(ref);
    const hit = this.cache.get(id);
    if (hit) {
      this.cache.delete(id);
      this.cache.set(id, hit);
      return hit;
    }
    const domainKey = this.requireDomainKey(ref.domainGeneration);
    const key = this.token.unwrapAesKey(domainKey, ref.wrapped, { usage: 'aead', extractable: false });
    this.cache.set(id, key);
    while (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (oldest.done === true) break;
      const evicted = this.cache.get(oldest.value);
      this.cache.delete(oldest.value);
      if (evicted) this.tryDestroy(evicted);
    }
    return key;
  }

  private tryDestroy(key: KeyHandle): void {
    try {
      this.token.destroy(key);
    } catch {
      // closing the session destroys session objects anyway
    }
  }
}
