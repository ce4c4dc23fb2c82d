import { Inject, Injectable } from '@nestjs/common';
import {
  type HsmDecryptReply,
  HsmDecryptRequest,
  type HsmDestroyKeyReply,
  HsmDestroyKeyRequest,
  type HsmEncryptReply,
  HsmEncryptRequest,
  type HsmGenerateDataKeyReply,
  HsmGenerateDataKeyRequest,
  type HsmGenerateKeyReply,
  type HsmGenerateRandomReply,
  HsmGenerateRandomRequest,
  type HsmHealthReply,
  type HsmReEncryptReply,
  HsmReEncryptRequest,
  HsmRewrapRequest,
  type HsmRewrapReply,
  fromBase64,
  toBase64,
} from '@symbolon/contracts';
import { serializeEkt } from '@symbolon/formats';
import type { Hsm, KeyMaterialRef } from '@symbolon/pkcs11';
import { randomBytes } from 'node:crypto';

import { HSM, NODE_SETTINGS, type NodeSettings } from '../hsm.tokens.js';
import { guard, keyRef } from './key-ref.js';

const IV_LENGTH = 12;
/** EKTs re-wrapped between two turns of the event loop. */
const REWRAP_SLICE = 25;

/**
 * Everything this node does with key material. Keys arrive as EKTs and are unwrapped inside the token; plaintext
 * key material never leaves it. IVs are 96 random bits (NIST SP 800-38D 8.2.2); rotation keeps each key version far
 * below 2^32 encryptions.
 */
@Injectable()
export class TokenOperationsUseCase {
  constructor(
    @Inject(HSM) private readonly hsm: Hsm,
    @Inject(NODE_SETTINGS) private readonly node: NodeSettings,
  ) {}

  generateKey(): HsmGenerateKeyReply {
    const ref = guard(() => this.hsm.generateKeyMaterial(this.node.domainGeneration));
    return { ekt: toBase64(serializeEkt({ domainGeneration: ref.domainGeneration, wrapped: ref.wrapped })) };
  }

  encrypt(req: HsmEncryptRequest): HsmEncryptReply {
    const ref = keyRef(req.ekt);
    const iv = randomBytes(IV_LENGTH);
    const sealed = guard(() => this.hsm.encrypt(ref, iv, fromBase64(req.plaintext), fromBase64(req.aad)));
    return { iv: toBase64(iv), sealed: toBase64(sealed) };
  }

  /** A data key from the token's generator, sealed under the KMS key in the same request. */
  generateDataKey(req: HsmGenerateDataKeyRequest): HsmGenerateDataKeyReply {
    const ref = keyRef(req.ekt);
    const dataKey = guard(() => this.hsm.generateRandom(req.length));
    const iv = randomBytes(IV_LENGTH);
    const sealed = guard(() => this.hsm.encrypt(ref, iv, dataKey, fromBase64(req.aad)));
    return { plaintext: toBase64(dataKey), iv: toBase64(iv), sealed: toBase64(sealed) };
  }

  decrypt(req: HsmDecryptRequest): HsmDecryptReply {
    const ref = keyRef(req.ekt);
    const plaintext = guard(() =>
      this.hsm.decrypt(ref, fromBase64(req.iv), fromBase64(req.sealed), fromBase64(req.aad)),
    );
    return { plaintext: toBase64(plaintext) };
  }

  /**
   * Decrypt under the source key version and encrypt under the destination one in this process: the plaintext is
   * never answered, and its buffer is zeroed before returning.
   */
  reEncrypt(req: HsmReEncryptRequest): HsmReEncryptReply {
    const source = keyRef(req.sourceEkt);
    const destination = keyRef(req.destinationEkt);
    const plaintext = guard(() =>
      this.hsm.decrypt(source, fromBase64(req.iv), fromBase64(req.sealed), fromBase64(req.sourceAad)),
    );
    try {
      const iv = randomBytes(IV_LENGTH);
      const sealed = guard(() =>
        this.hsm.encrypt(destination, iv, plaintext, fromBase64(req.destinationAad)),
      );
      return { iv: toBase64(iv), sealed: toBase64(sealed) };
    } finally {
      plaintext.fill(0);
    }
  }

  /** Evicts every given key version from the token's cache; a malformed EKT is skipped (nothing can be cached). */
  destroyKey(req: HsmDestroyKeyRequest): HsmDestroyKeyReply {
    let evicted = 0;
    for (const ekt of req.ekts) {
      let ref: KeyMaterialRef;
      try {
        ref = keyRef(ekt);
      } catch {
        continue;
      }
      if (guard(() => this.hsm.evict(ref))) evicted++;
    }
    return { evicted };
  }

  /**
   * Every EKT under the active generation (those already there unchanged), for domain-key rotation. The token calls
   * are synchronous: every REWRAP_SLICE EKTs the node lets the requests waiting meanwhile (Encrypt, Decrypt) through.
   */
  async rewrap(req: HsmRewrapRequest): Promise<HsmRewrapReply> {
    const to = this.node.domainGeneration;
    const ekts: string[] = [];
    for (const [i, ekt] of req.ekts.entries()) {
      if (i > 0 && i % REWRAP_SLICE === 0) await new Promise((r) => setImmediate(r));
      const ref = keyRef(ekt);
      if (ref.domainGeneration === to) {
        ekts.push(ekt);
        continue;
      }
      const moved = guard(() => this.hsm.rewrapKeyMaterial(ref, to));
      guard(() => this.hsm.evict(ref));
      ekts.push(toBase64(serializeEkt({ domainGeneration: moved.domainGeneration, wrapped: moved.wrapped })));
    }
    return { ekts, domainGeneration: to };
  }

  generateRandom(req: HsmGenerateRandomRequest): HsmGenerateRandomReply {
    return { random: toBase64(guard(() => this.hsm.generateRandom(req.length))) };
  }

  health(): HsmHealthReply {
    const h = this.hsm.health();
    return {
      nodeId: this.node.nodeId,
      tokenLabel: h.tokenLabel,
      ok: h.ok,
      domainGeneration: this.node.domainGeneration,
      cachedKeys: h.cachedKeys,
      ready: h.ok && this.node.member === true && this.hsm.hasDomainKey(this.node.domainGeneration),
    };
  }
}
