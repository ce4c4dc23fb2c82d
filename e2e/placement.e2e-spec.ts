/**
 * Placement across domains (issue 5): the platform runs two domains, `eu` (the default) and `us`, one token each
 * (SYMBOLON_HSM_DOMAINS). AWS clients see them as custom key stores; CreateKey with CustomKeyStoreId and Origin
 * AWS_CLOUDHSM places a key in one, and only that domain's tokens serve it. ReEncrypt moves data between domains; a
 * domain whose tokens are all down refuses new keys (CustomKeyStoreInvalidStateException) while the other serves on;
 * the operators rotate one domain's key without touching the other's.
 */
import {
  CreateCustomKeyStoreCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeCustomKeyStoresCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateRandomCommand,
  type KMSClient,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Subjects } from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';
import type { DomainState } from '@symbolon/quorum';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';

import { approveAsDevelopmentOperator } from '../deploy/local/join-domain.js';
import { symbolon } from './support/cli.js';
import { domainKeysInToken } from './support/tokens.js';
import { awsKms, awsKmsJson } from './support/clients.js';
import { toolingClient } from './support/operators.js';
import { requestsServedBy, runtimeFile, runtimeOf } from './support/runtime.js';

jest.setTimeout(240_000);

const DOMAINS = [
  { name: 'eu', tokens: 1, labels: { region: 'eu-west-1', jurisdiction: 'EU' } },
  { name: 'us', tokens: 1, labels: { region: 'us-east-1', jurisdiction: 'US' } },
];

let platform: TestPlatform;
let kms: KMSClient;
let tooling: RpcClient;
let stopped: number | undefined;
/** Custom key store ids by domain name. */
const ids: Record<string, string> = {};

beforeAll(async () => {
  platform = await startTestPlatform({
    env: {
      SYMBOLON_HSM_DOMAINS: JSON.stringify(DOMAINS),
      SYMBOLON_JOB_INTERVAL_MS: '500',
      SYMBOLON_HSM_HEALTH_INTERVAL_MS: '500',
    },
  });
  kms = platform.kms();
  tooling = await toolingClient(platform);
  const { CustomKeyStores } = await kms.send(new DescribeCustomKeyStoresCommand({}));
  for (const s of CustomKeyStores ?? []) ids[s.CustomKeyStoreName!] = s.CustomKeyStoreId!;
}, 200_000);

afterAll(async () => {
  if (stopped !== undefined) process.kill(stopped, 'SIGCONT');
  await tooling?.close();
  await platform?.stop();
}, 120_000);

async function refusal(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { name: string; message: string };
  }
  throw new Error('expected a refusal');
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const connection = async (name: string) =>
  (await kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: ids[name] }))).CustomKeyStores?.[0]
    ?.ConnectionState;

const createIn = (name: string) =>
  kms.send(new CreateKeyCommand({ CustomKeyStoreId: ids[name], Origin: 'AWS_CLOUDHSM' }));

const status = async (domainId: string) =>
  (await tooling.send(Subjects.domain.status, { requestId: 'placement-status', domainId })) as {
    state: DomainState;
    rewrapRemaining: number;
  };

describe('placement across domains', () => {
  it('should list each domain as a connected CloudHSM-type custom key store, and the CLI its labels', async () => {
    const { CustomKeyStores } = await kms.send(new DescribeCustomKeyStoresCommand({}));
    expect(
      CustomKeyStores?.map((s) => [s.CustomKeyStoreName, s.CustomKeyStoreType, s.ConnectionState]),
    ).toEqual([
      ['eu', 'AWS_CLOUDHSM', 'CONNECTED'],
      ['us', 'AWS_CLOUDHSM', 'CONNECTED'],
    ]);
    expect(ids['eu']).toMatch(/^cks-[0-9a-f]{17}$/);
    const cli = await awsKmsJson(platform, ['describe-custom-key-stores', '--custom-key-store-name', 'us']);
    expect(cli['CustomKeyStores']).toEqual([
      expect.objectContaining({ CustomKeyStoreId: ids['us'], ConnectionState: 'CONNECTED' }),
    ]);
    const r = await symbolon(
      platform,
      'domain',
      'status',
      '--runtime',
      runtimeFile(platform),
      '--domain',
      ids['us']!,
    );
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.out) as { Domain: string; Members: { NodeId: string }[]; Domains: unknown[] };
    expect([shown.Domain, shown.Members.map((m) => m.NodeId)]).toEqual([ids['us'], ['hsm-2']]);
    expect(shown.Domains).toEqual([
      expect.objectContaining({
        Name: 'eu',
        Labels: DOMAINS[0]!.labels,
        Default: true,
        Members: 1,
        Connection: 'CONNECTED',
      }),
      expect.objectContaining({
        Name: 'us',
        Labels: DOMAINS[1]!.labels,
        Default: false,
        Members: 1,
        Connection: 'CONNECTED',
      }),
    ]);
  });

  it("should serve a key placed in a domain only from that domain's token, and a key placed nowhere from the default", async () => {
    const placed = (await createIn('us')).KeyMetadata!;
    expect([placed.Origin, placed.CustomKeyStoreId]).toEqual(['AWS_CLOUDHSM', ids['us']]);
    const described = (await kms.send(new DescribeKeyCommand({ KeyId: placed.KeyId }))).KeyMetadata!;
    expect(described.CustomKeyStoreId).toBe(ids['us']);
    const plain = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    expect([plain.Origin, plain.CustomKeyStoreId]).toEqual(['AWS_KMS', undefined]);

    const served = async () => [
      await requestsServedBy(platform, 'hsm-1'),
      await requestsServedBy(platform, 'hsm-2'),
    ];
    const before = await served();
    for (let i = 0; i < 5; i++) {
      const { CiphertextBlob } = await kms.send(
        new EncryptCommand({ KeyId: placed.KeyId, Plaintext: Buffer.from(`us ${i}`) }),
      );
      const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob }));
      expect(Buffer.from(Plaintext!).toString()).toBe(`us ${i}`);
    }
    const between = await served();
    expect([between[0]! - before[0]!, between[1]! - before[1]!]).toEqual([0, 10]);
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: plain.KeyId, Plaintext: Buffer.from('eu') }),
    );
    await kms.send(new DecryptCommand({ CiphertextBlob }));
    const after = await served();
    expect([after[0]! - between[0]!, after[1]! - between[1]!]).toEqual([2, 0]);
  });

  it('should place a key and draw random bytes in a domain through the aws cli', async () => {
    const created = await awsKmsJson(platform, [
      'create-key',
      '--custom-key-store-id',
      ids['us']!,
      '--origin',
      'AWS_CLOUDHSM',
    ]);
    expect(created['KeyMetadata']).toMatchObject({ Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: ids['us'] });
    const random = await awsKmsJson(platform, [
      'generate-random',
      '--number-of-bytes',
      '16',
      '--custom-key-store-id',
      ids['us']!,
    ]);
    expect(Buffer.from(random['Plaintext'] as string, 'base64')).toHaveLength(16);
  });

  it('should re-encrypt from a key of one domain to a key of the other and back', async () => {
    const eu = (await createIn('eu')).KeyMetadata!.KeyId!;
    const us = (await createIn('us')).KeyMetadata!.KeyId!;
    const { CiphertextBlob: underEu } = await kms.send(
      new EncryptCommand({ KeyId: eu, Plaintext: Buffer.from('moves'), EncryptionContext: { a: '1' } }),
    );
    const toUs = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: underEu,
        SourceEncryptionContext: { a: '1' },
        DestinationKeyId: us,
        DestinationEncryptionContext: { b: '2' },
      }),
    );
    expect(toUs.KeyId).toContain(us);
    const back = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: toUs.CiphertextBlob,
        SourceEncryptionContext: { b: '2' },
        DestinationKeyId: eu,
      }),
    );
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob: back.CiphertextBlob }));
    expect(Buffer.from(Plaintext!).toString()).toBe('moves');
    // The source context still binds: the wrong one is refused, not re-encrypted.
    const wrong = await refusal(
      kms.send(new ReEncryptCommand({ CiphertextBlob: underEu, DestinationKeyId: us })),
    );
    expect(wrong.name).toBe('InvalidCiphertextException');
  });

  it.each([
    [
      'an unknown custom key store',
      () =>
        kms.send(new CreateKeyCommand({ CustomKeyStoreId: 'cks-0123456789abcdef0', Origin: 'AWS_CLOUDHSM' })),
      'CustomKeyStoreNotFoundException',
    ],
    [
      'a custom key store without Origin AWS_CLOUDHSM',
      () => kms.send(new CreateKeyCommand({ CustomKeyStoreId: ids['us'] })),
      'ValidationException',
    ],
    [
      'Origin AWS_CLOUDHSM without a custom key store',
      () => kms.send(new CreateKeyCommand({ Origin: 'AWS_CLOUDHSM' })),
      'ValidationException',
    ],
    [
      'DescribeCustomKeyStores of an unknown id',
      () => kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: 'cks-0123456789abcdef0' })),
      'CustomKeyStoreNotFoundException',
    ],
    [
      'DescribeCustomKeyStores of an unknown name',
      () => kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: 'mars' })),
      'CustomKeyStoreNotFoundException',
    ],
    [
      'DescribeCustomKeyStores with both an id and a name',
      () =>
        kms.send(
          new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: ids['eu'], CustomKeyStoreName: 'eu' }),
        ),
      'ValidationException',
    ],
    [
      'CreateCustomKeyStore (domains are the operators’, made by the installation)',
      () =>
        kms.send(
          new CreateCustomKeyStoreCommand({
            CustomKeyStoreName: 'mine',
            CloudHsmClusterId: 'cluster-1234567890a',
          }),
        ),
      'UnknownOperationException',
    ],
    [
      'GenerateRandom in an unknown custom key store',
      () =>
        kms.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: 'cks-0123456789abcdef0' })),
      'CustomKeyStoreNotFoundException',
    ],
  ])('should refuse %s with its AWS error', async (_what, send, name) => {
    expect((await refusal(send())).name).toBe(name);
  });

  it('should refuse an unknown custom key store through the aws cli with its AWS error', async () => {
    const r = await awsKms(platform, [
      'create-key',
      '--custom-key-store-id',
      'cks-0123456789abcdef0',
      '--origin',
      'AWS_CLOUDHSM',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('CustomKeyStoreNotFoundException');
  });

  it('should refuse new keys in a domain whose token is down while the other domain serves, and take them again once it is up', async () => {
    const usKey = (await createIn('us')).KeyMetadata!.KeyId!;
    const euKey = (await createIn('eu')).KeyMetadata!.KeyId!;
    stopped = runtimeOf(platform).pids['hsm-2']!;
    process.kill(stopped, 'SIGSTOP');
    await waitFor('us disconnected', async () => (await connection('us')) === 'DISCONNECTED');
    expect((await refusal(createIn('us'))).name).toBe('CustomKeyStoreInvalidStateException');
    expect(await connection('eu')).toBe('CONNECTED');
    await kms.send(new EncryptCommand({ KeyId: euKey, Plaintext: Buffer.from('eu serves on') }));
    process.kill(stopped, 'SIGCONT');
    stopped = undefined;
    await waitFor('us connected', async () => (await connection('us')) === 'CONNECTED');
    await kms.send(new EncryptCommand({ KeyId: usKey, Plaintext: Buffer.from('us again') }));
    expect((await createIn('us')).KeyMetadata!.CustomKeyStoreId).toBe(ids['us']);
  });

  it("should rotate one domain's key and re-wrap its keys without touching the other domain", async () => {
    const usKey = (await createIn('us')).KeyMetadata!.KeyId!;
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: usKey, Plaintext: Buffer.from('kept') }),
    );
    const euBefore = (await status(ids['eu']!)).state;
    const usBefore = await approveAsDevelopmentOperator(
      platform.dataDir,
      (s) => ({ kind: 'rotate-domain-key', generation: s.generation + 1 }),
      'us',
    );
    expect(usBefore).toMatchObject({ domainId: ids['us'], generation: 1 });
    await waitFor('the us re-wrap', async () => (await status(ids['us']!)).rewrapRemaining === 0);
    expect((await status(ids['us']!)).state.generation).toBe(2);
    expect((await status(ids['eu']!)).state).toEqual(euBefore);
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(Buffer.from(Plaintext!).toString()).toBe('kept');
    // The proof that us's keys moved: generation 1 destroyed in hsm-2's token, the key still decrypts; eu keeps its 1.
    await approveAsDevelopmentOperator(
      platform.dataDir,
      () => ({ kind: 'destroy-generation', generation: 1 }),
      'us',
    );
    expect(domainKeysInToken(platform, 'hsm-2')).toEqual(['symbolon-domain-2']);
    expect(domainKeysInToken(platform, 'hsm-1')).toEqual(['symbolon-domain-1']);
    const after = await kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(Buffer.from(after.Plaintext!).toString()).toBe('kept');
  });
});
