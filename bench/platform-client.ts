/** The bench's client of a platform it started: its credentials, and an SDK client that never retries. */
import { KMSClient } from '@aws-sdk/client-kms';
import { readFileSync } from 'node:fs';

import type { SigningCredentials } from './sign.js';

export function platformClient(running: { endpoint: string; credentialsFile: string }): {
  creds: SigningCredentials & { accountId: string };
  kms: KMSClient;
} {
  const creds = JSON.parse(readFileSync(running.credentialsFile, 'utf8')) as SigningCredentials & {
    accountId: string;
  };
  const kms = new KMSClient({
    endpoint: running.endpoint,
    region: creds.region,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    // A failed request counts as failed: no retry hides it.
    maxAttempts: 1,
  });
  return { creds, kms };
}
