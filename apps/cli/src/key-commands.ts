/** `symbolon key shred | verify-shred | signing-key | suspend | reinstate`: commands made of steps. */
import { SUSPEND_WRAPPING_ALGORITHM } from '@symbolon/contracts';
import { type KeyObject, createPublicKey } from 'node:crypto';

import {
  type ShredCompletion,
  type ShredReceipt,
  type Signed,
  publicKeyFingerprint,
  verifyShredReceipt,
} from '@symbolon/evidence';

import {
  type PackageVersion,
  readRsaPrivateKey,
  readRsaPublicKey,
  readSuspendPackage,
  spkiBase64,
  unwrapPackage,
  wrapFor,
  zero,
} from './rsa.js';
import {
  LocalError,
  NewFile,
  type Steps,
  answer,
  invalidResponse,
  json,
  optionalLocal,
  readJsonFile,
  readOptionFile,
  readPinnedKeys,
  requiredLocal,
  strictBase64,
} from './steps.js';

/**
 * `key shred`: ShredKey. With --out, the file is created first (mode 0600, never over an existing one): the key is
 * gone once the platform answers, so its receipt must have somewhere to go. Prints KeyId, KeyState, the receipt (or
 * its path) and the fingerprint of the key that signed it.
 */
export const shred: Steps = async (command, { io, call }) => {
  const outPath = optionalLocal(command, 'out');
  const file = outPath !== undefined ? await NewFile.create('out', outPath, 0o600) : undefined;
  try {
    const reply = answer(await call('ShredKey', { KeyId: command.body['KeyId'] }));
    const given = reply['Receipt'];
    if (typeof given !== 'object' || given === null) throw invalidResponse('ShredKey gave no Receipt');
    // Once the shred is final the platform adds the token's signed completion: kept in the receipt file with it.
    const completion = reply['Completion'];
    const receipt = typeof completion === 'object' && completion !== null ? { ...given, completion } : given;
    if (file) {
      await file.write(json(receipt));
      await file.commit();
    }
    let signer: string;
    try {
      signer = publicKeyFingerprint(String((receipt as { publicKey?: unknown }).publicKey));
    } catch {
      throw invalidResponse(
        `the receipt has no base64 publicKey${file ? ` (kept in ${file.path}; check it with key verify-shred)` : ''}`,
      );
    }
    io.out(
      json({
        KeyId: reply['KeyId'],
        KeyState: reply['KeyState'],
        Receipt: file ? file.path : receipt,
        Signer: signer,
        Final: receipt !== given,
      }),
    );
    return 0;
  } finally {
    await file?.discard();
  }
};

/**
 * `key verify-shred`, offline: checks a receipt's fields, signature and (when given) key and pinned signing key. A
 * `--key-id` that is not an ARN matches the receipt's ARN by its key id. Final when the file holds the token's signed
 * completion (every generation the receipt left pending destroyed) and it verifies against the same key.
 */
export const verifyShred: Steps = async (command, { io }) => {
  const receiptPath = requiredLocal(command, 'receipt');
  const { completion, ...signed } = readJsonFile('receipt', receiptPath) as Signed<ShredReceipt> & {
    completion?: Signed<ShredCompletion>;
  };
  const keyId = optionalLocal(command, 'key-id');
  const pinned = optionalLocal(command, 'public-key');
  const publicKey = pinned !== undefined ? readPinnedKeys('public-key', pinned) : undefined;
  const receiptArn = (signed as { document?: { keyArn?: unknown } } | null)?.document?.keyArn;
  // verifyShredReceipt compares ARNs: a bare key id stands for the receipt's ARN when it is that ARN's key id.
  const keyArn =
    keyId !== undefined && typeof receiptArn === 'string' && receiptArn.endsWith(`:key/${keyId}`)
      ? receiptArn
      : keyId;
  const verdict = verifyShredReceipt(signed, {
    ...(keyArn !== undefined ? { keyArn } : {}),
    ...(publicKey !== undefined ? { publicKey } : {}),
    ...(completion !== undefined ? { completion } : {}),
  });
  if (!verdict.ok) throw new LocalError(`the receipt in ${receiptPath} is not valid: ${verdict.reason}`);
  io.out(
    json({
      Valid: true,
      KeyId: signed.document.keyArn,
      Versions: signed.document.versions.map((v) => v.version),
      Signer: verdict.fingerprint,
      PendingGenerations: verdict.pendingGenerations,
      Final: verdict.final,
    }),
  );
  return 0;
};

/**
 * `key signing-key`: GetSigningPublicKey: the domain signer's key and every member token's. --out writes them, base64,
 * one per line, the signer's first (created first, never over a file): what the verify commands pin.
 */
export const signingKey: Steps = async (command, { io, call }) => {
  const outPath = optionalLocal(command, 'out');
  const file = outPath !== undefined ? await NewFile.create('out', outPath, 0o644) : undefined;
  try {
    const { PublicKey, SigningKeys } = answer(await call('GetSigningPublicKey', {}));
    const fingerprintOf = (key: unknown): string => {
      try {
        return publicKeyFingerprint(String(key));
      } catch {
        throw invalidResponse('GetSigningPublicKey gave no base64 PublicKey');
      }
    };
    const fingerprint = fingerprintOf(PublicKey);
    const members = Array.isArray(SigningKeys)
      ? (SigningKeys as { NodeId?: unknown; PublicKey?: unknown }[])
      : [];
    const keys = [
      String(PublicKey),
      ...members.map((k) => String(k.PublicKey)).filter((k) => k !== PublicKey),
    ];
    const listed = members.map((k) => ({ NodeId: k.NodeId, Fingerprint: fingerprintOf(k.PublicKey) }));
    if (file) {
      await file.write(keys.map((k) => `${k}\n`).join(''));
      await file.commit();
    }
    io.out(json({ PublicKey, Fingerprint: fingerprint, SigningKeys: listed }));
    return 0;
  } finally {
    await file?.discard();
  }
};

/**
 * `key suspend`: checks the RSA public key locally, creates --out (0600) before sending SuspendKey, and writes the
 * suspend package there: the only copy of the key material once the platform answers.
 */
export const suspend: Steps = async (command, { io, call }) => {
  const keyPath = requiredLocal(command, 'public-key');
  const publicKey = readRsaPublicKey(
    readOptionFile('public-key', keyPath).toString('utf8'),
    `--public-key ${keyPath}`,
  );
  const file = await NewFile.create('out', requiredLocal(command, 'out'), 0o600);
  try {
    const reply = answer(
      await call('SuspendKey', { KeyId: command.body['KeyId'], PublicKey: spkiBase64(publicKey) }),
    );
    const { KeyId, KeyState, WrappingAlgorithm, Versions } = reply;
    // Kept as answered, even if odd: once the key is suspended this file is all there is.
    await file.write(json({ KeyId, WrappingAlgorithm, Versions }));
    await file.commit();
    if (!Array.isArray(Versions) || Versions.length === 0) {
      throw invalidResponse(`SuspendKey gave no Versions (its answer is in ${file.path})`);
    }
    io.out(json({ KeyId, KeyState, Versions: Versions.length, Package: file.path }));
    return 0;
  } finally {
    await file.discard();
  }
};

/** The import key of GetParametersForReinstate: base64 SPKI DER of an RSA key. */
function importKeyOf(reply: Record<string, unknown>): KeyObject {
  if (reply['WrappingAlgorithm'] !== undefined && reply['WrappingAlgorithm'] !== SUSPEND_WRAPPING_ALGORITHM) {
    throw invalidResponse(`GetParametersForReinstate asks for ${String(reply['WrappingAlgorithm'])}`);
  }
  if (typeof reply['ImportToken'] !== 'string' || reply['ImportToken'] === '') {
    throw invalidResponse('GetParametersForReinstate gave no ImportToken');
  }
  const der = strictBase64(reply['PublicKey']);
  let key: KeyObject | undefined;
  try {
    if (der) key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    key = undefined;
  }
  if (key?.asymmetricKeyType !== 'rsa') {
    throw invalidResponse('GetParametersForReinstate gave no base64 SPKI RSA PublicKey');
  }
  return key;
}

/** False when the package is certainly another key's (an alias cannot be checked locally). */
function sameKey(packageArn: string, keyId: string): boolean {
  if (keyId.startsWith('alias/') || keyId.includes(':alias/')) return true;
  return packageArn === keyId || packageArn.endsWith(`:key/${keyId}`);
}

export const LITERAL_FORM_WARNING =
  'symbolon: warning: --literal-form sent your private key to the service. It can now open every package made for ' +
  'this key pair: make a new key pair for the next suspend.\n';

/**
 * `key reinstate`. Both forms first unwrap every version locally with --private-key, so that a package for another
 * key pair fails here, naming the version, with nothing sent. Safe form: GetParametersForReinstate, each version's
 * material wrapped for the import key, ReinstateKey with the ImportToken. Literal form: the package as it is plus
 * the private key (PKCS#8 DER), and a warning.
 */
export const reinstate: Steps = async (command, { io, call }) => {
  const packagePath = requiredLocal(command, 'package');
  const keyPath = requiredLocal(command, 'private-key');
  const keyId = String(command.body['KeyId']);
  const pkg = readSuspendPackage(readJsonFile('package', packagePath), `--package ${packagePath}`);
  if (!sameKey(pkg.KeyId, keyId)) {
    throw new LocalError(`--package ${packagePath} is the suspend package of ${pkg.KeyId}, not of ${keyId}`);
  }
  const privateKey = readRsaPrivateKey(
    readOptionFile('private-key', keyPath).toString('utf8'),
    `--private-key ${keyPath}`,
  );
  const materials = unwrapPackage(pkg.Versions, privateKey);
  let reply: Record<string, unknown>;
  if (command.local['literal-form'] === true) {
    zero(materials);
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    const body = {
      KeyId: keyId,
      Versions: pkg.Versions,
      LiteralForm: true,
      PrivateKey: der.toString('base64'),
    };
    der.fill(0);
    try {
      reply = answer(await call('ReinstateKey', body));
    } finally {
      io.err(LITERAL_FORM_WARNING);
    }
  } else {
    let versions: PackageVersion[];
    let importToken: string;
    try {
      const params = answer(await call('GetParametersForReinstate', { KeyId: keyId }));
      const importKey = importKeyOf(params);
      importToken = params['ImportToken'] as string;
      versions = pkg.Versions.map((v, i) => ({
        Version: v.Version,
        WrappedKeyMaterial: wrapFor(importKey, materials[i]!),
      }));
    } finally {
      zero(materials);
    }
    reply = answer(
      await call('ReinstateKey', { KeyId: keyId, Versions: versions, ImportToken: importToken }),
    );
  }
  io.out(json({ KeyId: reply['KeyId'], KeyState: reply['KeyState'] }));
  return 0;
};
