/**
 * The SDK for Node: the core, plus key files, KMS clients from a declarative configuration file, node:crypto's
 * AES-256-GCM for the chunks (synchronous and faster than WebCrypto's per-call hop), and Node streams.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  type ByteTransformer,
  type ChunkAead,
  type ChunkAeadFactory,
  type EmitBytes,
  EnvelopeError,
} from '@symbolon/formats';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Transform } from 'node:stream';

import {
  type Authority,
  CustomerKey,
  type DecryptOptions,
  type EncryptOptions,
  KmsKey,
  type Scheme,
  SdkError,
  envelopeDecryptor,
  envelopeEncryptor,
} from '../core/index.js';

export * from '../core/index.js';

const TAG = 16;

/**
 * AES-256-GCM through node:crypto for the envelope's chunks, with the synchronous forms too: a stream then seals or
 * opens every whole chunk of a write in one go.
 */
export const nodeAead: ChunkAeadFactory = async (key: Uint8Array): Promise<ChunkAead> => {
  const sealSync = (nonce: Uint8Array, plaintext: Uint8Array): Uint8Array => {
    const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG });
    return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  };
  const openSync = (nonce: Uint8Array, sealed: Uint8Array): Uint8Array => {
    if (sealed.length < TAG) throw new EnvelopeError('BAD_TAG', 'Chunk authentication failed');
    const d = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG });
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    try {
      const plaintext = d.update(sealed.subarray(0, sealed.length - TAG));
      // GCM's final() checks the tag and gives no more bytes: no copy into a new buffer.
      const rest = d.final();
      return rest.length === 0 ? plaintext : Buffer.concat([plaintext, rest]);
    } catch {
      throw new EnvelopeError('BAD_TAG', 'Chunk authentication failed');
    }
  };
  return {
    sealSync,
    openSync,
    seal: async (nonce, plaintext) => sealSync(nonce, plaintext),
    open: async (nonce, sealed) => openSync(nonce, sealed),
  };
};

/** How to write a key file, for the errors that refuse one. */
const KEY_FILE_FORMS =
  'write 32 random bytes (openssl rand -out <file> 32), or them as 64 hex digits (openssl rand -hex 32) or as base64 (openssl rand -base64 32)';

/** Whether every byte is printable ASCII or a tab, line feed or carriage return: text, not random bytes. */
const isText = (bytes: Uint8Array): boolean =>
  bytes.every((b) => (b >= 0x20 && b <= 0x7e) || b === 9 || b === 10 || b === 13);

/**
 * A customer key file, in exactly one of three forms: 32 raw bytes that are not all text (32 random bytes are
 * practically never all printable), or text that is, once trimmed, 64 hex digits or the canonical base64 of 32 bytes
 * (44 characters with its padding). Anything else is refused, in particular a 32-character passphrase or 32 hex
 * digits (16 bytes) that would otherwise be taken for raw key bytes.
 */
export async function keyFile(id: string, path: string): Promise<CustomerKey> {
  const bytes = readFileSync(path);
  if (bytes.length === 32) {
    if (isText(bytes)) {
      throw new SdkError(
        'CONFIG',
        `key file of ${id} holds 32 characters of text (a passphrase or 32 hex digits?), not a key: ${KEY_FILE_FORMS}`,
      );
    }
    return CustomerKey.fromBytes(id, bytes);
  }
  const text = bytes.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return CustomerKey.fromBytes(id, Buffer.from(text, 'hex'));
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) {
    const raw = Buffer.from(text, 'base64');
    if (raw.length === 32 && raw.toString('base64') === text) return CustomerKey.fromBytes(id, raw);
  }
  throw new SdkError('CONFIG', `key file of ${id} does not hold a 32-byte key: ${KEY_FILE_FORMS}`);
}

/** One authority of a configuration file. */
export type AuthorityConfig =
  | { type: 'key-file'; path: string }
  | { type: 'kms'; keyId: string; region?: string; endpoint?: string; credentialsFile?: string }
  | {
      /** A key in the customer's own PKCS#11 token (ADR 0016); the user PIN from exactly one of pinFile, pinEnv. */
      type: 'pkcs11';
      /** The vendor's PKCS#11 library, as the dynamic loader takes it (an absolute path, or a library name). */
      module: string;
      tokenLabel: string;
      keyLabel: string;
      /** A file holding the PIN (one trailing line break is not part of it), relative to the configuration file. */
      pinFile?: string;
      /** The name of an environment variable holding the PIN. */
      pinEnv?: string;
    };

/** The options of a `pkcs11` authority, checked, with its PIN read (the PIN is never put in an error). */
function pkcs11Options(
  id: string,
  a: Partial<Record<string, unknown>>,
  base: string,
  file: string,
): { module: string; tokenLabel: string; keyLabel: string; pin: string } {
  const what = `authority ${id} in ${file} (pkcs11)`;
  const { module, tokenLabel, keyLabel, pinFile, pinEnv } = a;
  if (![module, tokenLabel, keyLabel].every((v) => typeof v === 'string' && v.length > 0)) {
    throw new SdkError('CONFIG', `${what} needs "module", "tokenLabel" and "keyLabel" strings`);
  }
  const fromFile = typeof pinFile === 'string' && pinFile.length > 0;
  const fromEnv = typeof pinEnv === 'string' && pinEnv.length > 0;
  if (fromFile === fromEnv || (pinFile !== undefined && !fromFile) || (pinEnv !== undefined && !fromEnv)) {
    throw new SdkError('CONFIG', `${what} needs exactly one of "pinFile" and "pinEnv" (a non-empty string)`);
  }
  let pin: string;
  if (fromFile) {
    const path = resolve(base, pinFile);
    pin = readText(path, `PIN file ${path} of authority ${id}`).replace(/\r?\n$/, '');
    if (pin.length === 0) throw new SdkError('CONFIG', `PIN file ${path} of authority ${id} is empty`);
  } else {
    pin = process.env[pinEnv as string] ?? '';
    if (pin.length === 0) {
      throw new SdkError(
        'CONFIG',
        `environment variable ${String(pinEnv)} (the PIN of authority ${id}) is not set`,
      );
    }
  }
  return { module: module as string, tokenLabel: tokenLabel as string, keyLabel: keyLabel as string, pin };
}

/** A configuration file: the scheme, its authorities, and an encryption context. */
export interface SdkConfig {
  scheme: Scheme;
  authorities: Record<string, AuthorityConfig>;
  context?: Record<string, string>;
  /** An S3-compatible store for envelope objects (putEnvelope / getEnvelope, `symbolon put` / `get`). */
  storage?: { endpoint: string; region?: string; credentialsFile?: string };
}

/** Credentials as `npm start` writes them (`accessKeyId`, `secretAccessKey`, `region`). */
interface CredentialsFile {
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
}

/** A UTF-8 file's text; when it cannot be read, the error names `what` and the system's code (ENOENT, ...). */
function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? ` (${String(e.code)})` : '';
    throw new SdkError('CONFIG', `${what} cannot be read${code}`);
  }
}

/**
 * A JSON file's value. The errors are fixed text naming `what`: never the parser's message, which quotes a piece of
 * the file (a credentials file's secret access key, say).
 */
function readJson(path: string, what: string): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SdkError('CONFIG', `${what} is not valid JSON`);
  }
}

/** A credentials file's keys, checked to be strings (the values are never put in an error). */
function credentialsFile(path: string, id: string): CredentialsFile {
  const what = `credentials file ${path} of authority ${id}`;
  const creds = readJson(path, what) as Partial<Record<keyof CredentialsFile, unknown>> | null;
  if (
    typeof creds !== 'object' ||
    creds === null ||
    typeof creds.accessKeyId !== 'string' ||
    typeof creds.secretAccessKey !== 'string' ||
    (creds.region !== undefined && typeof creds.region !== 'string')
  ) {
    throw new SdkError('CONFIG', `${what} needs "accessKeyId" and "secretAccessKey" strings`);
  }
  return creds as CredentialsFile;
}

/** The options both AWS clients (KMS, S3) take from a configuration entry. */
interface AwsClientOptions {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * The client options of a `kms` authority or of `storage`: its credentials file relative to the configuration's
 * folder `base` (else the AWS SDK's usual chain), its region, else the credentials file's, else us-east-1, and its
 * endpoint when it names one. `id` names the entry in the credentials file's errors.
 */
function awsClientOptions(
  x: { region?: string; endpoint?: string; credentialsFile?: string },
  base: string,
  id: string,
): AwsClientOptions {
  const creds = x.credentialsFile ? credentialsFile(resolve(base, x.credentialsFile), id) : undefined;
  return {
    region: x.region ?? creds?.region ?? 'us-east-1',
    ...(x.endpoint ? { endpoint: x.endpoint } : {}),
    ...(creds
      ? { credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey } }
      : {}),
  };
}

/** The authorities of a configuration file, paths relative to the file's folder. */
export async function loadConfig(file: string): Promise<{ config: SdkConfig; authorities: Authority[] }> {
  // Loaded only for a configuration that names a KMS: the client is most of the SDK's memory.
  const kmsClient = async () => (await import('@aws-sdk/client-kms')).KMSClient;
  const config = readJson(file, `configuration ${file}`) as SdkConfig;
  if (
    typeof config?.authorities !== 'object' ||
    config.authorities === null ||
    typeof config.scheme !== 'object'
  ) {
    throw new SdkError('CONFIG', `${file} needs "scheme" and "authorities"`);
  }
  const base = dirname(resolve(file));
  const authorities: Authority[] = [];
  // One client per endpoint, region and credentials: keys of one service share it, so a re-wrap between them is a
  // ReEncrypt inside the KMS (KmsKey.reEncrypt), never a Decrypt to this process.
  const clients = new Map<string, KMSClient>();
  try {
    for (const [id, a] of Object.entries(config.authorities)) {
      if (a?.type === 'key-file') authorities.push(await keyFile(id, resolve(base, a.path)));
      else if (a?.type === 'kms') {
        const options = awsClientOptions(a, base, id);
        const service = JSON.stringify([
          a.endpoint ?? '',
          options.region,
          options.credentials?.accessKeyId ?? '',
          options.credentials?.secretAccessKey ?? '',
        ]);
        const client = clients.get(service) ?? new (await kmsClient())(options);
        clients.set(service, client);
        authorities.push(new KmsKey(id, client, a.keyId, a.endpoint));
      } else if (a?.type === 'pkcs11') {
        const opts = pkcs11Options(id, a, base, file);
        // Loaded only for a configuration that names a token: it loads pkcs11js, a native addon (ADR 0016).
        const { Pkcs11CustomerKey } = await import('../pkcs11/index.js');
        authorities.push(Pkcs11CustomerKey.open(id, opts));
      } else
        throw new SdkError('CONFIG', `authority ${id} in ${file} has no known type (key-file, kms, pkcs11)`);
    }
  } catch (e) {
    // Tokens opened for the authorities before the one that failed are closed again.
    for (const a of authorities) (a as Partial<{ close(): void }>).close?.();
    throw e;
  }
  return { config, authorities };
}

/**
 * A Node Transform over a `ByteTransformer`: the pieces it emits are pushed as they are (no WHATWG stream between,
 * which halved the throughput), and a failure destroys the stream with it.
 */
function nodeTransform(make: (emit: EmitBytes) => ByteTransformer): Transform {
  const stream: Transform = new Transform({
    construct(done) {
      transformer.start().then(() => done(), done);
    },
    transform(input: Buffer, _encoding, done) {
      transformer.write(input).then(() => done(), done);
    },
    flush(done) {
      transformer.end().then(() => done(), done);
    },
  });
  const transformer = make((pieces) => {
    for (const piece of pieces) stream.push(piece);
  });
  return stream;
}

/**
 * A Node stream that encrypts (node:crypto's AEAD unless another is given): write plaintext, read the envelope. The
 * authorities wrap the data key before it resolves; later errors come out as the stream's error.
 */
export async function encryptNodeStream(opts: EncryptOptions): Promise<Transform> {
  return nodeTransform(await envelopeEncryptor({ aead: nodeAead, ...opts }));
}

/**
 * Write an envelope, read its plaintext, released only chunk by chunk as each authenticates. Errors come out as the
 * stream's error (an SdkError naming the authority).
 */
export function decryptNodeStream(opts: DecryptOptions): Transform {
  return nodeTransform((emit) => envelopeDecryptor({ aead: nodeAead, ...opts }, emit));
}

/**
 * An S3 client for the configuration's `storage` (path-style, as Symbolon's storage service and most S3-compatible
 * stores want it), credentials from its file relative to the configuration, else the AWS SDK's usual chain.
 */
export async function storageClient(file: string, config: SdkConfig): Promise<S3Client> {
  const storage = config.storage;
  if (typeof storage !== 'object' || storage === null || typeof storage.endpoint !== 'string') {
    throw new SdkError(
      'CONFIG',
      `${file} needs "storage": {"endpoint": "...", "credentialsFile"?: "..."} for objects`,
    );
  }
  const options = awsClientOptions(storage, dirname(resolve(file)), 'storage');
  const { S3Client } = await import('@aws-sdk/client-s3');
  // The endpoint is required here, so it is passed as given even when empty (never AWS's own S3 instead).
  return new S3Client({ ...options, endpoint: storage.endpoint, forcePathStyle: true });
}

export {
  ENVELOPE_CONTENT_TYPE,
  type ObjectLocation,
  PUT_PART_SIZE,
  getEnvelope,
  putEnvelope,
} from './storage.js';
