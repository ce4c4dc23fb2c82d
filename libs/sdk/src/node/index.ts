/**
 * The SDK for Node: the core, plus key files, KMS clients from a declarative configuration file, node:crypto's
 * AES-256-GCM for the chunks (synchronous and faster than WebCrypto's per-call hop), and Node streams.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { type ChunkAead, type ChunkAeadFactory, EnvelopeError } from '@symbolon/formats';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Duplex } from 'node:stream';

import {
  type Authority,
  CustomerKey,
  type DecryptOptions,
  type EncryptOptions,
  KmsKey,
  type Scheme,
  SdkError,
  decryptEnvelopeStream,
  encryptEnvelopeStream,
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
      return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
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

/** A customer key file: 32 raw bytes, or the same as base64 or hex text. */
export async function keyFile(id: string, path: string): Promise<CustomerKey> {
  const bytes = readFileSync(path);
  const text = bytes.toString('utf8').trim();
  const raw =
    bytes.length === 32
      ? bytes
      : /^[0-9a-fA-F]{64}$/.test(text)
        ? Buffer.from(text, 'hex')
        : Buffer.from(text, 'base64');
  if (raw.length !== 32) throw new SdkError('CONFIG', `key file of ${id} does not hold a 32-byte key`);
  return CustomerKey.fromBytes(id, raw);
}

/** One authority of a configuration file. */
export type AuthorityConfig =
  | { type: 'key-file'; path: string }
  | { type: 'kms'; keyId: string; region?: string; endpoint?: string; credentialsFile?: string };

/** A configuration file: the scheme, its authorities, and an encryption context. */
export interface SdkConfig {
  scheme: Scheme;
  authorities: Record<string, AuthorityConfig>;
  context?: Record<string, string>;
}

/** Credentials as `npm start` writes them (`accessKeyId`, `secretAccessKey`, `region`). */
interface CredentialsFile {
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
}

/** The authorities of a configuration file, paths relative to the file's folder. */
export async function loadConfig(file: string): Promise<{ config: SdkConfig; authorities: Authority[] }> {
  let config: SdkConfig;
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as SdkConfig;
  } catch (e) {
    throw new SdkError('CONFIG', `${file} is not a readable JSON configuration: ${(e as Error).message}`);
  }
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
  for (const [id, a] of Object.entries(config.authorities)) {
    if (a?.type === 'key-file') authorities.push(await keyFile(id, resolve(base, a.path)));
    else if (a?.type === 'kms') {
      const creds = a.credentialsFile
        ? (JSON.parse(readFileSync(resolve(base, a.credentialsFile), 'utf8')) as CredentialsFile)
        : undefined;
      const region = a.region ?? creds?.region ?? 'us-east-1';
      const service = JSON.stringify([
        a.endpoint ?? '',
        region,
        creds?.accessKeyId ?? '',
        creds?.secretAccessKey ?? '',
      ]);
      const client =
        clients.get(service) ??
        new KMSClient({
          region,
          ...(a.endpoint ? { endpoint: a.endpoint } : {}),
          ...(creds
            ? { credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey } }
            : {}),
        });
      clients.set(service, client);
      authorities.push(new KmsKey(id, client, a.keyId, a.endpoint));
    } else throw new SdkError('CONFIG', `authority ${id} in ${file} has no known type (key-file, kms)`);
  }
  return { config, authorities };
}

/**
 * Node streams over the envelope streams (node:crypto's AEAD unless another is given): write plaintext, read the
 * envelope. Errors come out as the stream's error (an SdkError naming the authority).
 */
export async function encryptNodeStream(opts: EncryptOptions): Promise<Duplex> {
  return Duplex.fromWeb((await encryptEnvelopeStream({ aead: nodeAead, ...opts })) as never);
}

/** Write an envelope, read its plaintext, released only chunk by chunk as each authenticates. */
export function decryptNodeStream(opts: DecryptOptions): Duplex {
  return Duplex.fromWeb(decryptEnvelopeStream({ aead: nodeAead, ...opts }) as never);
}
