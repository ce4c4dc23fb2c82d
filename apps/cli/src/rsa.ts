/**
 * The owner's RSA keys for SuspendKey / ReinstateKey, and the local unwrap and re-wrap of a suspend package. Key
 * material is RSAES-OAEP with SHA-1 and MGF1-SHA-1 (what SoftHSM2 offers: ADR 0011), for RSA 3072 or 4096 keys.
 */
import { SUSPEND_WRAPPING_ALGORITHM } from '@symbolon/contracts';
import {
  type KeyObject,
  constants,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicEncrypt,
} from 'node:crypto';

import { LocalError, strictBase64 } from './steps.js';

/** The key sizes SuspendKey accepts. */
export const RSA_KEY_BITS: readonly number[] = [3072, 4096];

/** Bytes of one version's key material (AES-256). */
export const KEY_MATERIAL_BYTES = 32;

const OAEP_SHA1 = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' } as const;

/** The label of the first PEM block (`PUBLIC KEY`, `RSA PRIVATE KEY`...), if any. */
function pemLabel(text: string): string | undefined {
  return /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
}

/** Refuses anything but an RSA (not RSA-PSS) key of 3072 or 4096 bits. */
function checkRsa(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new LocalError(
      `${what} is not an RSA key (it is ${key.asymmetricKeyType ?? 'unknown'}): use RSA 3072 or 4096`,
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits === undefined || !RSA_KEY_BITS.includes(bits)) {
    throw new LocalError(`${what} is an RSA ${bits ?? '?'}-bit key: only RSA 3072 or 4096 is accepted`);
  }
  return key;
}

/**
 * An RSA public key from PEM: SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`, as `openssl rsa -pubout` and `openssl pkey
 * -pubout` write it) or PKCS#1 (`BEGIN RSA PUBLIC KEY`). `what` names the source in errors (e.g. `--public-key k.pem`).
 */
export function readRsaPublicKey(pem: string, what: string): KeyObject {
  const label = pemLabel(pem);
  if (label?.endsWith('PRIVATE KEY')) {
    throw new LocalError(`${what} holds a private key: give its public key (openssl pkey -pubout)`);
  }
  if (label !== 'PUBLIC KEY' && label !== 'RSA PUBLIC KEY') {
    throw new LocalError(`${what} is not a PEM public key (BEGIN PUBLIC KEY or BEGIN RSA PUBLIC KEY)`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new LocalError(`${what} is not a valid PEM ${label}`);
  }
  return checkRsa(key, what);
}

/**
 * An RSA private key from unencrypted PEM: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
 * Encrypted PEMs are refused: the CLI asks for no passphrase.
 */
export function readRsaPrivateKey(pem: string, what: string): KeyObject {
  const label = pemLabel(pem);
  if (label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type: *4, *ENCRYPTED/m.test(pem)) {
    throw new LocalError(
      `${what} is encrypted: encrypted private keys are not accepted; decrypt a copy (openssl pkey -in <file> -out <plain>), use it, then remove it`,
    );
  }
  if (label !== 'PRIVATE KEY' && label !== 'RSA PRIVATE KEY') {
    throw new LocalError(`${what} is not a PEM private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new LocalError(`${what} is not a valid PEM ${label}`);
  }
  return checkRsa(key, what);
}

/** SubjectPublicKeyInfo DER, base64: how SuspendKey takes the public key. */
export function spkiBase64(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** One entry of a suspend package or of ReinstateKey's Versions. */
export interface PackageVersion {
  Version: number;
  WrappedKeyMaterial: string;
}

/** What `key suspend` writes: the SuspendKey answer without its KeyState. */
export interface SuspendPackage {
  KeyId: string;
  WrappingAlgorithm: string;
  Versions: PackageVersion[];
}

/** Checks a parsed `--package` file; `what` names it in errors. */
export function readSuspendPackage(value: unknown, what: string): SuspendPackage {
  const p = value as Partial<Record<keyof SuspendPackage, unknown>> | null;
  if (typeof p !== 'object' || p === null || Array.isArray(p))
    throw new LocalError(`${what} is not a JSON object`);
  if (typeof p.KeyId !== 'string' || p.KeyId === '') throw new LocalError(`${what} has no KeyId`);
  if (p.WrappingAlgorithm !== SUSPEND_WRAPPING_ALGORITHM) {
    throw new LocalError(`${what}: WrappingAlgorithm must be ${SUSPEND_WRAPPING_ALGORITHM}`);
  }
  if (!Array.isArray(p.Versions) || p.Versions.length === 0) {
    throw new LocalError(`${what} has no Versions`);
  }
  const versions = p.Versions.map((v: unknown, i): PackageVersion => {
    const e = v as Partial<Record<keyof PackageVersion, unknown>> | null;
    const version = e?.Version;
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
      throw new LocalError(`${what}: Versions[${i}] has no Version (a whole number of at least 1)`);
    }
    if (!strictBase64(e?.WrappedKeyMaterial)) {
      throw new LocalError(`${what}: version ${version} has no base64 WrappedKeyMaterial`);
    }
    return { Version: version, WrappedKeyMaterial: e!.WrappedKeyMaterial as string };
  });
  return { KeyId: p.KeyId, WrappingAlgorithm: p.WrappingAlgorithm, Versions: versions };
}

/**
 * Unwraps every version of a package with the owner's private key: the 32-byte key materials, in package order. A
 * version that does not decrypt (another key pair's package, a changed file) or is not 32 bytes throws a LocalError
 * naming it; the materials already unwrapped are zeroed first. The caller zeroes the result when done.
 */
export function unwrapPackage(versions: readonly PackageVersion[], privateKey: KeyObject): Buffer[] {
  const materials: Buffer[] = [];
  try {
    for (const v of versions) {
      let material: Buffer;
      try {
        material = privateDecrypt(
          { key: privateKey, ...OAEP_SHA1 },
          Buffer.from(v.WrappedKeyMaterial, 'base64'),
        );
      } catch {
        throw new LocalError(
          `version ${v.Version} of the package does not decrypt with --private-key: the package was made for another key pair, or changed`,
        );
      }
      materials.push(material);
      if (material.length !== KEY_MATERIAL_BYTES) {
        throw new LocalError(
          `version ${v.Version} of the package holds ${material.length} bytes, not a ${KEY_MATERIAL_BYTES}-byte key`,
        );
      }
    }
    return materials;
  } catch (e) {
    zero(materials);
    throw e;
  }
}

/** Wraps key material for a public key (RSAES-OAEP SHA-1), base64. */
export function wrapFor(publicKey: KeyObject, material: Buffer): string {
  return publicEncrypt({ key: publicKey, ...OAEP_SHA1 }, material).toString('base64');
}

/** Overwrites buffers that held key material. */
export function zero(buffers: readonly Buffer[]): void {
  for (const b of buffers) b.fill(0);
}
