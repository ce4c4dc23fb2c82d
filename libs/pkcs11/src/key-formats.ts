/**
 * Public-key formats at the edge of the token: SPKI and PKCS#8 DER parsed with node:crypto into the
 * big-endian integers PKCS#11 templates take, and the Ed25519 SPKI built from a raw point.
 * No pkcs11js here: FakeHsm and TokenHsm share these checks and their error codes.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

import { HsmError, needs } from './errors.js';

/** RSA moduli accepted for wrapping to a customer and for the customer's private key. */
export const RSA_MODULUS_BITS: readonly number[] = Object.freeze([3072, 4096]);
/** Import keys are RSA-3072. */
export const IMPORT_KEY_MODULUS_BITS = 3072;
export const RSA_PUBLIC_EXPONENT = 65537n;

export const SIGNING_KEY_LABEL = 'symbolon-signing';
/** The token's identity: an RSA-3072 key pair whose public half a member wraps domain keys for (transport). */
export const IDENTITY_KEY_LABEL = 'symbolon-identity';
export const IDENTITY_KEY_MODULUS_BITS = 3072;

/** The trusted copy of another member's identity public key in this token. */
export function memberKeyLabel(nodeId: string): string {
  return `symbolon-member-${nodeId}`;
}
/** The HMAC-SHA256 key that authenticates the node's domain-state file (one per token). */
export const STATE_KEY_LABEL = 'symbolon-state-mac';
/** Ed25519 signatures are 64 bytes; public keys 32 raw, 44 as SPKI DER. */
export const ED25519_SIGNATURE_LENGTH = 64;
export const ED25519_PUBLIC_KEY_LENGTH = 32;
/** SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (0 unused bits) ... } of RFC 8410, before the point. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** DER of the OID 1.3.101.112 (id-Ed25519): CKA_EC_PARAMS of Ed25519 keys (SoftHSM2 2.6.1 accepts it). */
export const ED25519_EC_PARAMS = Buffer.from('06032b6570', 'hex');

const IMPORT_ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Empties this thread's OpenSSL error queue. Where Node and the PKCS#11 module share libcrypto (Debian's
 * nodejs and SoftHSM2 both load libcrypto.so.3), SoftHSM2 leaves errors on the queue when an operation
 * fails (e.g. an RSA-OAEP unwrap of bad bytes), and Node's private-key parser peeks at the queue and
 * then rejects a valid key. A failed parse drains the queue (checked here on Node 20.20 with OpenSSL
 * 3.0): the token layer calls this after every failed PKCS#11 call.
 */
export function drainOpenSslErrors(): void {
  try {
    createPrivateKey({ key: Buffer.alloc(0), format: 'der', type: 'pkcs8' });
  } catch {
    // the expected outcome: the failure pops what was queued
  }
}

export function importKeyLabel(id: string): string {
  return `symbolon-import-${id}`;
}

export function checkImportId(id: string): void {
  /* Precondition: an import key id must be 1 to 64 characters of [A-Za-z0-9-]. */
  needs(
    typeof id === 'string' && IMPORT_ID_PATTERN.test(id),
    'an import key id must be 1 to 64 characters of [A-Za-z0-9-]',
  );
}

/** RSA public key components, big-endian without leading zeros. */
export interface RsaPublicComponents {
  modulusBits: number;
  n: Uint8Array;
  e: Uint8Array;
}

/** RSA private key components (CKA_MODULUS ... CKA_COEFFICIENT), big-endian. */
export interface RsaPrivateComponents extends RsaPublicComponents {
  d: Uint8Array;
  p: Uint8Array;
  q: Uint8Array;
  dp: Uint8Array;
  dq: Uint8Array;
  qi: Uint8Array;
}

function b64u(value: string | undefined): Uint8Array {
  if (value === undefined || value.length === 0) throw new Error('missing component');
  return new Uint8Array(Buffer.from(value, 'base64url'));
}

/** True when `key` is plain RSA (not RSA-PSS) of an accepted size with e = 65537. */
function isAcceptedRsa(key: KeyObject): boolean {
  const details = key.asymmetricKeyDetails;
  return (
    key.asymmetricKeyType === 'rsa' &&
    details?.modulusLength !== undefined &&
    RSA_MODULUS_BITS.includes(details.modulusLength) &&
    details.publicExponent === RSA_PUBLIC_EXPONENT
  );
}

/** Parses an RSA public key given as SPKI DER. */
export function parseRsaPublicKey(spki: Uint8Array): RsaPublicComponents {
  let key: KeyObject | undefined;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    key = undefined;
  }
  /* Precondition: the public key must be RSA SPKI DER of 3072 or 4096 bits with e = 65537. */
  needs(
    key !== undefined && isAcceptedRsa(key),
    'the public key must be RSA SPKI DER of 3072 or 4096 bits with e = 65537',
    'PUBLIC_KEY_INVALID',
  );
  const jwk = key.export({ format: 'jwk' });
  return { modulusBits: key.asymmetricKeyDetails?.modulusLength ?? 0, n: b64u(jwk.n), e: b64u(jwk.e) };
}

/** Parses an RSA private key given as PKCS#8 DER. Messages never carry key bytes. */
export function parseRsaPrivateKey(pkcs8: Uint8Array): RsaPrivateComponents {
  let parsed: RsaPrivateComponents | undefined;
  try {
    const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
    if (isAcceptedRsa(key)) {
      const jwk = key.export({ format: 'jwk' });
      parsed = {
        modulusBits: key.asymmetricKeyDetails?.modulusLength ?? 0,
        n: b64u(jwk.n),
        e: b64u(jwk.e),
        d: b64u(jwk.d),
        p: b64u(jwk.p),
        q: b64u(jwk.q),
        dp: b64u(jwk.dp),
        dq: b64u(jwk.dq),
        qi: b64u(jwk.qi),
      };
    }
  } catch {
    parsed = undefined;
  }
  /* Precondition: the private key must be RSA PKCS#8 DER of 3072 or 4096 bits with e = 65537. */
  needs(
    parsed !== undefined,
    'the private key must be RSA PKCS#8 DER of 3072 or 4096 bits with e = 65537',
    'PRIVATE_KEY_INVALID',
  );
  return parsed;
}

/** A node:crypto RSA public key from its components. */
export function rsaPublicKeyObject(n: Uint8Array, e: Uint8Array): KeyObject {
  return createPublicKey({
    key: { kty: 'RSA', n: Buffer.from(n).toString('base64url'), e: Buffer.from(e).toString('base64url') },
    format: 'jwk',
  });
}

/** SPKI DER of an RSA public key from its components. */
export function rsaSpki(n: Uint8Array, e: Uint8Array): Uint8Array {
  return new Uint8Array(rsaPublicKeyObject(n, e).export({ format: 'der', type: 'spki' }));
}

/**
 * The 32-byte Ed25519 point from a CKA_EC_POINT value: SoftHSM2 stores it as a DER OCTET STRING
 * (04 20 || point); a raw 32-byte point is accepted too.
 */
export function ed25519PointFromEcPoint(ecPoint: Uint8Array): Uint8Array {
  if (ecPoint.length === ED25519_PUBLIC_KEY_LENGTH) return Uint8Array.from(ecPoint);
  if (
    ecPoint.length === ED25519_PUBLIC_KEY_LENGTH + 2 &&
    ecPoint[0] === 0x04 &&
    ecPoint[1] === ED25519_PUBLIC_KEY_LENGTH
  ) {
    return Uint8Array.from(ecPoint.subarray(2));
  }
  throw new HsmError('DEVICE_ERROR', 'the token returned an Ed25519 public key in an unknown encoding');
}

/** SPKI DER (44 bytes) of a raw 32-byte Ed25519 public key. */
export function ed25519Spki(point: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.concat([ED25519_SPKI_PREFIX, point]));
}

export function checkRsaWrapped(wrapped: Uint8Array, modulusBits: number): void {
  /* Precondition: RSA-wrapped key material must be as long as the RSA modulus. */
  needs(
    wrapped.length === modulusBits / 8,
    'RSA-wrapped key material must be as long as the RSA modulus',
    'WRAPPED_KEY_INVALID',
  );
}
