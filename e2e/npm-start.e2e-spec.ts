/**
 * `npm start`'s own interface: what it prints, the credentials file it writes, Ctrl-C, and two instances side by side.
 */
import { CreateKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { readFileSync, readdirSync, statSync } from 'node:fs';

jest.setTimeout(120_000);

/* npm start installs what is missing and builds before launching: allow for both. */
const START_TIMEOUT = 400_000;

/** Pids of processes (other than this one) whose command line or environment mentions `needle`. */
function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    for (const file of ['cmdline', 'environ']) {
      try {
        if (readFileSync(`/proc/${entry}/${file}`).includes(needle)) {
          found.push(Number(entry));
          break;
        }
      } catch {
        // the process ended meanwhile, or is not ours to read
      }
    }
  }
  return found;
}

async function listKeysAccount(platform: TestPlatform): Promise<string[]> {
  const kms = platform.kms();
  try {
    const listed = await kms.send(new ListKeysCommand({}));
    return (listed.Keys ?? []).map((k) => k.KeyArn!.split(':')[4]!);
  } finally {
    kms.destroy();
  }
}

describe('npm start', () => {
  let first: TestPlatform | undefined;
  let second: TestPlatform | undefined;

  beforeAll(async () => {
    first = await startTestPlatform({ viaNpmStart: true });
  }, START_TIMEOUT);

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
  }, START_TIMEOUT);

  it('should print the endpoint and credentials lines when started', () => {
    const out = first!.output();
    expect(out).toMatch(new RegExp(`^endpoint: http://127\\.0\\.0\\.1:${first!.port}$`, 'm'));
    expect(out).toMatch(
      new RegExp(
        `^credentials: ${first!.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/credentials\\.json$`,
        'm',
      ),
    );
  });

  it('should write a 0600 credentials file with the four fields when started', () => {
    expect(statSync(first!.credentialsFile).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(readFileSync(first!.credentialsFile, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(creds).sort()).toEqual(['accessKeyId', 'accountId', 'region', 'secretAccessKey']);
    expect(creds['accessKeyId']).toMatch(/^[A-Z0-9]{16,128}$/);
    expect(String(creds['secretAccessKey']).length).toBeGreaterThanOrEqual(40);
    expect(creds['accountId']).toMatch(/^\d{12}$/);
    expect(creds['region']).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
  });

  it(
    'should run two instances side by side when their data folders and ports differ',
    async () => {
      second = await startTestPlatform({ viaNpmStart: true });
      expect(second.port).not.toBe(first!.port);
      expect(second.credentials.accountId).not.toBe(first!.credentials.accountId);
      expect(await listKeysAccount(first!)).toEqual([]);
      const kmsA = first!.kms();
      const kmsB = second.kms();
      try {
        await kmsA.send(new CreateKeyCommand({ Description: 'first instance' }));
        await kmsB.send(new CreateKeyCommand({ Description: 'second instance' }));
      } finally {
        kmsA.destroy();
        kmsB.destroy();
      }
      expect(await listKeysAccount(first!)).toEqual([first!.credentials.accountId]);
      expect(await listKeysAccount(second)).toEqual([second.credentials.accountId]);
      /* Each instance refuses the other's credentials. */
      const cross = first!.kms(second.credentials);
      try {
        await expect(cross.send(new ListKeysCommand({}))).rejects.toMatchObject({
          name: 'UnrecognizedClientException',
        });
      } finally {
        cross.destroy();
      }
    },
    START_TIMEOUT,
  );

  it(
    'should stop every process of the instance and only that instance when sent Ctrl-C',
    async () => {
      const dataDir = first!.dataDir;
      expect(processesMentioning(dataDir).length).toBeGreaterThanOrEqual(6);
      await first!.stop();
      first = undefined;
      const deadline = Date.now() + 15_000;
      while (processesMentioning(dataDir).length > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(processesMentioning(dataDir)).toEqual([]);
      expect(await listKeysAccount(second!)).toEqual([second!.credentials.accountId]);
    },
    START_TIMEOUT,
  );
});
