import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyRotationStatusCommand,
  type KMSClient,
  ListKeyRotationsCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { type TestPlatform, onPostgres, startTestDatabase, startTestPlatform } from '@symbolon/testing';
import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt, randomUUID } from 'node:crypto';

import { callAdmin } from '../../../cli/src/admin-client.js';

/**
 * "A key in every state for every operation": a key is put in each state reachable through the API (Enabled;
 * Disabled via DisableKey; PendingDeletion via ScheduleKeyDeletion) and every served operation that takes an existing
 * key is run against it through @aws-sdk/client-kms, on the platform as `npm start` runs it. The expected outcome of
 * each (state, operation) is written out below from AWS's "Key states of AWS KMS keys" table
 * (docs.aws.amazon.com/kms/latest/developerguide/key-state.html): a cell there is ✓ (here 'ok') or X with the error
 * AWS names for it (DisabledException for a disabled key where the table says so, KMSInvalidStateException
 * otherwise). Each case uses a fresh key, so no case depends on another.
 *
 * Symbolon's own states and operations extend the table: Suspended (SuspendKey) and Shredded (ShredKey), and the rows
 * ShredKey, SuspendKey, GetParametersForReinstate and ReinstateKey (ADR 0011). A suspended or shredded key is frozen:
 * only DescribeKey and ListResourceTags answer; ShredKey finishes (or repeats) on a shredded key.
 */

type State = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'Suspended' | 'Shredded';
const STATES: readonly State[] = ['Enabled', 'Disabled', 'PendingDeletion', 'Suspended', 'Shredded'];

const OK = 'ok';
const DISABLED = 'DisabledException';
const INVALID_STATE = 'KMSInvalidStateException';
type Outcome = typeof OK | typeof DISABLED | typeof INVALID_STATE;

const I = INVALID_STATE;
/** Suspended and Shredded: read-only operations answer, everything else is KMSInvalidStateException. */
const FROZEN = { Suspended: I, Shredded: I } as const;
const READABLE = { Suspended: OK, Shredded: OK } as const;

/** AWS's key state table, for the operations served here; columns Enabled, Disabled, PendingDeletion (+ Symbolon's). */
const EXPECTED: Readonly<Record<string, Readonly<Record<State, Outcome>>>> = {
  Encrypt: { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE, ...FROZEN },
  Decrypt: { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE, ...FROZEN },
  GenerateDataKey: { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE, ...FROZEN },
  GenerateDataKeyWithoutPlaintext: {
    Enabled: OK,
    Disabled: DISABLED,
    PendingDeletion: INVALID_STATE,
    ...FROZEN,
  },
  'ReEncrypt (source)': { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE, ...FROZEN },
  'ReEncrypt (destination)': { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE, ...FROZEN },
  DescribeKey: { Enabled: OK, Disabled: OK, PendingDeletion: OK, ...READABLE },
  UpdateKeyDescription: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE, ...FROZEN },
  EnableKey: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE, ...FROZEN },
  DisableKey: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE, ...FROZEN },
  TagResource: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE, ...FROZEN },
  UntagResource: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE, ...FROZEN },
  ListResourceTags: { Enabled: OK, Disabled: OK, PendingDeletion: OK, ...READABLE },
  CreateAlias: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE, ...FROZEN },
  UpdateAlias: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE, ...FROZEN },
  EnableKeyRotation: { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE, ...FROZEN },
  DisableKeyRotation: { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE, ...FROZEN },
  GetKeyRotationStatus: { Enabled: OK, Disabled: OK, PendingDeletion: OK, ...FROZEN },
  RotateKeyOnDemand: { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE, ...FROZEN },
  ListKeyRotations: { Enabled: OK, Disabled: OK, PendingDeletion: OK, ...FROZEN },
  ScheduleKeyDeletion: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE, ...FROZEN },
  CancelKeyDeletion: { Enabled: INVALID_STATE, Disabled: INVALID_STATE, PendingDeletion: OK, ...FROZEN },
  ShredKey: { Enabled: OK, Disabled: OK, PendingDeletion: OK, Suspended: I, Shredded: OK },
  SuspendKey: { Enabled: OK, Disabled: OK, PendingDeletion: I, Suspended: I, Shredded: I },
  GetParametersForReinstate: {
    Enabled: I,
    Disabled: DISABLED,
    PendingDeletion: I,
    Suspended: OK,
    Shredded: I,
  },
  ReinstateKey: { Enabled: I, Disabled: DISABLED, PendingDeletion: I, Suspended: OK, Shredded: I },
};

/** The key state AWS leaves behind after a successful state-changing operation. */
const STATE_AFTER: Readonly<Record<string, State>> = {
  EnableKey: 'Enabled',
  DisableKey: 'Disabled',
  ScheduleKeyDeletion: 'PendingDeletion',
  CancelKeyDeletion: 'Disabled',
  ShredKey: 'Shredded',
  SuspendKey: 'Suspended',
  ReinstateKey: 'Enabled',
};

/** The owner's RSA key pair of every suspended key here. */
const owner = generateKeyPairSync('rsa', { modulusLength: 3072 });
const OWNER_SPKI = owner.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const OAEP_SHA1 = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' };

/** `Symbolon.<operation>` through the platform, thrown as an Error named like the AWS error, as the SDK does. */
let symbolon: (operation: string, body: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** A key policy that names kms:ShredKey (no wildcard allows it), for the account's root. */
const shreddable = (accountId: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: ['kms:*', 'kms:ShredKey'],
        Resource: '*',
      },
    ],
  });

interface Subject {
  keyId: string;
  /** Encrypted under the key while it was Enabled. */
  blob: Uint8Array;
  /** SuspendKey's package, while Suspended. */
  package?: { Version: number; WrappedKeyMaterial: string }[];
}

type Run = (kms: KMSClient, key: Subject, other: Subject) => Promise<unknown>;

const RUN: Readonly<Record<keyof typeof EXPECTED, Run>> = {
  Encrypt: (kms, key) =>
    kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('state table') })),
  Decrypt: (kms, key) => kms.send(new DecryptCommand({ CiphertextBlob: key.blob, KeyId: key.keyId })),
  GenerateDataKey: (kms, key) =>
    kms.send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256' })),
  GenerateDataKeyWithoutPlaintext: (kms, key) =>
    kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.keyId, KeySpec: 'AES_256' })),
  'ReEncrypt (source)': (kms, key, other) =>
    kms.send(
      new ReEncryptCommand({
        CiphertextBlob: key.blob,
        SourceKeyId: key.keyId,
        DestinationKeyId: other.keyId,
      }),
    ),
  'ReEncrypt (destination)': (kms, key, other) =>
    kms.send(
      new ReEncryptCommand({
        CiphertextBlob: other.blob,
        SourceKeyId: other.keyId,
        DestinationKeyId: key.keyId,
      }),
    ),
  DescribeKey: (kms, key) => kms.send(new DescribeKeyCommand({ KeyId: key.keyId })),
  UpdateKeyDescription: (kms, key) =>
    kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.keyId, Description: 'updated' })),
  EnableKey: (kms, key) => kms.send(new EnableKeyCommand({ KeyId: key.keyId })),
  DisableKey: (kms, key) => kms.send(new DisableKeyCommand({ KeyId: key.keyId })),
  TagResource: (kms, key) =>
    kms.send(new TagResourceCommand({ KeyId: key.keyId, Tags: [{ TagKey: 'team', TagValue: 'blue' }] })),
  UntagResource: (kms, key) => kms.send(new UntagResourceCommand({ KeyId: key.keyId, TagKeys: ['team'] })),
  ListResourceTags: (kms, key) => kms.send(new ListResourceTagsCommand({ KeyId: key.keyId })),
  CreateAlias: (kms, key) =>
    kms.send(new CreateAliasCommand({ AliasName: `alias/state-${randomUUID()}`, TargetKeyId: key.keyId })),
  UpdateAlias: async (kms, key, other) => {
    const AliasName = `alias/state-${randomUUID()}`;
    await kms.send(new CreateAliasCommand({ AliasName, TargetKeyId: other.keyId }));
    return kms.send(new UpdateAliasCommand({ AliasName, TargetKeyId: key.keyId }));
  },
  EnableKeyRotation: (kms, key) => kms.send(new EnableKeyRotationCommand({ KeyId: key.keyId })),
  DisableKeyRotation: (kms, key) => kms.send(new DisableKeyRotationCommand({ KeyId: key.keyId })),
  GetKeyRotationStatus: (kms, key) => kms.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId })),
  RotateKeyOnDemand: (kms, key) => kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId })),
  ListKeyRotations: (kms, key) => kms.send(new ListKeyRotationsCommand({ KeyId: key.keyId })),
  ScheduleKeyDeletion: (kms, key) =>
    kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 7 })),
  CancelKeyDeletion: (kms, key) => kms.send(new CancelKeyDeletionCommand({ KeyId: key.keyId })),
  ShredKey: (_kms, key) => symbolon('ShredKey', { KeyId: key.keyId }),
  SuspendKey: (_kms, key) => symbolon('SuspendKey', { KeyId: key.keyId, PublicKey: OWNER_SPKI }),
  GetParametersForReinstate: (_kms, key) => symbolon('GetParametersForReinstate', { KeyId: key.keyId }),
  ReinstateKey: async (_kms, key) => {
    const params = await symbolon('GetParametersForReinstate', { KeyId: key.keyId }).catch(() => undefined);
    if (!params)
      return symbolon('ReinstateKey', {
        KeyId: key.keyId,
        ImportToken: 'x',
        Versions: [{ Version: 1, WrappedKeyMaterial: 'AAAA' }],
      });
    const importKey = {
      key: Buffer.from(params['PublicKey'] as string, 'base64'),
      format: 'der',
      type: 'spki',
    } as const;
    const Versions = key.package!.map((v) => ({
      Version: v.Version,
      WrappedKeyMaterial: publicEncrypt(
        { ...importKey, ...OAEP_SHA1 },
        privateDecrypt({ key: owner.privateKey, ...OAEP_SHA1 }, Buffer.from(v.WrappedKeyMaterial, 'base64')),
      ).toString('base64'),
    }));
    return symbolon('ReinstateKey', { KeyId: key.keyId, ImportToken: params['ImportToken'], Versions });
  },
};

const outcomeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return OK;
  } catch (e) {
    return (e as Error).name;
  }
};

const CASES = Object.keys(EXPECTED).flatMap((operation) =>
  STATES.map((state) => ({ operation, state, expected: EXPECTED[operation]![state] })),
);

describe(`key states on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  let platform: TestPlatform;
  let kms: KMSClient;
  let postgresUrl: string | undefined;
  let stopPostgres: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const db = await startTestDatabase('keystates');
    postgresUrl = db.postgresUrl;
    stopPostgres = () => db.stop();
    platform = await startTestPlatform({ db: 'sqlite', postgresUrl });
    kms = platform.kms();
    symbolon = async (operation, body) => {
      const res = await callAdmin({
        endpoint: platform.endpoint,
        credentials: platform.credentials,
        region: platform.credentials.region,
        operation,
        body,
        service: 'Symbolon',
      });
      if (res.status === 200) return res.body;
      throw Object.assign(new Error(String(res.body['message'])), { name: String(res.body['__type']) });
    };
  }, 180_000);

  afterAll(async () => {
    kms?.destroy();
    await platform?.stop();
    await stopPostgres?.();
  }, 60_000);

  /** A fresh key with a blob made while Enabled, then moved to `state` through the API. */
  const keyIn = async (state: State): Promise<Subject> => {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: `in ${state}` }));
    const keyId = KeyMetadata!.KeyId!;
    await kms.send(
      new PutKeyPolicyCommand({ KeyId: keyId, Policy: shreddable(platform.credentials.accountId) }),
    );
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('made while enabled') }),
    );
    let pkg: Subject['package'];
    if (state === 'Suspended') {
      const r = await symbolon('SuspendKey', { KeyId: keyId, PublicKey: OWNER_SPKI });
      pkg = r['Versions'] as Subject['package'];
    }
    if (state === 'Shredded') await symbolon('ShredKey', { KeyId: keyId });
    if (state === 'Disabled') await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    if (state === 'PendingDeletion')
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 30 }));
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata!.KeyState).toBe(state);
    return { keyId, blob: CiphertextBlob!, ...(pkg ? { package: pkg } : {}) };
  };

  it.each(CASES)(
    'should answer $expected to $operation when the key is $state',
    async ({ operation, state, expected }) => {
      const key = await keyIn(state);
      const other = await keyIn('Enabled');
      const outcome = await outcomeOf(RUN[operation]!(kms, key, other));
      expect({ operation, state, outcome }).toEqual({ operation, state, outcome: expected });
      const after = STATE_AFTER[operation];
      if (outcome === OK && after) {
        const described = await kms.send(new DescribeKeyCommand({ KeyId: key.keyId }));
        expect({ operation, state, after: described.KeyMetadata!.KeyState }).toEqual({
          operation,
          state,
          after,
        });
      }
    },
    30_000,
  );
});
