/**
 * INSECURE - FOR TESTS ONLY.
 *
 * FakeHsm implements the Hsm interface with node:crypto in process memory: domain keys and key
 * material sit in ordinary JavaScript memory and can be read by anything in the process. It exists so
 * that other apps can unit-test against the Hsm interface without a PKCS#11 token (like tink's fakekms).
 * Never use it in a running service. Its checks and error codes match TokenHsm's, so tests written
 * against it hold for the token.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { HsmError, needs } from './errors.js';
import {
  checkGeneration,
  cacheKey,
  checkWrappedKeyMaterial,
  type Hsm,
  type HsmHealth,
  type KeyMaterialRef,
} from './hsm.js';
import { GCM_IV_LENGTH, GCM_TAG_LENGTH, MAX_RANDOM_LENGTH } from './params.js';

const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

export class FakeHsm implements Hsm {
  private readonly domainKeys = new Map<number, Buffer>();
  /** Which key versions TokenHsm would hold unwrapped: those used since they were made or evicted. */
  private readonly cached = new Set<string>();
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
    const kek = this.domainKey(domainGeneration);
    const cipher = createCipheriv('id-aes256-wrap', kek, KW_IV);
    const wrapped = Buffer.concat([cipher.update(randomBytes(32)), cipher.final()]);
    return { domainGeneration, wrapped: new Uint8Array(wrapped) };
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
    this.closed = true;
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

  private unwrap(ref: KeyMaterialRef): Buffer {
    checkWrappedKeyMaterial(ref);
    const kek = this.domainKey(ref.domainGeneration);
    try {
      const decipher = createDecipheriv('id-aes256-wrap', kek, KW_IV);
      const key = Buffer.concat([decipher.update(ref.wrapped), decipher.final()]);
      this.cached.add(cacheKey(ref));
      return key;
    } catch {
      throw new HsmError('WRAPPED_KEY_INVALID', 'the wrapped key material failed its integrity check');
    }
  }
}

function checkIv(iv: Uint8Array): void {
  needs(iv.length === GCM_IV_LENGTH, 'AES-GCM on the token takes a 12-byte IV', 'UNSUPPORTED_PARAMETERS');
}
