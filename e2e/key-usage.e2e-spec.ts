/**
 * Usage counters through the running platform: Symbolon.GetKeyUsage answers, per key version, exactly the number of
 * encrypting operations (Encrypt, GenerateDataKey*, ReEncrypt as destination) made under it, concurrent ones
 * included; decryption does not count.
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';

import { symbolonCall } from './support/tenants.js';

jest.setTimeout(120_000);

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
}, 240_000);

afterAll(async () => {
  await platform?.stop();
}, 240_000);

const getKeyUsage = async (body: Record<string, unknown>): Promise<Record<string, unknown>> => {
  const res = await symbolonCall(platform, 'GetKeyUsage', body, { service: 'Symbolon' });
  return { status: res.status, ...res.body };
};

/** Audit counts after the gateway answered (records are stored asynchronously): wait for the expected figure. */
async function usageOnceSettled(keyId: string, expected: unknown): Promise<unknown> {
  const deadline = Date.now() + 10_000;
  let last: unknown;
  while (Date.now() < deadline) {
    last = (await getKeyUsage({ KeyId: keyId }))['KeyVersions'];
    if (JSON.stringify(last) === JSON.stringify(expected)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  return last;
}

describe('Symbolon.GetKeyUsage', () => {
  it('should count exactly the concurrent encrypting operations per version and not the decryptions', async () => {
    const kms = platform.kms();
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const blobs = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(`m${i}`) })),
      ),
    );
    await Promise.all(
      Array.from({ length: 50 }, () =>
        kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })),
      ),
    );
    await Promise.all(
      blobs.slice(0, 40).map((b) => kms.send(new DecryptCommand({ CiphertextBlob: b.CiphertextBlob }))),
    );
    // ReEncrypt counts for its destination only.
    await Promise.all(
      blobs
        .slice(0, 10)
        .map((b) =>
          kms.send(new ReEncryptCommand({ CiphertextBlob: b.CiphertextBlob, DestinationKeyId: other })),
        ),
    );
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    await Promise.all(
      Array.from({ length: 5 }, () =>
        kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('v2') })),
      ),
    );
    const expected = [
      { KeyVersion: 1, Encryptions: 200 },
      { KeyVersion: 2, Encryptions: 5 },
    ];
    expect(await usageOnceSettled(keyId, expected)).toEqual(expected);
    expect(await usageOnceSettled(other, [{ KeyVersion: 1, Encryptions: 10 }])).toEqual([
      { KeyVersion: 1, Encryptions: 10 },
    ]);
  });

  it('should answer the AWS error shape for a missing key, a bad KeyId and an unknown Symbolon operation', async () => {
    expect(await getKeyUsage({ KeyId: '0b4a1f3e-1111-4222-8333-944444444444' })).toMatchObject({
      status: 400,
      __type: 'NotFoundException',
    });
    expect(await getKeyUsage({})).toMatchObject({ status: 400, __type: 'ValidationException' });
    const unknown = await symbolonCall(platform, 'NoSuchThing', {}, { service: 'Symbolon' });
    expect(unknown.body).toMatchObject({ __type: 'UnknownOperationException' });
  });
});
