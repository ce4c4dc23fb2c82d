/**
 * Symbolon.ListAuditEvents on the running platform: a tenant lists its own requests and every event of its own keys
 * (another account's use under a grant included), filters by operation and time, pages with a marker, and never sees
 * another tenant's events.
 */
import { CreateGrantCommand, CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type Credentials, type TestPlatform, startTestPlatform } from '@symbolon/testing';

import { type TestUser, newAccount, newUser, symbolonCall } from './support/tenants.js';

jest.setTimeout(120_000);

let platform: TestPlatform;
let tenantB: TestUser;

beforeAll(async () => {
  platform = await startTestPlatform();
  tenantB = await newUser(platform, 'bob', { accountId: await newAccount(platform, 'audit-b') });
}, 240_000);

afterAll(async () => {
  await platform?.stop();
}, 240_000);

const list = async (body: Record<string, unknown>, credentials: Credentials = platform.credentials) => {
  const res = await symbolonCall(platform, 'ListAuditEvents', body, { service: 'Symbolon', credentials });
  return { status: res.status, ...res.body } as Record<string, unknown> & {
    Events?: Record<string, unknown>[];
  };
};

/** Records are stored asynchronously after the answer: wait until the listing shows `n` events. */
async function settled(body: Record<string, unknown>, n: number, credentials?: Credentials) {
  const deadline = Date.now() + 10_000;
  let r = await list(body, credentials);
  while ((r.Events?.length ?? 0) < n && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 200));
    r = await list(body, credentials);
  }
  return r;
}

describe('Symbolon.ListAuditEvents', () => {
  it('should list every event of an own key, another account use under a grant included, newest first', async () => {
    const a = platform.kms();
    const keyArn = (await a.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const blob = (await a.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') })))
      .CiphertextBlob!;
    await a.send(
      new CreateGrantCommand({ KeyId: keyArn, GranteePrincipal: tenantB.arn, Operations: ['Decrypt'] }),
    );
    await platform.kms(tenantB).send(new DecryptCommand({ CiphertextBlob: blob, KeyId: keyArn }));

    await settled({ KeyId: keyArn, Operation: 'Decrypt' }, 1);
    // The listings themselves are events of the key too: leave them out to look at its uses.
    const listed = (await list({ KeyId: keyArn })).Events!;
    const r = { Events: listed.filter((e) => e['Operation'] !== 'Symbolon.ListAuditEvents') };
    expect(r.Events.map((e) => e['Operation'])).toEqual(['Decrypt', 'CreateGrant', 'Encrypt', 'CreateKey']);
    expect(r.Events[0]).toMatchObject({
      AccountId: tenantB.accountId,
      Principal: tenantB.arn,
      Outcome: 'ok',
    });
    const sequences = listed.map((e) => e['Sequence'] as number);
    expect([...sequences].sort((x, y) => y - x)).toEqual(sequences);

    const decrypts = await list({ KeyId: keyArn, Operation: 'Decrypt' });
    expect(decrypts.Events!.map((e) => e['EventId'])).toEqual([r.Events[0]!['EventId']]);
  });

  it('should page through the events with the marker and filter them by time', async () => {
    const a = platform.kms();
    const keyArn = (await a.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    for (let i = 0; i < 5; i++)
      await a.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from(`${i}`) }));
    await settled({ KeyId: keyArn, Operation: 'Encrypt' }, 5);
    const all = await list({ KeyId: keyArn, Operation: 'Encrypt' });
    expect(all.Events!.length).toBe(5);
    const pages: Record<string, unknown>[] = [];
    let marker: string | undefined;
    do {
      const p = await list({
        KeyId: keyArn,
        Operation: 'Encrypt',
        Limit: 2,
        ...(marker ? { Marker: marker } : {}),
      });
      pages.push(...p.Events!);
      marker = p['NextMarker'] as string | undefined;
      expect(p['Truncated']).toBe(marker !== undefined);
    } while (marker && pages.length < 20);
    expect(pages.map((e) => e['EventId'])).toEqual(all.Events!.map((e) => e['EventId']));

    const times = all.Events!.map((e) => e['EventTime'] as number);
    const future = await list({ KeyId: keyArn, Operation: 'Encrypt', StartTime: Math.max(...times) + 3600 });
    expect(future.Events).toEqual([]);
    const past = await list({ KeyId: keyArn, Operation: 'Encrypt', EndTime: Math.min(...times) - 3600 });
    expect(past.Events).toEqual([]);
    const window = await list({
      KeyId: keyArn,
      Operation: 'Encrypt',
      StartTime: Math.min(...times) - 1,
      EndTime: Math.max(...times) + 1,
    });
    expect(window.Events!.length).toBe(5);
  });

  it('should never show a tenant another tenant events and refuse its keys', async () => {
    const a = platform.kms();
    const keyArn = (await a.send(new CreateKeyCommand({ Description: 'private to A' }))).KeyMetadata!.Arn!;
    await settled({ KeyId: keyArn }, 1);
    const own = await list({ Limit: 1000 }, tenantB);
    expect(own).toMatchObject({ status: 200 });
    for (const e of own.Events!) expect(e['AccountId']).toBe(tenantB.accountId);
    expect(await list({ KeyId: keyArn }, tenantB)).toMatchObject({
      status: 400,
      __type: 'AccessDeniedException',
    });
  });

  it('should answer the AWS error shape for a bad marker, a reversed time window and a bad Limit', async () => {
    expect(await list({ Marker: 'not-a-marker' })).toMatchObject({ __type: 'InvalidMarkerException' });
    expect(await list({ StartTime: 2000, EndTime: 1000 })).toMatchObject({ __type: 'ValidationException' });
    expect(await list({ Limit: 0 })).toMatchObject({ __type: 'ValidationException' });
    expect(await list({ StartTime: 'now' })).toMatchObject({ __type: 'SerializationException' });
    expect(await list({ Limit: 1001 })).toMatchObject({ __type: 'ValidationException' });
    expect(await list({ Operation: 'x'.repeat(65) })).toMatchObject({ __type: 'ValidationException' });
  });
});

describe('Symbolon.ExportAuditChain', () => {
  const exportChain = async (
    body: Record<string, unknown>,
    credentials: Credentials = platform.credentials,
  ) => {
    const res = await symbolonCall(platform, 'ExportAuditChain', body, { service: 'Symbolon', credentials });
    return { status: res.status, ...res.body } as Record<string, unknown> & {
      Links?: { s: number; r?: string }[];
    };
  };

  it('should give another tenant only hashes of a tenant records, and refuse its keys', async () => {
    const keyArn = (await platform.kms().send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await settled({ KeyId: keyArn }, 1);
    const seen = await exportChain({ Limit: 10000 }, tenantB);
    expect(seen.status).toBe(200);
    expect(seen.Links!.length).toBeGreaterThan(0);
    for (const link of seen.Links!) {
      if (link.r !== undefined) expect(JSON.parse(link.r)).toMatchObject({ tenantId: tenantB.accountId });
    }
    expect(JSON.stringify(seen)).not.toContain(keyArn);
    expect(await exportChain({ KeyId: keyArn }, tenantB)).toMatchObject({ __type: 'AccessDeniedException' });
  });

  it('should answer the AWS error shape for bad ranges and fields', async () => {
    expect(await exportChain({ FromSequence: 0 })).toMatchObject({ __type: 'ValidationException' });
    expect(await exportChain({ Limit: 10001 })).toMatchObject({ __type: 'ValidationException' });
    expect(await exportChain({ Limit: 'all' })).toMatchObject({ __type: 'SerializationException' });
    expect(await exportChain({ KeyId: 'alias/none' })).toMatchObject({ __type: 'NotFoundException' });
    const beyond = await exportChain({ FromSequence: 1_000_000_000 });
    expect(beyond).toMatchObject({ status: 200, Links: [], Digests: [] });
  });
});
