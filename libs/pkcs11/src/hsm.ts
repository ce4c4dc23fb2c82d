/**
 * The narrow interface the hsm app uses, and its implementation on a PKCS#11 token.
 *
 * Key hierarchy (DESIGN.md): a domain key (AES-256, one per generation) is a token object that is
 * sensitive and leaves the token only wrapped for a trusted key. KMS key material (AES-256) is generated
 * inside the token and stored outside only as its RFC 3394 wrap under a domain key (KeyMaterialRef).
 * To use it, the wrapped value is unwrapped into a non-extractable session object, kept in a bounded LRU
 * cache (TOOLCHAIN.md: unwrap per call costs 3 to 4 times the cached path).
 */
import { HsmError, needs } from './errors.js';
import { type KeyHandle, Pkcs11Token, type Pkcs11TokenConfig } from './token.js';

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
  /** AES-256-GCM; returns ciphertext || 16-byte tag. */
  encrypt(ref: KeyMaterialRef, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** AES-256-GCM over ciphertext || 16-byte tag; a failed tag gives ENCRYPTED_DATA_INVALID. */
  decrypt(ref: KeyMaterialRef, iv: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array;
  generateRandom(length: number): Uint8Array;
  /** Drops the cached unwrapped copy of `ref`, if any (its key is being deleted); true when one was cached. */
  evict(ref: KeyMaterialRef): boolean;
  health(): HsmHealth;
  close(): void;
}

/** AES-256 key material wrapped with RFC 3394: 32 bytes + 8. */
export const WRAPPED_KEY_MATERIAL_LENGTH = 40;
export const DEFAULT_KEY_CACHE_SIZE = 1024;

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
}

export class TokenHsm implements Hsm {
  private readonly cacheSize: number;
  /** Insertion order is recency order: the first entry is the least recently used. */
  private readonly cache = new Map<string, KeyHandle>();
  private readonly domainKeys = new Map<number, KeyHandle>();

  /** Takes ownership of `token`: close() closes it. */
  constructor(
    private readonly token: Pkcs11Token,
    opts: TokenHsmOptions = {},
  ) {
    const size = opts.cacheSize ?? DEFAULT_KEY_CACHE_SIZE;
    /* Precondition: the key cache size must be a positive integer. */
    needs(Number.isSafeInteger(size) && size >= 1, 'the key cache size must be a positive integer');
    this.cacheSize = size;
  }

  static open(cfg: Pkcs11TokenConfig & TokenHsmOptions): TokenHsm {
    return new TokenHsm(Pkcs11Token.open(cfg), { cacheSize: cfg.cacheSize });
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
    this.token.close();
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
