import { Subjects } from '@symbolon/contracts';
import { type RpcClient, logger } from '@symbolon/platform';
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

import { AccessKeyEntity } from './account.entity.js';

/** Access-key secrets at rest: wrapped under the coordinator's internal platform key, bound to their access key id. */
export interface SecretWrapper {
  wrap(secret: string, accessKeyId: string): Promise<string>;
  unwrap(wrapped: string, accessKeyId: string): Promise<string>;
}

const BLOB_VERSION = 'v1';

/**
 * Envelope encryption with Subjects.secrets.wrap / unwrap on the coordinator: each secret is sealed here (AES-256-GCM,
 * bound to its access key id) under a fresh data key, and only that data key is wrapped under the platform key. So the
 * secret itself never travels over NATS; the stored blob is `v1.<wrapped data key>.<iv>.<ciphertext>.<tag>`.
 */
export class RpcSecretWrapper implements SecretWrapper {
  constructor(private readonly rpc: RpcClient) {}

  async wrap(secret: string, accessKeyId: string): Promise<string> {
    const dataKey = randomBytes(32);
    try {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
      cipher.setAAD(Buffer.from(boundTo(accessKeyId)));
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      const r = await this.rpc.send<{ wrapped: string }>(Subjects.secrets.wrap, {
        requestId: randomUUID(),
        secret: dataKey.toString('base64'),
        boundTo: boundTo(accessKeyId),
      });
      return [BLOB_VERSION, r.wrapped, iv, sealed, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64')))
        .join('.');
    } finally {
      dataKey.fill(0);
    }
  }

  async unwrap(blob: string, accessKeyId: string): Promise<string> {
    const [version, wrapped, iv, sealed, tag, ...rest] = blob.split('.');
    /* Precondition: a stored secret is a v1 envelope. */
    needs(
      version === BLOB_VERSION && wrapped && iv && sealed !== undefined && tag && rest.length === 0,
      'a stored secret is a v1 envelope',
    );
    const r = await this.rpc.send<{ secret: string }>(Subjects.secrets.unwrap, {
      requestId: randomUUID(),
      wrapped,
      boundTo: boundTo(accessKeyId),
    });
    const dataKey = Buffer.from(r.secret, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(boundTo(accessKeyId)));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString(
        'utf8',
      );
    } finally {
      dataKey.fill(0);
    }
  }
}

const boundTo = (accessKeyId: string) => `access-key:${accessKeyId}`;

/* A failed precondition is a programming error or a corrupt row, not a client error: plain Error. */
function needs(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/**
 * Runs a boot step that needs the coordinator (which starts alongside the gateway) until it succeeds or the deadline
 * passes; the last error is thrown then.
 */
export async function retryAtBoot<T>(what: string, step: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      if (attempt % 10 === 1) logger.info({ what, err: (e as Error).message }, 'waiting for the coordinator');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The row to store for a new key: its secret wrapped (plaintext only without a wrapper, in unit tests). */
export async function sealAccessKey(
  key: AccessKeyEntity,
  secrets: SecretWrapper | undefined,
): Promise<AccessKeyEntity> {
  if (!secrets) return { ...key, secretWrapped: false };
  return { ...key, secret: await secrets.wrap(key.secret, key.accessKeyId), secretWrapped: true };
}

/**
 * Wraps every secret still stored in plaintext (rows from before wrapping existed); on SQLite the file is vacuumed
 * afterwards so the old plaintext does not linger in free pages. Answers how many rows it wrapped.
 */
export async function wrapPlaintextSecrets(ds: DataSource, secrets: SecretWrapper): Promise<number> {
  const repo = ds.getRepository(AccessKeyEntity);
  const plain = await repo.find({ where: { secretWrapped: false } });
  for (const row of plain) {
    const wrapped = await secrets.wrap(row.secret, row.accessKeyId);
    await repo.update({ accessKeyId: row.accessKeyId }, { secret: wrapped, secretWrapped: true });
  }
  if (plain.length > 0 && ds.options.type === 'better-sqlite3') {
    await ds.query('PRAGMA wal_checkpoint(TRUNCATE)');
    await ds.query('VACUUM');
  }
  if (plain.length > 0) logger.info({ count: plain.length }, 'stored access-key secrets wrapped');
  return plain.length;
}
