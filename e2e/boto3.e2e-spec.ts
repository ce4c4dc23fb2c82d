import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { REPO_ROOT, type TestPlatform, startTestPlatform } from '../libs/testing/src/platform.js';

const run = promisify(execFile);

/** boto3, a client nobody here wrote, drives a customer session: alias, encrypt, rotate, schedule deletion. */
describe('boto3 (Debian python3-boto3)', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
  }, 60_000);

  it('should run a create, alias, encrypt, decrypt, rotate and schedule-deletion session when pointed at Symbolon', async () => {
    const { stdout } = await run(
      '/usr/bin/python3',
      [join(REPO_ROOT, 'e2e', 'clients', 'boto3_session.py')],
      {
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          SYMBOLON_ENDPOINT: platform.endpoint,
          AWS_ACCESS_KEY_ID: platform.credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: platform.credentials.secretAccessKey,
          AWS_DEFAULT_REGION: platform.credentials.region,
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        },
        timeout: 60_000,
      },
    );
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    expect(seen).toEqual({
      decrypt_v1: 'hello from boto3',
      rotation_enabled: true,
      rotation_disabled: true,
      aliases: [expect.stringMatching(/^alias\/boto3-/)],
      state_after_schedule: 'PendingDeletion',
      encrypt_pending_deletion: 'KMSInvalidStateException',
      state_after_cancel: 'Disabled',
      unknown_alias: 'NotFoundException',
    });
  }, 90_000);
});
