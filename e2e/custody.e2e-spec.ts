/**
 * ShredKey, SuspendKey and ReinstateKey on the running platform, through the `symbolon` CLI as a key owner uses it
 * (RSA key pairs made by openssl), and the bad inputs of each. The key's rows are read from the coordinator's database
 * to show what the provider keeps.
 */
import {
  CancelKeyDeletionCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { symbolon } from './support/cli.js';
import { symbolonCall } from './support/tenants.js';

jest.setTimeout(180_000);

let platform: TestPlatform;
let dir: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  dir = mkdtempSync(join(tmpdir(), 'symbolon-custody-'));
}, 240_000);

afterAll(async () => {
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 240_000);

const cli = (...args: string[]) => symbolon(platform, ...args);

const call = (op: string, body: Record<string, unknown>) =>
  symbolonCall(platform, op, body, { service: 'Symbolon' });

const errorName = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: Error) => e.name,
  );

/** An RSA key pair made by openssl: private key PEM (PKCS#8) and public key PEM (SPKI) file paths. */
function opensslKeyPair(name: string, bits: number): { priv: string; pub: string } {
  const priv = join(dir, `${name}.pem`);
  const pub = join(dir, `${name}.pub.pem`);
  execFileSync('openssl', [
    'genpkey',
    '-algorithm',
    'RSA',
    '-pkeyopt',
    `rsa_keygen_bits:${bits}`,
    '-out',
    priv,
  ]);
  execFileSync('openssl', ['pkey', '-in', priv, '-pubout', '-out', pub]);
  return { priv, pub };
}

/** The key's versions as the coordinator stores them. */
function storedVersions(keyArn: string): { version: number; ekt: string; suspend_check: string | null }[] {
  const db = new Database(join(platform.dataDir, 'db', 'coordinator.sqlite'), { readonly: true });
  try {
    return db
      .prepare('SELECT version, ekt, suspend_check FROM key_versions WHERE key_id = ? ORDER BY version')
      .all(keyArn.split('/').pop()) as { version: number; ekt: string; suspend_check: string | null }[];
  } finally {
    db.close();
  }
}

async function newKey(): Promise<string> {
  return (await platform.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
}

function policyNaming(actions: string[]): string {
  const root = `arn:aws:iam::${platform.credentials.accountId}:root`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: root }, Action: actions, Resource: '*' }],
  });
}

describe('ShredKey', () => {
  it('should be denied unless the key policy names kms:ShredKey, wildcards included', async () => {
    const kms = platform.kms();
    const key = await newKey();
    const denied = await call('ShredKey', { KeyId: key });
    expect([denied.status, denied.body['__type']]).toEqual([400, 'AccessDeniedException']);
    await kms.send(new PutKeyPolicyCommand({ KeyId: key, Policy: policyNaming(['kms:*', 'kms:Shred*']) }));
    expect((await call('ShredKey', { KeyId: key })).body['__type']).toBe('AccessDeniedException');
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key }))).KeyMetadata!.KeyState).toBe('Enabled');
  });

  it('should make every use fail, drop the EKTs, and answer a receipt that verifies offline', async () => {
    const kms = platform.kms();
    const key = await newKey();
    const other = await newKey();
    await kms.send(new PutKeyPolicyCommand({ KeyId: key, Policy: policyNaming(['kms:*', 'kms:ShredKey']) }));
    const blob = (await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('gone') })))
      .CiphertextBlob!;
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key }));
    const receiptFile = join(dir, 'receipt.json');
    const shred = await cli('key', 'shred', '--key-id', key, '--out', receiptFile);
    expect(shred).toMatchObject({ code: 0 });
    expect(storedVersions(key)).toEqual([]);

    const uses = {
      encrypt: errorName(kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }))),
      decrypt: errorName(kms.send(new DecryptCommand({ CiphertextBlob: blob }))),
      dataKey: errorName(kms.send(new GenerateDataKeyCommand({ KeyId: key, KeySpec: 'AES_256' }))),
      reEncrypt: errorName(kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: other }))),
      enable: errorName(kms.send(new EnableKeyCommand({ KeyId: key }))),
      schedule: errorName(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 7 }))),
      rotate: errorName(kms.send(new RotateKeyOnDemandCommand({ KeyId: key }))),
    };
    for (const [use, outcome] of Object.entries(uses)) {
      expect({ use, error: await outcome }).toEqual({ use, error: 'KMSInvalidStateException' });
    }
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key }))).KeyMetadata!.KeyState).toBe('Shredded');
    const suspend = await call('SuspendKey', { KeyId: key, PublicKey: randomBytes(16).toString('base64') });
    expect(suspend.body['__type']).toBeDefined();

    // A repeated ShredKey answers the same receipt.
    const again = await call('ShredKey', { KeyId: key });
    expect(again.status).toBe(200);
    expect(again.body['Receipt']).toEqual(JSON.parse(readFileSync(receiptFile, 'utf8')));
    const receipt = again.body['Receipt'] as {
      document: { versions: { version: number }[]; pendingGenerations: number[] };
    };
    expect(receipt.document.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(receipt.document.pendingGenerations).toEqual([1]);

    const pub = join(dir, 'signing.pub');
    expect((await cli('key', 'signing-key', '--out', pub)).code).toBe(0);
    const ok = await cli(
      'key',
      'verify-shred',
      '--receipt',
      receiptFile,
      '--key-id',
      key,
      '--public-key',
      pub,
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ Valid: true, KeyId: key });

    const forOther = await cli(
      'key',
      'verify-shred',
      '--receipt',
      receiptFile,
      '--key-id',
      other,
      '--public-key',
      pub,
    );
    expect(forOther.code).toBe(1);
    expect(forOther.err).toMatch(/another key/);

    const tampered = JSON.parse(readFileSync(receiptFile, 'utf8')) as typeof receipt;
    tampered.document.versions = tampered.document.versions.slice(1);
    const tamperedFile = join(dir, 'receipt-tampered.json');
    writeFileSync(tamperedFile, JSON.stringify(tampered));
    const bad = await cli('key', 'verify-shred', '--receipt', tamperedFile, '--public-key', pub);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/signature/);
  });

  it('should shred a key pending deletion and refuse a suspended key', async () => {
    const kms = platform.kms();
    const key = await newKey();
    await kms.send(new PutKeyPolicyCommand({ KeyId: key, Policy: policyNaming(['kms:*', 'kms:ShredKey']) }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 7 }));
    expect((await call('ShredKey', { KeyId: key })).status).toBe(200);

    const suspended = await newKey();
    await kms.send(
      new PutKeyPolicyCommand({ KeyId: suspended, Policy: policyNaming(['kms:*', 'kms:ShredKey']) }),
    );
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    expect((await call('SuspendKey', { KeyId: suspended, PublicKey: spki })).status).toBe(200);
    const refused = await call('ShredKey', { KeyId: suspended });
    expect([refused.body['__type'], refused.body['message']]).toEqual([
      'KMSInvalidStateException',
      expect.stringMatching(/suspended/),
    ]);
  });
});

describe('SuspendKey and ReinstateKey', () => {
  it('should round-trip through the CLI with an openssl key pair, old ciphertexts of every version decrypting again', async () => {
    const kms = platform.kms();
    const key = await newKey();
    const v1 = (await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('one') })))
      .CiphertextBlob!;
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key }));
    const v2 = (await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('two') })))
      .CiphertextBlob!;
    const owner = opensslKeyPair('owner', 3072);
    const pkg = join(dir, 'package.json');
    const suspended = await cli('key', 'suspend', '--key-id', key, '--public-key', owner.pub, '--out', pkg);
    expect(suspended.code).toBe(0);
    expect(storedVersions(key).map((v) => [v.version, v.ekt, typeof v.suspend_check])).toEqual([
      [1, '', 'string'],
      [2, '', 'string'],
    ]);
    expect(await errorName(kms.send(new DecryptCommand({ CiphertextBlob: v1 })))).toBe(
      'KMSInvalidStateException',
    );

    const reinstated = await cli(
      'key',
      'reinstate',
      '--key-id',
      key,
      '--package',
      pkg,
      '--private-key',
      owner.priv,
    );
    expect(reinstated).toMatchObject({ code: 0 });
    expect(JSON.parse(reinstated.out)).toMatchObject({ KeyState: 'Enabled' });
    const plain = async (b: Uint8Array) =>
      Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: b }))).Plaintext!).toString();
    expect([await plain(v1), await plain(v2)]).toEqual(['one', 'two']);
    expect(storedVersions(key).every((v) => v.ekt !== '' && v.suspend_check === null)).toBe(true);

    // The literal form, only when asked for.
    const pkg2 = join(dir, 'package2.json');
    expect(
      (await cli('key', 'suspend', '--key-id', key, '--public-key', owner.pub, '--out', pkg2)).code,
    ).toBe(0);
    const literal = await cli(
      'key',
      'reinstate',
      '--key-id',
      key,
      '--package',
      pkg2,
      '--private-key',
      owner.priv,
      '--literal-form',
    );
    expect(literal.code).toBe(0);
    expect(literal.err).toMatch(/private key/i);
    expect(await plain(v2)).toBe('two');
  });

  it('should keep a suspended key unusable whatever the operator tries without the owner private key', async () => {
    const kms = platform.kms();
    const key = await newKey();
    const blob = (await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('held') })))
      .CiphertextBlob!;
    const owner = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const spki = owner.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const s = await call('SuspendKey', { KeyId: key, PublicKey: spki });
    const pkgVersions = s.body['Versions'] as { Version: number; WrappedKeyMaterial: string }[];

    const attempts = {
      enable: errorName(kms.send(new EnableKeyCommand({ KeyId: key }))),
      rotate: errorName(kms.send(new RotateKeyOnDemandCommand({ KeyId: key }))),
      cancelDeletion: errorName(kms.send(new CancelKeyDeletionCommand({ KeyId: key }))),
      decrypt: errorName(kms.send(new DecryptCommand({ CiphertextBlob: blob }))),
    };
    for (const [attempt, outcome] of Object.entries(attempts)) {
      expect({ attempt, error: await outcome }).toEqual({ attempt, error: 'KMSInvalidStateException' });
    }
    // The operator's own key material, wrapped for a fresh import key: not this key's material.
    const params = await call('GetParametersForReinstate', { KeyId: key });
    const { publicEncrypt, constants, createPublicKey } = await import('node:crypto');
    const importKey = createPublicKey({
      key: Buffer.from(params.body['PublicKey'] as string, 'base64'),
      format: 'der',
      type: 'spki',
    });
    const forged = publicEncrypt(
      { key: importKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      randomBytes(32),
    );
    const substituted = await call('ReinstateKey', {
      KeyId: key,
      ImportToken: params.body['ImportToken'],
      Versions: [{ Version: 1, WrappedKeyMaterial: forged.toString('base64') }],
    });
    expect(substituted.body['__type']).toBe('IncorrectKeyMaterialException');
    // The owner's package presented with another private key (the literal form): it does not unwrap.
    const operator = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const literal = await call('ReinstateKey', {
      KeyId: key,
      LiteralForm: true,
      PrivateKey: operator.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
      Versions: pkgVersions,
    });
    expect(literal.body['__type']).toBe('InvalidCiphertextException');
    // The package unchanged with the import token: it is wrapped for the owner, not for the import key.
    const replayed = await call('ReinstateKey', {
      KeyId: key,
      ImportToken: params.body['ImportToken'],
      Versions: pkgVersions,
    });
    expect(replayed.body['__type']).toBe('InvalidCiphertextException');
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key }))).KeyMetadata!.KeyState).toBe('Suspended');
    expect(storedVersions(key)[0]!.ekt).toBe('');
  });

  it('should answer each bad input with its AWS error', async () => {
    const kms = platform.kms();
    const key = await newKey();
    const other = await newKey();
    const rsa = (bits: number) =>
      generateKeyPairSync('rsa', { modulusLength: bits })
        .publicKey.export({ type: 'spki', format: 'der' })
        .toString('base64');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'der' })
      .toString('base64');
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['a 2048-bit public key', 'SuspendKey', { KeyId: key, PublicKey: rsa(2048) }, 'ValidationException'],
      [
        'a malformed public key',
        'SuspendKey',
        { KeyId: key, PublicKey: randomBytes(300).toString('base64') },
        'ValidationException',
      ],
      ['a too short public key', 'SuspendKey', { KeyId: key, PublicKey: 'AAAA' }, 'ValidationException'],
      ['an EC public key', 'SuspendKey', { KeyId: key, PublicKey: ec }, 'ValidationException'],
      ['no public key', 'SuspendKey', { KeyId: key }, 'ValidationException'],
      [
        'parameters for an enabled key',
        'GetParametersForReinstate',
        { KeyId: key },
        'KMSInvalidStateException',
      ],
      [
        'reinstating an enabled key',
        'ReinstateKey',
        { KeyId: key, ImportToken: 'abc', Versions: [{ Version: 1, WrappedKeyMaterial: 'AAAA' }] },
        'KMSInvalidStateException',
      ],
      [
        'no versions',
        'ReinstateKey',
        { KeyId: key, ImportToken: 'abc', Versions: [] },
        'ValidationException',
      ],
      [
        'a private key without LiteralForm',
        'ReinstateKey',
        { KeyId: key, PrivateKey: 'AAAA', Versions: [{ Version: 1, WrappedKeyMaterial: 'AAAA' }] },
        'ValidationException',
      ],
      [
        'shred of a missing key',
        'ShredKey',
        { KeyId: '00000000-0000-4000-8000-000000000000' },
        'NotFoundException',
      ],
    ];
    for (const [name, op, body, type] of cases) {
      const res = await call(op, body);
      expect({ name, type: res.body['__type'], hasMessage: typeof res.body['message'] }).toEqual({
        name,
        type,
        hasMessage: 'string',
      });
    }

    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    expect((await call('SuspendKey', { KeyId: key, PublicKey: spki })).status).toBe(200);
    expect((await call('SuspendKey', { KeyId: key, PublicKey: spki })).body['__type']).toBe(
      'KMSInvalidStateException',
    );
    expect((await call('SuspendKey', { KeyId: other, PublicKey: spki })).status).toBe(200);
    const forOther = (await call('GetParametersForReinstate', { KeyId: other })).body['ImportToken'];
    const wrongToken = await call('ReinstateKey', {
      KeyId: key,
      ImportToken: forOther,
      Versions: [{ Version: 1, WrappedKeyMaterial: randomBytes(384).toString('base64') }],
    });
    expect(wrongToken.body['__type']).toBe('InvalidImportTokenException');
    const garbledToken = await call('ReinstateKey', {
      KeyId: key,
      ImportToken: 'not-a-token',
      Versions: [{ Version: 1, WrappedKeyMaterial: randomBytes(384).toString('base64') }],
    });
    expect(garbledToken.body['__type']).toBe('InvalidImportTokenException');
    const params = await call('GetParametersForReinstate', { KeyId: key });
    const missingVersion = await call('ReinstateKey', {
      KeyId: key,
      ImportToken: params.body['ImportToken'],
      Versions: [{ Version: 2, WrappedKeyMaterial: randomBytes(384).toString('base64') }],
    });
    expect(missingVersion.body['__type']).toBe('ValidationException');

    // A tampered package: the CLI names the version that does not decrypt, and sends nothing.
    const owner = opensslKeyPair('tamper', 3072);
    const third = await newKey();
    const pkg = join(dir, 'tamper-package.json');
    expect(
      (await cli('key', 'suspend', '--key-id', third, '--public-key', owner.pub, '--out', pkg)).code,
    ).toBe(0);
    const body = JSON.parse(readFileSync(pkg, 'utf8')) as { Versions: { WrappedKeyMaterial: string }[] };
    const bytes = Buffer.from(body.Versions[0]!.WrappedKeyMaterial, 'base64');
    bytes[10]! ^= 1;
    body.Versions[0]!.WrappedKeyMaterial = bytes.toString('base64');
    writeFileSync(pkg, JSON.stringify(body));
    const tampered = await cli(
      'key',
      'reinstate',
      '--key-id',
      third,
      '--package',
      pkg,
      '--private-key',
      owner.priv,
    );
    expect(tampered.code).toBe(1);
    expect(tampered.err).toMatch(/version 1/);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: third }))).KeyMetadata!.KeyState).toBe(
      'Suspended',
    );
  });
});
