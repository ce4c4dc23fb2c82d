import { ErrorCodes, type HsmKeyVersionsRequest, KmsError, fromBase64 } from '@symbolon/contracts';
import { EnvelopeError, deserializeEkt } from '@symbolon/formats';
import type { KeyMaterialRef } from '@symbolon/pkcs11';
import { createHash } from 'node:crypto';

import { toKmsError } from '../hsm-errors.js';

/** Runs a token call, turning token errors into the platform's. */
export function guard<T>(op: () => T): T {
  try {
    return op();
  } catch (e) {
    throw toKmsError(e);
  }
}

/** The key material an EKT (base64) names; a malformed EKT is the key version's state, not the caller's input. */
export function keyRef(ekt: string): KeyMaterialRef {
  try {
    const parsed = deserializeEkt(fromBase64(ekt));
    return { domainGeneration: parsed.domainGeneration, wrapped: parsed.wrapped };
  } catch (e) {
    if (e instanceof EnvelopeError) {
      throw new KmsError(ErrorCodes.INVALID_STATE, 'the stored key token of this key version is malformed');
    }
    throw e;
  }
}

export interface KeyVersionRef {
  version: number;
  ref: KeyMaterialRef;
  ektSha256: string;
}

/** The versions of a request that names them as parallel arrays, each with its key material and EKT hash. */
export function keyVersions(req: HsmKeyVersionsRequest): KeyVersionRef[] {
  if (req.versions.length !== req.ekts.length || new Set(req.versions).size !== req.versions.length) {
    throw new KmsError(ErrorCodes.VALIDATION, 'every version needs exactly one EKT');
  }
  return req.versions.map((version, i) => {
    const ekt = req.ekts[i]!;
    return {
      version,
      ref: keyRef(ekt),
      ektSha256: createHash('sha256').update(fromBase64(ekt)).digest('hex'),
    };
  });
}
