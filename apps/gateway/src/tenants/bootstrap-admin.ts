import { logger, writeSecretFile } from '@symbolon/platform';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';

import type { AccessKeyRepository } from './access-key.repository.js';
import { userArn } from './tenancy-rules.js';

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export interface AdminCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  accountId: string;
}

/** AKIA + 16 characters, like AWS access key ids. */
export function newAccessKeyId(): string {
  let id = 'AKIA';
  for (let i = 0; i < 16; i++) id += KEY_ID_ALPHABET[randomInt(KEY_ID_ALPHABET.length)];
  return id;
}

export function newAccountId(): string {
  return String(randomInt(100_000, 1_000_000)) + String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * First start: an account, its admin user (a platform administrator) and an access key, written to a 0600 file. Later starts leave both alone
 * (a lost credentials file is not re-created: the secret is not shown twice).
 */
export async function bootstrapAdmin(
  repo: AccessKeyRepository,
  region: string,
  credentialsFile: string,
): Promise<AdminCredentials | undefined> {
  if ((await repo.countAccounts()) > 0) return undefined;
  const accountId = newAccountId();
  const creds: AdminCredentials = {
    accessKeyId: newAccessKeyId(),
    secretAccessKey: randomBytes(30).toString('base64'),
    region,
    accountId,
  };
  const now = new Date();
  const principalArn = userArn(accountId, 'admin');
  await repo.createAccountWithKey(
    { id: accountId, name: 'admin', createdAt: now },
    {
      accessKeyId: creds.accessKeyId,
      accountId,
      principalArn,
      secret: creds.secretAccessKey,
      secretWrapped: false,
      status: 'Active',
      createdAt: now,
    },
    // The first user is a platform administrator: the one principal that may call the admin API at first.
    { accountId, userName: 'admin', arn: principalArn, isAdmin: true, identitySeeded: false, createdAt: now },
  );
  if (credentialsFile) {
    if (existsSync(credentialsFile)) logger.warn({ credentialsFile }, 'replacing a stale credentials file');
    writeSecretFile(credentialsFile, `${JSON.stringify(creds, null, 2)}\n`);
  }
  logger.info({ accountId, accessKeyId: creds.accessKeyId, credentialsFile }, 'admin account created');
  return creds;
}
