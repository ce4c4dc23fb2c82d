/**
 * The platform, started as the README's start command does, driven by real AWS clients: Debian's aws cli and
 * @aws-sdk/client-kms. Ends with a restart on the same data folder and port.
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  InvalidCiphertextException,
  type KMSClient,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

import { BlobFiles, awsKms, awsKmsJson, unb64 } from './support/clients.js';

jest.setTimeout(120_000);

const START_TIMEOUT = 240_000;
const CONTEXT = { purpose: 'e2e', tenant: 'aws-clients' };
const WRONG_CONTEXT = { purpose: 'e2e', tenant: 'someone-else' };

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

let platform: TestPlatform;
const files = new BlobFiles();

beforeAll(async () => {
  platform = await startTestPlatform();
}, START_TIMEOUT);

afterAll(async () => {
  await platform?.stop();
  files.dispose();
}, START_TIMEOUT);

describe('aws cli', () => {
  let keyId: string;
  let keyArn: string;

  beforeAll(async () => {
    const created = await awsKmsJson(platform, ['create-key', '--description', 'e2e aws cli key']);
    const meta = created['KeyMetadata'] as Record<string, unknown>;
    keyId = String(meta['KeyId']);
    keyArn = String(meta['Arn']);
  });

  it('should create an enabled symmetric key in the caller account when create-key is run', async () => {
    const created = await awsKmsJson(platform, ['create-key', '--description', 'second cli key']);
    const meta = created['KeyMetadata'] as Record<string, unknown>;
    expect(meta).toMatchObject({
      AWSAccountId: platform.credentials.accountId,
      Description: 'second cli key',
      Enabled: true,
      KeyState: 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
    });
    expect(String(meta['Arn'])).toBe(
      `arn:aws:kms:${platform.credentials.region}:${platform.credentials.accountId}:key/${String(meta['KeyId'])}`,
    );
  });

  it('should describe the key when describe-key names it by id', async () => {
    const described = await awsKmsJson(platform, ['describe-key', '--key-id', keyId]);
    expect(described['KeyMetadata']).toMatchObject({
      KeyId: keyId,
      Arn: keyArn,
      Description: 'e2e aws cli key',
      KeyState: 'Enabled',
    });
  });

  it('should list the key when list-keys is run', async () => {
    const listed = await awsKmsJson(platform, ['list-keys']);
    expect(listed['Keys']).toEqual(expect.arrayContaining([{ KeyId: keyId, KeyArn: keyArn }]));
  });

  it('should decrypt with and without --key-id when the same encryption context is given', async () => {
    const plaintext = randomBytes(100);
    const enc = await awsKmsJson(platform, [
      'encrypt',
      '--key-id',
      keyId,
      '--plaintext',
      files.fileb(plaintext),
      '--encryption-context',
      JSON.stringify(CONTEXT),
    ]);
    expect(enc['KeyId']).toBe(keyArn);
    const blob = unb64(enc['CiphertextBlob']);
    for (const extra of [[], ['--key-id', keyId], ['--key-id', keyArn]]) {
      const dec = await awsKmsJson(platform, [
        'decrypt',
        '--ciphertext-blob',
        files.fileb(blob),
        '--encryption-context',
        JSON.stringify(CONTEXT),
        ...extra,
      ]);
      expect(dec['KeyId']).toBe(keyArn);
      expect(same(unb64(dec['Plaintext']), plaintext)).toBe(true);
    }
  });

  it('should fail with InvalidCiphertextException when decrypt is given a different encryption context', async () => {
    const enc = await awsKmsJson(platform, [
      'encrypt',
      '--key-id',
      keyId,
      '--plaintext',
      files.fileb(randomBytes(32)),
      '--encryption-context',
      JSON.stringify(CONTEXT),
    ]);
    const blob = unb64(enc['CiphertextBlob']);
    for (const context of [WRONG_CONTEXT, {}]) {
      const args = ['decrypt', '--ciphertext-blob', files.fileb(blob)];
      if (Object.keys(context).length > 0) args.push('--encryption-context', JSON.stringify(context));
      const r = await awsKms(platform, args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('InvalidCiphertextException');
      expect(r.stdout).not.toContain('Plaintext');
    }
  });

  it.each([
    ['--key-spec AES_256', ['--key-spec', 'AES_256'], 32],
    ['--number-of-bytes 64', ['--number-of-bytes', '64'], 64],
  ])(
    'should return a data key whose blob decrypts to its plaintext when generate-data-key is run with %s',
    async (_, args, length) => {
      const dk = await awsKmsJson(platform, [
        'generate-data-key',
        '--key-id',
        keyId,
        '--encryption-context',
        JSON.stringify(CONTEXT),
        ...args,
      ]);
      const plaintext = unb64(dk['Plaintext']);
      expect(plaintext.length).toBe(length);
      expect(dk['KeyId']).toBe(keyArn);
      const dec = await awsKmsJson(platform, [
        'decrypt',
        '--ciphertext-blob',
        files.fileb(unb64(dk['CiphertextBlob'])),
        '--encryption-context',
        JSON.stringify(CONTEXT),
      ]);
      expect(same(unb64(dec['Plaintext']), plaintext)).toBe(true);
    },
  );

  it('should return only a blob that decrypts to a 32-byte key when generate-data-key-without-plaintext is run', async () => {
    const dk = await awsKmsJson(platform, [
      'generate-data-key-without-plaintext',
      '--key-id',
      keyId,
      '--key-spec',
      'AES_256',
      '--encryption-context',
      JSON.stringify(CONTEXT),
    ]);
    expect(dk['Plaintext']).toBeUndefined();
    const dec = await awsKmsJson(platform, [
      'decrypt',
      '--ciphertext-blob',
      files.fileb(unb64(dk['CiphertextBlob'])),
      '--encryption-context',
      JSON.stringify(CONTEXT),
    ]);
    expect(unb64(dec['Plaintext']).length).toBe(32);
    expect(dec['KeyId']).toBe(keyArn);
  });

  it('should return the requested number of distinct random bytes when generate-random is run', async () => {
    const a = unb64(
      (await awsKmsJson(platform, ['generate-random', '--number-of-bytes', '48']))['Plaintext'],
    );
    const b = unb64(
      (await awsKmsJson(platform, ['generate-random', '--number-of-bytes', '48']))['Plaintext'],
    );
    expect(a.length).toBe(48);
    expect(b.length).toBe(48);
    expect(same(a, b)).toBe(false);
  });
});

describe('@aws-sdk/client-kms', () => {
  let kms: KMSClient;
  let keyId: string;
  let keyArn: string;

  beforeAll(async () => {
    kms = platform.kms();
    const created = await kms.send(new CreateKeyCommand({ Description: 'e2e sdk key' }));
    keyId = created.KeyMetadata!.KeyId!;
    keyArn = created.KeyMetadata!.Arn!;
  });

  afterAll(() => kms?.destroy());

  it('should create an enabled symmetric key in the caller account when CreateKey is sent', async () => {
    const created = await kms.send(new CreateKeyCommand({ Description: 'second sdk key' }));
    expect(created.KeyMetadata).toMatchObject({
      AWSAccountId: platform.credentials.accountId,
      Description: 'second sdk key',
      Enabled: true,
      KeyState: 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
    });
    expect(created.KeyMetadata!.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(created.KeyMetadata!.CreationDate!.getTime() - Date.now())).toBeLessThan(5 * 60_000);
  });

  it('should describe the key by id and by ARN when DescribeKey is sent', async () => {
    for (const id of [keyId, keyArn]) {
      const described = await kms.send(new DescribeKeyCommand({ KeyId: id }));
      expect(described.KeyMetadata).toMatchObject({ KeyId: keyId, Arn: keyArn, Description: 'e2e sdk key' });
    }
  });

  it('should list the key when ListKeys is sent', async () => {
    const listed = await kms.send(new ListKeysCommand({}));
    expect(listed.Keys).toEqual(expect.arrayContaining([{ KeyId: keyId, KeyArn: keyArn }]));
  });

  it('should decrypt with and without KeyId when the same encryption context is given', async () => {
    const plaintext = randomBytes(4096);
    const enc = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: CONTEXT }),
    );
    expect(enc.KeyId).toBe(keyArn);
    expect(enc.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    for (const id of [undefined, keyId, keyArn]) {
      const dec = await kms.send(
        new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: CONTEXT, KeyId: id }),
      );
      expect(dec.KeyId).toBe(keyArn);
      expect(same(dec.Plaintext!, plaintext)).toBe(true);
    }
  });

  it('should throw InvalidCiphertextException when Decrypt is given a different encryption context', async () => {
    const enc = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: randomBytes(32), EncryptionContext: CONTEXT }),
    );
    for (const context of [WRONG_CONTEXT, undefined]) {
      await expect(
        kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context })),
      ).rejects.toBeInstanceOf(InvalidCiphertextException);
    }
  });

  it.each([
    ['KeySpec AES_256', { KeySpec: 'AES_256' as const }, 32],
    ['NumberOfBytes 64', { NumberOfBytes: 64 }, 64],
  ])(
    'should return a data key whose blob decrypts to its plaintext when GenerateDataKey has %s',
    async (_, spec, length) => {
      const dk = await kms.send(
        new GenerateDataKeyCommand({ KeyId: keyId, EncryptionContext: CONTEXT, ...spec }),
      );
      expect(dk.Plaintext!.length).toBe(length);
      expect(dk.KeyId).toBe(keyArn);
      const dec = await kms.send(
        new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: CONTEXT }),
      );
      expect(same(dec.Plaintext!, dk.Plaintext!)).toBe(true);
    },
  );

  it('should return only a blob that decrypts to a 32-byte key when GenerateDataKeyWithoutPlaintext is sent', async () => {
    const dk = await kms.send(
      new GenerateDataKeyWithoutPlaintextCommand({
        KeyId: keyId,
        KeySpec: 'AES_256',
        EncryptionContext: CONTEXT,
      }),
    );
    expect((dk as { Plaintext?: unknown }).Plaintext).toBeUndefined();
    const dec = await kms.send(
      new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: CONTEXT }),
    );
    expect(dec.Plaintext!.length).toBe(32);
    expect(dec.KeyId).toBe(keyArn);
  });

  it('should return the requested number of distinct random bytes when GenerateRandom is sent', async () => {
    const a = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 1024 }));
    const b = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 1024 }));
    expect(a.Plaintext!.length).toBe(1024);
    expect(same(a.Plaintext!, b.Plaintext!)).toBe(false);
  });
});

describe('restart on the same data folder and port', () => {
  interface Saved {
    blob: Uint8Array;
    plaintext: Uint8Array;
  }
  let keyId: string;
  let keyArn: string;
  const sdkBlobs: Saved[] = [];
  const cliBlobs: Saved[] = [];
  let credentialsBefore: string;
  let credentialsModeBefore: number;
  let portBefore: number;
  let dataDirBefore: string;

  beforeAll(async () => {
    const kms = platform.kms();
    const created = await kms.send(new CreateKeyCommand({ Description: 'survives a restart' }));
    keyId = created.KeyMetadata!.KeyId!;
    keyArn = created.KeyMetadata!.Arn!;
    const plaintext = randomBytes(200);
    const enc = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: CONTEXT }),
    );
    sdkBlobs.push({ blob: enc.CiphertextBlob!, plaintext });
    const dk = await kms.send(
      new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: CONTEXT }),
    );
    sdkBlobs.push({ blob: dk.CiphertextBlob!, plaintext: dk.Plaintext! });
    kms.destroy();

    const cliPlaintext = randomBytes(64);
    const cliEnc = await awsKmsJson(platform, [
      'encrypt',
      '--key-id',
      keyId,
      '--plaintext',
      files.fileb(cliPlaintext),
      '--encryption-context',
      JSON.stringify(CONTEXT),
    ]);
    cliBlobs.push({ blob: unb64(cliEnc['CiphertextBlob']), plaintext: cliPlaintext });

    credentialsBefore = readFileSync(platform.credentialsFile, 'utf8');
    credentialsModeBefore = statSync(platform.credentialsFile).mode & 0o777;
    portBefore = platform.port;
    dataDirBefore = platform.dataDir;
    await platform.stop({ keepData: true });
    platform = await startTestPlatform({ dataDir: dataDirBefore, port: portBefore });
  }, START_TIMEOUT);

  it('should serve on the same port and data folder when started again', () => {
    expect(platform.port).toBe(portBefore);
    expect(platform.dataDir).toBe(dataDirBefore);
    expect(platform.endpoint).toBe(`http://127.0.0.1:${portBefore}`);
  });

  it('should keep the credentials file unchanged when started again', () => {
    expect(readFileSync(platform.credentialsFile, 'utf8')).toBe(credentialsBefore);
    expect(statSync(platform.credentialsFile).mode & 0o777).toBe(credentialsModeBefore);
  });

  it('should still list and describe the key when started again', async () => {
    const kms = platform.kms();
    try {
      const listed = await kms.send(new ListKeysCommand({}));
      expect(listed.Keys).toEqual(expect.arrayContaining([{ KeyId: keyId, KeyArn: keyArn }]));
      const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
      expect(described.KeyMetadata).toMatchObject({
        KeyId: keyId,
        Description: 'survives a restart',
        KeyState: 'Enabled',
      });
    } finally {
      kms.destroy();
    }
    const cliListed = await awsKmsJson(platform, ['list-keys']);
    expect(cliListed['Keys']).toEqual(expect.arrayContaining([{ KeyId: keyId, KeyArn: keyArn }]));
  });

  it('should decrypt ciphertexts made before the restart with the sdk', async () => {
    const kms = platform.kms();
    try {
      for (const saved of [...sdkBlobs, ...cliBlobs]) {
        const dec = await kms.send(
          new DecryptCommand({ CiphertextBlob: saved.blob, EncryptionContext: CONTEXT }),
        );
        expect(dec.KeyId).toBe(keyArn);
        expect(same(dec.Plaintext!, saved.plaintext)).toBe(true);
      }
      await expect(
        kms.send(new DecryptCommand({ CiphertextBlob: sdkBlobs[0]!.blob, EncryptionContext: WRONG_CONTEXT })),
      ).rejects.toBeInstanceOf(InvalidCiphertextException);
    } finally {
      kms.destroy();
    }
  });

  it('should decrypt ciphertexts made before the restart with the aws cli', async () => {
    for (const saved of [...cliBlobs, ...sdkBlobs]) {
      const dec = await awsKmsJson(platform, [
        'decrypt',
        '--ciphertext-blob',
        files.fileb(saved.blob),
        '--encryption-context',
        JSON.stringify(CONTEXT),
      ]);
      expect(dec['KeyId']).toBe(keyArn);
      expect(same(unb64(dec['Plaintext']), saved.plaintext)).toBe(true);
    }
  });
});
