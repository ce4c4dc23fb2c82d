import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  type KMSClient,
  ListAliasesCommand,
  ListResourceTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { type TestPlatform, onPostgres, startTestPlatform } from '@symbolon/testing';

/**
 * Aliases, tags, descriptions and enable / disable through @aws-sdk/client-kms against the platform as `npm start`
 * runs it: SQLite by default, PostgreSQL when SYMBOLON_TEST_DB=postgres.
 */

async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { name: string }).name;
  }
  throw new Error('expected the request to fail');
}

describe(`aliases and key administration on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  let platform: TestPlatform;
  let kms: KMSClient;
  let account: string;
  let region: string;

  const newKey = async (description = 'aliases') =>
    (await kms.send(new CreateKeyCommand({ Description: description }))).KeyMetadata!;
  const aliasArn = (name: string) => `arn:aws:kms:${region}:${account}:${name}`;

  beforeAll(async () => {
    platform = await startTestPlatform();
    kms = platform.kms();
    account = platform.credentials.accountId;
    region = platform.credentials.region;
  }, 180_000);

  afterAll(async () => {
    kms?.destroy();
    await platform?.stop();
  }, 60_000);

  it('should create, use, move, list and delete an alias when the caller names it by name and by ARN', async () => {
    const one = await newKey('one');
    const two = await newKey('two');
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/it/app', TargetKeyId: one.KeyId! }));

    const described = await kms.send(new DescribeKeyCommand({ KeyId: aliasArn('alias/it/app') }));
    expect(described.KeyMetadata!.KeyId).toBe(one.KeyId);
    const context = { purpose: 'alias' };
    const enc = await kms.send(
      new EncryptCommand({
        KeyId: 'alias/it/app',
        Plaintext: Buffer.from('by alias'),
        EncryptionContext: context,
      }),
    );
    expect(enc.KeyId).toBe(one.Arn);
    const dec = await kms.send(
      new DecryptCommand({
        KeyId: aliasArn('alias/it/app'),
        CiphertextBlob: enc.CiphertextBlob,
        EncryptionContext: context,
      }),
    );
    expect(Buffer.from(dec.Plaintext!).toString()).toBe('by alias');

    const listed = await kms.send(new ListAliasesCommand({ KeyId: one.KeyId }));
    expect(listed.Truncated).toBe(false);
    expect(listed.Aliases).toHaveLength(1);
    const [entry] = listed.Aliases!;
    expect(entry).toMatchObject({
      AliasName: 'alias/it/app',
      AliasArn: aliasArn('alias/it/app'),
      TargetKeyId: one.KeyId,
    });
    expect(entry!.CreationDate).toBeInstanceOf(Date);
    expect(entry!.LastUpdatedDate).toBeInstanceOf(Date);

    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/it/app', TargetKeyId: two.Arn! }));
    const moved = await kms.send(new EncryptCommand({ KeyId: 'alias/it/app', Plaintext: Buffer.from('x') }));
    expect(moved.KeyId).toBe(two.Arn);
    // A ciphertext of the old target no longer decrypts when the alias is named as KeyId: it names another key now.
    expect(
      await errorName(
        kms.send(
          new DecryptCommand({
            KeyId: 'alias/it/app',
            CiphertextBlob: enc.CiphertextBlob,
            EncryptionContext: context,
          }),
        ),
      ),
    ).toBe('IncorrectKeyException');

    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/it/app' }));
    expect(await errorName(kms.send(new DescribeKeyCommand({ KeyId: 'alias/it/app' })))).toBe(
      'NotFoundException',
    );
    expect(await errorName(kms.send(new DeleteAliasCommand({ AliasName: 'alias/it/app' })))).toBe(
      'NotFoundException',
    );
    expect((await kms.send(new ListAliasesCommand({ KeyId: two.KeyId }))).Aliases).toEqual([]);
  });

  it('should answer exactly one success and nine AlreadyExistsException when ten requests create one alias name at once', async () => {
    const key = await newKey();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        kms.send(new CreateAliasCommand({ AliasName: 'alias/it/race', TargetKeyId: key.KeyId! })),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failures.map((f) => (f.reason as { name: string }).name)).toEqual(
      Array(9).fill('AlreadyExistsException'),
    );
    expect((await kms.send(new ListAliasesCommand({ KeyId: key.KeyId }))).Aliases).toHaveLength(1);
  });

  it('should refuse Encrypt by alias with DisabledException while the key is disabled and encrypt again once enabled', async () => {
    const key = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/it/toggle', TargetKeyId: key.KeyId! }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId! }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId! }))).KeyMetadata).toMatchObject({
      KeyState: 'Disabled',
      Enabled: false,
    });
    expect(
      await errorName(
        kms.send(new EncryptCommand({ KeyId: 'alias/it/toggle', Plaintext: Buffer.from('x') })),
      ),
    ).toBe('DisabledException');
    await kms.send(new DisableKeyCommand({ KeyId: key.Arn! })); // idempotent
    await kms.send(new EnableKeyCommand({ KeyId: key.Arn! }));
    const enc = await kms.send(new EncryptCommand({ KeyId: 'alias/it/toggle', Plaintext: Buffer.from('x') }));
    expect(enc.KeyId).toBe(key.Arn);
    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId! })); // idempotent
  });

  it('should answer NotFoundException when EnableKey, DisableKey, TagResource or UpdateKeyDescription name an alias', async () => {
    const key = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/it/admin', TargetKeyId: key.KeyId! }));
    for (const cmd of [
      new EnableKeyCommand({ KeyId: 'alias/it/admin' }),
      new DisableKeyCommand({ KeyId: 'alias/it/admin' }),
      new TagResourceCommand({ KeyId: 'alias/it/admin', Tags: [{ TagKey: 'a', TagValue: 'b' }] }),
      new UpdateKeyDescriptionCommand({ KeyId: 'alias/it/admin', Description: 'x' }),
    ]) {
      expect(await errorName(kms.send(cmd as never))).toBe('NotFoundException');
    }
  });

  it('should update the description and accept 8192 characters but not 8193', async () => {
    const key = await newKey('before');
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId!, Description: 'after' }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId! }))).KeyMetadata!.Description).toBe(
      'after',
    );
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId!, Description: 'd'.repeat(8192) }));
    expect(
      await errorName(
        kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId!, Description: 'd'.repeat(8193) })),
      ),
    ).toBe('ValidationException');
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId!, Description: '' }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId! }))).KeyMetadata!.Description).toBe('');
  });

  it('should round-trip tags with their limits and page through them', async () => {
    const key = await newKey();
    const KeyId = key.KeyId!;
    const tags = Array.from({ length: 50 }, (_, i) => ({
      TagKey: `t${String(i).padStart(2, '0')}`,
      TagValue: `v${i}`,
    }));
    await kms.send(new TagResourceCommand({ KeyId, Tags: tags.slice(0, 49) }));
    await kms.send(new TagResourceCommand({ KeyId, Tags: tags.slice(49) }));
    expect(
      await errorName(
        kms.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: 'one-more', TagValue: '' }] })),
      ),
    ).toBe('TagException');
    await kms.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: 't00', TagValue: 'overwritten' }] }));

    const seen: { TagKey?: string; TagValue?: string }[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await kms.send(new ListResourceTagsCommand({ KeyId, Limit: 20, Marker: marker }));
      seen.push(...page.Tags!);
      marker = page.Truncated ? page.NextMarker : undefined;
      pages++;
    } while (marker !== undefined && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([{ TagKey: 't00', TagValue: 'overwritten' }, ...tags.slice(1)]);

    await kms.send(new UntagResourceCommand({ KeyId, TagKeys: tags.slice(10).map((t) => t.TagKey) }));
    const all = await kms.send(new ListResourceTagsCommand({ KeyId }));
    expect(all.Tags).toHaveLength(10);
    expect(all.Truncated).toBe(false);

    const long = { TagKey: 'k'.repeat(128), TagValue: 'v'.repeat(256) };
    await kms.send(new TagResourceCommand({ KeyId, Tags: [long, { TagKey: 'empty', TagValue: '' }] }));
    for (const bad of [
      { ...long, TagKey: 'k'.repeat(129) },
      { ...long, TagValue: 'v'.repeat(257) },
      { TagKey: '', TagValue: 'x' },
    ]) {
      expect(await errorName(kms.send(new TagResourceCommand({ KeyId, Tags: [bad] })))).toBe(
        'ValidationException',
      );
    }
    expect(
      await errorName(
        kms.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: 'aws:owner', TagValue: 'x' }] })),
      ),
    ).toBe('TagException');
    expect(await errorName(kms.send(new ListResourceTagsCommand({ KeyId, Limit: 51 })))).toBe(
      'ValidationException',
    );
    expect(await errorName(kms.send(new ListResourceTagsCommand({ KeyId, Limit: 0 })))).toBe(
      'ValidationException',
    );
    expect((await kms.send(new ListResourceTagsCommand({ KeyId, Limit: 50 }))).Tags).toHaveLength(12);
    expect(await errorName(kms.send(new ListResourceTagsCommand({ KeyId, Marker: 'bogus' })))).toBe(
      'InvalidMarkerException',
    );
  });

  it('should enforce AWS alias name rules at and beyond each bound', async () => {
    const key = await newKey();
    const TargetKeyId = key.KeyId!;
    const longest = `alias/${'a'.repeat(250)}`;
    await kms.send(new CreateAliasCommand({ AliasName: longest, TargetKeyId }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/A-z_0/9', TargetKeyId }));
    const cases: [string, string][] = [
      [`${longest}b`, 'ValidationException'],
      ['', 'ValidationException'],
      ['app', 'ValidationException'],
      ['alias/', 'ValidationException'],
      ['alias/has space', 'ValidationException'],
      ['alias/has:colon', 'ValidationException'],
      ['alias/aws/reserved', 'NotAuthorizedException'],
      [longest, 'AlreadyExistsException'],
    ];
    for (const [AliasName, name] of cases) {
      expect([
        AliasName,
        await errorName(kms.send(new CreateAliasCommand({ AliasName, TargetKeyId }))),
      ]).toEqual([AliasName, name]);
    }
    expect(
      await errorName(
        kms.send(new CreateAliasCommand({ AliasName: 'alias/to-alias', TargetKeyId: 'alias/A-z_0/9' })),
      ),
    ).toBe('ValidationException');
    expect(
      await errorName(
        kms.send(
          new CreateAliasCommand({
            AliasName: 'alias/missing-key',
            TargetKeyId: '0b8e2a3c-1111-4222-8333-944455556666',
          }),
        ),
      ),
    ).toBe('NotFoundException');
    expect(await errorName(kms.send(new UpdateAliasCommand({ AliasName: 'alias/none', TargetKeyId })))).toBe(
      'NotFoundException',
    );
  });

  it('should answer NotFoundException for an alias ARN of another account and never resolve it', async () => {
    const key = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/it/mine', TargetKeyId: key.KeyId! }));
    const other = account === '999999999999' ? '888888888888' : '999999999999';
    const foreign = `arn:aws:kms:${region}:${other}:alias/it/mine`;
    expect(await errorName(kms.send(new DescribeKeyCommand({ KeyId: foreign })))).toBe('NotFoundException');
    expect(
      await errorName(kms.send(new EncryptCommand({ KeyId: foreign, Plaintext: Buffer.from('x') }))),
    ).toBe('NotFoundException');
    const wrongRegion = `arn:aws:kms:${region === 'eu-west-3' ? 'eu-west-2' : 'eu-west-3'}:${account}:alias/it/mine`;
    expect(await errorName(kms.send(new DescribeKeyCommand({ KeyId: wrongRegion })))).toBe(
      'NotFoundException',
    );
  });

  it('should page ListAliases with Limit at and beyond its bounds and refuse an invalid Marker', async () => {
    const key = await newKey();
    for (let i = 0; i < 5; i++) {
      await kms.send(new CreateAliasCommand({ AliasName: `alias/it/page-${i}`, TargetKeyId: key.KeyId! }));
    }
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await kms.send(new ListAliasesCommand({ KeyId: key.Arn!, Limit: 2, Marker: marker }));
      names.push(...page.Aliases!.map((a) => a.AliasName!));
      marker = page.Truncated ? page.NextMarker : undefined;
      pages++;
    } while (marker !== undefined && pages < 10);
    expect(names).toEqual([0, 1, 2, 3, 4].map((i) => `alias/it/page-${i}`));
    expect(pages).toBe(3);
    await kms.send(new ListAliasesCommand({ Limit: 1 }));
    await kms.send(new ListAliasesCommand({ Limit: 100 }));
    expect(await errorName(kms.send(new ListAliasesCommand({ Limit: 0 })))).toBe('ValidationException');
    expect(await errorName(kms.send(new ListAliasesCommand({ Limit: 101 })))).toBe('ValidationException');
    expect(await errorName(kms.send(new ListAliasesCommand({ Marker: 'bogus' })))).toBe(
      'InvalidMarkerException',
    );
  });
});
