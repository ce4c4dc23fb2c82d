/**
 * The CLI's envelope commands against a running platform, as the README shows them: a configuration file with a
 * Symbolon KMS key and a customer key file; encrypt, inspect, decrypt, re-wrap the customer layer, and the KMS key
 * disabled naming its authority.
 */
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { symbolon } from './support/cli.js';

jest.setTimeout(120_000);

let platform: TestPlatform;
let dir: string;
let keyArn: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  dir = mkdtempSync(join(tmpdir(), 'symbolon-cli-envelope-'));
  keyArn = (await platform.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  writeFileSync(join(dir, 'me.key'), randomBytes(32));
  writeFileSync(join(dir, 'me-2027.key'), randomBytes(32).toString('base64'));
  const kms = {
    type: 'kms',
    keyId: keyArn,
    endpoint: platform.endpoint,
    credentialsFile: platform.credentialsFile,
  };
  const config = (name: string, chain: string[], extra: Record<string, object> = {}) =>
    writeFileSync(
      join(dir, name),
      JSON.stringify({
        scheme: { chain },
        authorities: { corp: kms, me: { type: 'key-file', path: 'me.key' }, ...extra },
      }),
    );
  config('envelope.json', ['corp', 'me'], { 'me-2027': { type: 'key-file', path: 'me-2027.key' } });
  writeFileSync(
    join(dir, 'after.json'),
    JSON.stringify({
      scheme: { chain: ['corp', 'me-2027'] },
      authorities: { corp: kms, 'me-2027': { type: 'key-file', path: 'me-2027.key' } },
    }),
  );
}, 200_000);

afterAll(async () => {
  await platform?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

const at = (name: string) => join(dir, name);

/** `symbolon encrypt` of file `name` into `<name>.sym` with envelope.json; it must succeed. */
async function sealed(name: string): Promise<void> {
  const r = await symbolon(
    platform,
    'encrypt',
    '--config',
    at('envelope.json'),
    '--in',
    at(name),
    '--out',
    at(`${name}.sym`),
  );
  expect(r.code).toBe(0);
}

describe('symbolon envelope commands on a running platform', () => {
  it('should encrypt with a KMS key and a key file, show the header, and decrypt', async () => {
    const data = randomBytes(300_000);
    writeFileSync(at('report'), data);
    const enc = await symbolon(
      platform,
      'encrypt',
      '--config',
      at('envelope.json'),
      '--in',
      at('report'),
      '--out',
      at('report.sym'),
      '--context',
      'project=alpha',
    );
    expect(enc.code).toBe(0);
    const shown = JSON.parse((await symbolon(platform, 'inspect', '--in', at('report.sym'))).out) as Record<
      string,
      unknown
    >;
    expect(shown).toMatchObject({
      Key: { Chain: ['corp', 'me'] },
      Context: { project: 'alpha' },
      PlaintextBytes: 300_000,
    });
    expect(shown['Authorities']).toEqual([
      { id: 'corp', type: 'kms', keyArn, endpoint: platform.endpoint },
      expect.objectContaining({ id: 'me', type: 'customer-key' }),
    ]);
    const dec = await symbolon(
      platform,
      'decrypt',
      '--config',
      at('envelope.json'),
      '--in',
      at('report.sym'),
      '--out',
      at('report.out'),
    );
    expect(dec.code).toBe(0);
    expect(readFileSync(at('report.out'))).toEqual(data);
  });

  it('should move the customer layer to a new key file with rewrap, the KMS layer staying wrapped', async () => {
    writeFileSync(at('plan'), Buffer.from('the plan'));
    await sealed('plan');
    const moved = await symbolon(
      platform,
      'rewrap',
      '--config',
      at('envelope.json'),
      '--from',
      'me',
      '--to',
      'me-2027',
      '--in',
      at('plan.sym'),
      '--out',
      at('plan.2027.sym'),
    );
    expect(moved.code).toBe(0);
    const dec = await symbolon(
      platform,
      'decrypt',
      '--config',
      at('after.json'),
      '--in',
      at('plan.2027.sym'),
      '--out',
      at('plan.out'),
    );
    expect([dec.code, readFileSync(at('plan.out')).toString()]).toEqual([0, 'the plan']);
    // The KMS layer stayed as it was: same authority entry, and the body's bytes unchanged.
    const header = async (file: string) =>
      JSON.parse((await symbolon(platform, 'inspect', '--in', at(file))).out) as {
        Authorities: unknown[];
        HeaderBytes: number;
      };
    const [before, after] = [await header('plan.sym'), await header('plan.2027.sym')];
    expect(after.Authorities[0]).toEqual(before.Authorities[0]);
    expect(readFileSync(at('plan.2027.sym')).subarray(after.HeaderBytes)).toEqual(
      readFileSync(at('plan.sym')).subarray(before.HeaderBytes),
    );
  });

  it('should name the KMS authority and write nothing when its key is disabled', async () => {
    writeFileSync(at('x'), randomBytes(1000));
    await sealed('x');
    await platform.kms().send(new DisableKeyCommand({ KeyId: keyArn }));
    try {
      const r = await symbolon(
        platform,
        'decrypt',
        '--config',
        at('envelope.json'),
        '--in',
        at('x.sym'),
        '--out',
        at('x.out'),
      );
      expect(r.code).toBe(1);
      expect(r.err).toContain('decrypt failed (authority corp)');
      expect(r.err).toContain('DisabledException');
      expect(existsSync(at('x.out'))).toBe(false);
    } finally {
      await platform.kms().send(new EnableKeyCommand({ KeyId: keyArn }));
    }
  });
});
