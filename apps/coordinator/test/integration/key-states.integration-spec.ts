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
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { type TestPlatform, onPostgres, startTestDatabase, startTestPlatform } from '@symbolon/testing';
import { randomUUID } from 'node:crypto';

/**
 * "A key in every state for every operation": a key is put in each state reachable through the API (Enabled;
 * Disabled via DisableKey; PendingDeletion via ScheduleKeyDeletion) and every served operation that takes an existing
 * key is run against it through @aws-sdk/client-kms, on the platform as `npm start` runs it. The expected outcome of
 * each (state, operation) is written out below from AWS's "Key states of AWS KMS keys" table
 * (docs.aws.amazon.com/kms/latest/developerguide/key-state.html): a cell there is ✓ (here 'ok') or X with the error
 * AWS names for it (DisabledException for a disabled key where the table says so, KMSInvalidStateException
 * otherwise). Each case uses a fresh key, so no case depends on another.
 */

type State = 'Enabled' | 'Disabled' | 'PendingDeletion';
const STATES: readonly State[] = ['Enabled', 'Disabled', 'PendingDeletion'];

const OK = 'ok';
const DISABLED = 'DisabledException';
const INVALID_STATE = 'KMSInvalidStateException';
type Outcome = typeof OK | typeof DISABLED | typeof INVALID_STATE;

/** AWS's key state table, for the operations served here; columns Enabled, Disabled, PendingDeletion. */
const EXPECTED: Readonly<Record<string, Readonly<Record<State, Outcome>>>> = {
  Encrypt: { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE },
  Decrypt: { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE },
  GenerateDataKey: { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE },
  GenerateDataKeyWithoutPlaintext: { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE },
  'ReEncrypt (source)': { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE },
  'ReEncrypt (destination)': { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE },
  DescribeKey: { Enabled: OK, Disabled: OK, PendingDeletion: OK },
  UpdateKeyDescription: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE },
  EnableKey: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE },
  DisableKey: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE },
  TagResource: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE },
  UntagResource: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE },
  ListResourceTags: { Enabled: OK, Disabled: OK, PendingDeletion: OK },
  CreateAlias: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE },
  UpdateAlias: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE },
  EnableKeyRotation: { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE },
  DisableKeyRotation: { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE },
  GetKeyRotationStatus: { Enabled: OK, Disabled: OK, PendingDeletion: OK },
  RotateKeyOnDemand: { Enabled: OK, Disabled: DISABLED, PendingDeletion: INVALID_STATE },
  ListKeyRotations: { Enabled: OK, Disabled: OK, PendingDeletion: OK },
  ScheduleKeyDeletion: { Enabled: OK, Disabled: OK, PendingDeletion: INVALID_STATE },
  CancelKeyDeletion: { Enabled: INVALID_STATE, Disabled: INVALID_STATE, PendingDeletion: OK },
};

/** The key state AWS leaves behind after a successful state-changing operation. */
const STATE_AFTER: Readonly<Record<string, State>> = {
  EnableKey: 'Enabled',
  DisableKey: 'Disabled',
  ScheduleKeyDeletion: 'PendingDeletion',
  CancelKeyDeletion: 'Disabled',
};

interface Subject {
  keyId: string;
  /** Encrypted under the key while it was Enabled. */
  blob: Uint8Array;
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
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('made while enabled') }),
    );
    if (state === 'Disabled') await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    if (state === 'PendingDeletion')
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 30 }));
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata!.KeyState).toBe(state);
    return { keyId, blob: CiphertextBlob! };
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
