import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCodes,
  HsmCreateImportKeyRequest,
  type HsmCreateImportKeyReply,
  HsmDestroyImportKeyRequest,
  type HsmDestroyImportKeyReply,
  HsmReinstateRequest,
  type HsmReinstateReply,
  HsmSuspendRequest,
  type HsmSuspendReply,
  KmsError,
  fromBase64,
  toBase64,
} from '@symbolon/contracts';
import { serializeEkt } from '@symbolon/formats';
import { type Hsm, HsmError, type KeyMaterialRef } from '@symbolon/pkcs11';
import { randomBytes } from 'node:crypto';

import { toKmsError } from '../hsm-errors.js';
import { HSM, NODE_SETTINGS, type NodeSettings } from '../hsm.tokens.js';
import { guard, keyVersions } from './key-ref.js';

const IV_LENGTH = 12;
const CHECK_LENGTH = 32;

/** What a check value is bound to: one version of one key, so a check cannot be moved to another key. */
export function checkAad(keyArn: string, version: number): Buffer {
  return Buffer.from(`symbolon-suspend-check|${keyArn}|${version}`, 'utf8');
}

/**
 * Custody of key material leaving for its owner and coming back (SuspendKey / ReinstateKey). The token wraps each
 * version for the owner's RSA public key; what stays with the provider is a check value per version - a random value
 * sealed under that version - which decrypts nothing but proves that reinstated key material is the same.
 */
@Injectable()
export class CustodyUseCase {
  constructor(
    @Inject(HSM) private readonly hsm: Hsm,
    @Inject(NODE_SETTINGS) private readonly node: NodeSettings,
  ) {}

  suspend(req: HsmSuspendRequest): HsmSuspendReply {
    const publicKey = fromBase64(req.publicKey);
    const versions = keyVersions(req);
    const wrapped: string[] = [];
    const checks: string[] = [];
    for (const v of versions) {
      wrapped.push(toBase64(custodyGuard(() => this.hsm.wrapForPublicKey(v.ref, publicKey))));
      const iv = randomBytes(IV_LENGTH);
      const sealed = guard(() =>
        this.hsm.encrypt(v.ref, iv, randomBytes(CHECK_LENGTH), checkAad(req.keyArn, v.version)),
      );
      checks.push(toBase64(Buffer.concat([iv, sealed])));
    }
    for (const v of versions) guard(() => this.hsm.evict(v.ref));
    return { wrapped, checks };
  }

  createImportKey(req: HsmCreateImportKeyRequest): HsmCreateImportKeyReply {
    return { publicKey: toBase64(custodyGuard(() => this.hsm.createImportKey(req.importKeyId))) };
  }

  destroyImportKey(req: HsmDestroyImportKeyRequest): HsmDestroyImportKeyReply {
    return { destroyed: guard(() => this.hsm.destroyImportKey(req.importKeyId)) };
  }

  /**
   * Every version is imported and checked before any EKT is answered; the import key is destroyed once all passed
   * (it serves one ReinstateKey), and kept after a failure so the owner can retry until it expires.
   */
  reinstate(req: HsmReinstateRequest): HsmReinstateReply {
    const n = req.versions.length;
    if (req.wrapped.length !== n || req.checks.length !== n) {
      throw new KmsError(
        ErrorCodes.VALIDATION,
        'every version needs its wrapped key material and check value',
      );
    }
    if ((req.importKeyId === undefined) === (req.privateKey === undefined)) {
      throw new KmsError(ErrorCodes.VALIDATION, 'give either an import key or a private key');
    }
    const privateKey = req.privateKey === undefined ? undefined : fromBase64(req.privateKey);
    const refs: KeyMaterialRef[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const wrapped = fromBase64(req.wrapped[i]!);
        const ref = custodyGuard(() =>
          privateKey === undefined
            ? this.hsm.importKeyMaterial(req.importKeyId!, wrapped, this.node.domainGeneration)
            : this.hsm.importKeyMaterialWithPrivateKey(privateKey, wrapped, this.node.domainGeneration),
        );
        refs.push(ref);
        this.check(ref, req.keyArn, req.versions[i]!, fromBase64(req.checks[i]!));
      }
    } catch (e) {
      for (const ref of refs) this.hsm.evict(ref);
      throw e;
    } finally {
      privateKey?.fill(0);
    }
    if (req.importKeyId !== undefined) guard(() => this.hsm.destroyImportKey(req.importKeyId!));
    return { ekts: refs.map((ref) => toBase64(serializeEkt(ref))) };
  }

  private check(ref: KeyMaterialRef, keyArn: string, version: number, check: Buffer): void {
    try {
      this.hsm.decrypt(
        ref,
        check.subarray(0, IV_LENGTH),
        check.subarray(IV_LENGTH),
        checkAad(keyArn, version),
      );
    } catch (e) {
      if (!(e instanceof HsmError) || (e.code !== 'ENCRYPTED_DATA_INVALID' && e.code !== 'DATA_LEN_RANGE')) {
        throw toKmsError(e);
      }
      throw new KmsError(
        ErrorCodes.INCORRECT_KEY_MATERIAL,
        `The key material of version ${version} is not the key material this key had.`,
      );
    }
  }
}

/** Token errors of the custody calls, in the terms of AWS's import operations. */
function custodyGuard<T>(op: () => T): T {
  try {
    return op();
  } catch (e) {
    if (e instanceof HsmError) {
      switch (e.code) {
        case 'PUBLIC_KEY_INVALID':
          throw new KmsError(
            ErrorCodes.VALIDATION,
            'PublicKey must be an RSA 3072 or 4096-bit public key (SPKI DER).',
          );
        case 'PRIVATE_KEY_INVALID':
          throw new KmsError(ErrorCodes.VALIDATION, 'PrivateKey must be an RSA private key (PKCS#8 DER).');
        case 'KEY_NOT_FOUND':
          throw new KmsError(
            ErrorCodes.INVALID_IMPORT_TOKEN,
            'The import token does not name a usable import key.',
          );
        case 'WRAPPED_KEY_INVALID':
        case 'ENCRYPTED_DATA_INVALID':
          throw new KmsError(
            ErrorCodes.INVALID_CIPHERTEXT,
            'The wrapped key material could not be unwrapped.',
          );
      }
    }
    throw toKmsError(e);
  }
}
