/**
 * The SDK's multi-authority schemes end to end (issue 7), against two running platforms: provider 1 and provider 2
 * (a second Symbolon). Every scheme is all-of: each authority of the header must take part, and a missing or refusing
 * one is named. Streaming and byte ranges over a 20 MiB file, decryption by another tenant, re-wrapping one layer
 * without the data key (customer key rotated; KMS key replaced by ReEncrypt inside the KMS; moved to another provider),
 * and tampered envelopes.
 */
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type EnvelopeHeader, recipeParts, serializeEnvelopeHeader, withWrapped } from '@symbolon/formats';
import {
  type Authority,
  CustomerKey,
  KmsKey,
  type Scheme,
  SdkError,
  decryptEnvelope,
  decryptEnvelopeRange,
  decryptEnvelopeStream,
  encryptEnvelope,
  encryptEnvelopeStream,
  inspectEnvelope,
  loadConfig,
  nodeAead,
  rewrapEnvelope,
  schemes,
} from '@symbolon/sdk/node';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';

import { type TestUser, newAccount, newUser, symbolonCall } from './support/tenants.js';

jest.setTimeout(60_000);

const MIB = 1024 * 1024;
const CONTEXT = { purpose: 'sdk-schemes', tenant: 'e2e', 'non-ascii': 'schlüssel' };

let provider1: TestPlatform;
let provider2: TestPlatform;
let kms1: KMSClient;
let kms2: KMSClient;
let tenantB: TestUser;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'symbolon-sdk-schemes-'));
  [provider1, provider2] = await Promise.all([startTestPlatform(), startTestPlatform()]);
  kms1 = provider1.kms();
  kms2 = provider2.kms();
  tenantB = await newUser(provider1, 'reader-b', { accountId: await newAccount(provider1, 'sdk-b') });
}, 240_000);

afterAll(async () => {
  await Promise.all([provider1?.stop(), provider2?.stop()]);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}, 240_000);

/** A new KMS key of a provider, as an SDK authority with that provider's (admin) client. */
async function kmsKey(id: string, provider: TestPlatform, client: KMSClient): Promise<KmsKey> {
  const arn = (await client.send(new CreateKeyCommand({ Description: `sdk-schemes ${id}` }))).KeyMetadata!
    .Arn!;
  return new KmsKey(id, client, arn, provider.endpoint);
}

const customerKey = (id: string): Promise<CustomerKey> => CustomerKey.fromBytes(id, randomBytes(32));

/** The ARN a KmsKey's header entry records. */
const arnOf = (k: KmsKey): string => {
  const d = k.describe();
  if (d.type !== 'kms') throw new Error('not a KMS authority');
  return d.keyArn;
};

const encrypt = (plaintext: Uint8Array, scheme: Scheme, authorities: readonly Authority[]) =>
  encryptEnvelope(plaintext, { scheme, authorities, context: CONTEXT, aead: nodeAead });

const decrypt = (envelope: Uint8Array, authorities: readonly Authority[]) =>
  decryptEnvelope(envelope, { authorities, aead: nodeAead });

/** A reader holding more authorities than one envelope needs says which scheme that envelope must be. */
const decryptAs = (envelope: Uint8Array, authorities: readonly Authority[], scheme: Scheme) =>
  decryptEnvelope(envelope, { authorities, expect: { scheme }, aead: nodeAead });

/** The SdkError a promise rejects with (anything else fails the test). */
async function sdkRefusal(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SdkError) return e;
    throw new Error(`expected an SdkError, got ${String(e)}`);
  }
  throw new Error('expected a refusal');
}

const refusalShape = (e: SdkError) => ({ code: e.code, authorityId: e.authorityId });

const concat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

const flipped = (bytes: Uint8Array, at: number): Uint8Array => {
  const copy = new Uint8Array(bytes);
  copy[at]! ^= 0x01;
  return copy;
};

const setDisabled = async (client: KMSClient, key: KmsKey, disabled: boolean): Promise<void> => {
  await client.send(
    disabled ? new DisableKeyCommand({ KeyId: arnOf(key) }) : new EnableKeyCommand({ KeyId: arnOf(key) }),
  );
};

/** A provider's audit events of one key and operation, once at least `n` are recorded (stored asynchronously). */
async function auditEvents(
  provider: TestPlatform,
  keyArn: string,
  operation: string,
  n: number,
): Promise<Record<string, unknown>[]> {
  const list = async () => {
    const res = await symbolonCall(
      provider,
      'ListAuditEvents',
      { KeyId: keyArn, Operation: operation },
      { service: 'Symbolon' },
    );
    expect(res.status).toBe(200);
    return (res.body['Events'] ?? []) as Record<string, unknown>[];
  };
  const deadline = Date.now() + 10_000;
  let events = await list();
  while (events.length < n && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    events = await list();
  }
  return events;
}

interface SchemeCase {
  name: string;
  /** The scheme and its authorities; `kms` are the KMS ones with the client that can disable each. */
  make(): Promise<{
    scheme: Scheme;
    authorities: Authority[];
    kms: { key: KmsKey; client: KMSClient }[];
  }>;
}

const CASES: SchemeCase[] = [
  {
    name: 'managed-then-customer',
    async make() {
      const kms = await kmsKey('corp-kms', provider1, kms1);
      const customer = await customerKey('my-key');
      return {
        scheme: schemes.managedThenCustomer(kms.id, customer.id),
        authorities: [kms, customer],
        kms: [{ key: kms, client: kms1 }],
      };
    },
  },
  {
    name: 'customer-then-managed',
    async make() {
      const customer = await customerKey('my-key');
      const kms = await kmsKey('corp-kms', provider1, kms1);
      return {
        scheme: schemes.customerThenManaged(customer.id, kms.id),
        authorities: [customer, kms],
        kms: [{ key: kms, client: kms1 }],
      };
    },
  },
  {
    name: 'two providers (key wrapped)',
    async make() {
      const a = await kmsKey('provider-1', provider1, kms1);
      const b = await kmsKey('provider-2', provider2, kms2);
      return {
        scheme: schemes.twoProviders(a.id, b.id),
        authorities: [a, b],
        kms: [
          { key: a, client: kms1 },
          { key: b, client: kms2 },
        ],
      };
    },
  },
  {
    name: 'split key',
    async make() {
      const customer = await customerKey('my-key');
      const kms = await kmsKey('corp-kms', provider1, kms1);
      return {
        scheme: schemes.splitKey(customer.id, kms.id),
        authorities: [customer, kms],
        kms: [{ key: kms, client: kms1 }],
      };
    },
  },
  {
    name: 'a chain of 3 authorities',
    async make() {
      const a = await kmsKey('provider-1', provider1, kms1);
      const customer = await customerKey('my-key');
      const b = await kmsKey('provider-2', provider2, kms2);
      return {
        scheme: { chain: [a.id, customer.id, b.id] },
        authorities: [a, customer, b],
        kms: [
          { key: a, client: kms1 },
          { key: b, client: kms2 },
        ],
      };
    },
  },
  {
    name: 'a split of 3 chains',
    async make() {
      const c1 = await customerKey('customer-1');
      const a = await kmsKey('provider-1', provider1, kms1);
      const c2 = await customerKey('customer-2');
      const b = await kmsKey('provider-2', provider2, kms2);
      return {
        scheme: { split: [{ chain: [c1.id] }, { chain: [a.id, c2.id] }, { chain: [b.id] }] },
        authorities: [c1, a, c2, b],
        kms: [
          { key: a, client: kms1 },
          { key: b, client: kms2 },
        ],
      };
    },
  },
];

describe('SDK schemes: all-of', () => {
  for (const c of CASES) {
    it(`should decrypt ${c.name} only with every authority, naming a missing or disabled one`, async () => {
      const { scheme, authorities, kms } = await c.make();
      const plaintext = randomBytes(100_000);
      const envelope = await encrypt(plaintext, scheme, authorities);

      const { header } = inspectEnvelope(envelope);
      expect(header.context).toEqual(CONTEXT);
      expect(header.authorities.map((a) => a.id).sort()).toEqual(authorities.map((a) => a.id).sort());
      expect(Buffer.from(await decrypt(envelope, authorities)).equals(plaintext)).toBe(true);
      // A reader gives its authorities in any order.
      expect(Buffer.from(await decrypt(envelope, [...authorities].reverse())).equals(plaintext)).toBe(true);

      for (const missing of authorities) {
        const e = await sdkRefusal(
          decrypt(
            envelope,
            authorities.filter((a) => a !== missing),
          ),
        );
        expect(refusalShape(e)).toEqual({ code: 'AUTHORITY_MISSING', authorityId: missing.id });
      }

      for (const { key, client } of kms) {
        await setDisabled(client, key, true);
        const e = await sdkRefusal(decrypt(envelope, authorities));
        expect(refusalShape(e)).toEqual({ code: 'AUTHORITY_FAILED', authorityId: key.id });
        expect(e.message).toMatch(/DisabledException/);
        await setDisabled(client, key, false);
      }
      expect(Buffer.from(await decrypt(envelope, authorities)).equals(plaintext)).toBe(true);
    });
  }

  it('should need both providers for two providers (body wrapped): an envelope inside an envelope', async () => {
    const p1 = await kmsKey('provider-1', provider1, kms1);
    const p2 = await kmsKey('provider-2', provider2, kms2);
    const plaintext = randomBytes(50_000);
    const inner = await encrypt(plaintext, { chain: [p1.id] }, [p1]);
    const outer = await encrypt(inner, { chain: [p2.id] }, [p2]);
    expect(inspectEnvelope(outer).header.authorities.map((a) => a.id)).toEqual(['provider-2']);

    expect(refusalShape(await sdkRefusal(decrypt(outer, [p1])))).toEqual({
      code: 'AUTHORITY_MISSING',
      authorityId: 'provider-2',
    });
    const outerScheme = { chain: [p2.id] };
    const innerScheme = { chain: [p1.id] };
    const opened = await decryptAs(outer, [p1, p2], outerScheme);
    expect(Buffer.from(opened).equals(Buffer.from(inner))).toBe(true);
    expect(refusalShape(await sdkRefusal(decrypt(opened, [p2])))).toEqual({
      code: 'AUTHORITY_MISSING',
      authorityId: 'provider-1',
    });
    expect(Buffer.from(await decryptAs(opened, [p1, p2], innerScheme)).equals(plaintext)).toBe(true);
    // The inner envelope passed off as the outer one: refused as not the scheme expected.
    expect((await sdkRefusal(decryptAs(inner, [p1, p2], outerScheme))).code).toBe('UNEXPECTED_ENVELOPE');

    await setDisabled(kms1, p1, true);
    const inside = await decryptAs(outer, [p1, p2], outerScheme);
    const e = await sdkRefusal(decryptAs(inside, [p1, p2], innerScheme));
    expect(refusalShape(e)).toEqual({ code: 'AUTHORITY_FAILED', authorityId: 'provider-1' });
    expect(e.message).toMatch(/DisabledException/);
  });
});

describe('SDK streaming and ranges', () => {
  it('should stream a 20 MiB file through an envelope and back, and decrypt a middle range from the file', async () => {
    const kms = await kmsKey('corp-kms', provider1, kms1);
    const customer = await customerKey('my-key');
    const authorities = [kms, customer];
    const source = join(workDir, 'plain.bin');
    const sealed = join(workDir, 'plain.bin.syme');
    const plaintext = randomBytes(20 * MIB);
    writeFileSync(source, plaintext);
    const sourceHash = createHash('sha256').update(plaintext).digest('hex');

    const { readable, writable } = await encryptEnvelopeStream({
      scheme: schemes.managedThenCustomer(kms.id, customer.id),
      authorities,
      context: CONTEXT,
      aead: nodeAead,
    });
    await Promise.all([
      (Readable.toWeb(createReadStream(source)) as ReadableStream<Uint8Array>).pipeTo(writable),
      readable.pipeTo(Writable.toWeb(createWriteStream(sealed)) as WritableStream<Uint8Array>),
    ]);

    const hash = createHash('sha256');
    let length = 0;
    const decrypted = (Readable.toWeb(createReadStream(sealed)) as ReadableStream<Uint8Array>).pipeThrough(
      decryptEnvelopeStream({ authorities, aead: nodeAead }),
    );
    for await (const chunk of decrypted as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      length += chunk.length;
    }
    expect({ length, sha256: hash.digest('hex') }).toEqual({ length: 20 * MIB, sha256: sourceHash });

    const file = await open(sealed, 'r');
    try {
      const { size } = await file.stat();
      let bytesRead = 0;
      const read = async (offset: number, len: number): Promise<Uint8Array> => {
        const buf = Buffer.alloc(len);
        const r = await file.read(buf, 0, len, offset);
        bytesRead += r.bytesRead;
        return buf.subarray(0, r.bytesRead);
      };
      expect(inspectEnvelope(await read(0, 65_545), size).plaintextLength).toBe(20 * MIB);
      bytesRead = 0;
      const start = 10 * MIB - 12_345;
      const end = 10 * MIB + 98_765;
      const range = await decryptEnvelopeRange(read, size, start, end, { authorities, aead: nodeAead });
      expect(Buffer.from(range).equals(plaintext.subarray(start, end))).toBe(true);
      // Only the header and the chunks covering the range were read.
      expect(bytesRead).toBeLessThan(end - start + 200_000);

      const e = await sdkRefusal(decryptEnvelopeRange(read, size, start, end, { authorities: [kms] }));
      expect(refusalShape(e)).toEqual({ code: 'AUTHORITY_MISSING', authorityId: 'my-key' });
    } finally {
      await file.close();
    }
  });
});

describe('SDK authorities across tenants', () => {
  it('should refuse another tenant of the provider naming the authority whose key it may not use', async () => {
    const kms = await kmsKey('corp-kms', provider1, kms1);
    const customer = await customerKey('my-key');
    const plaintext = randomBytes(1000);
    const envelope = await encrypt(plaintext, schemes.customerThenManaged(customer.id, kms.id), [
      customer,
      kms,
    ]);
    const asTenantB = new KmsKey(kms.id, provider1.kms(tenantB), arnOf(kms), provider1.endpoint);
    const e = await sdkRefusal(decrypt(envelope, [customer, asTenantB]));
    expect(refusalShape(e)).toEqual({ code: 'AUTHORITY_FAILED', authorityId: 'corp-kms' });
    expect(e.message).toMatch(/AccessDenied|NotFound/);
    expect(Buffer.from(await decrypt(envelope, [customer, kms])).equals(plaintext)).toBe(true);
  });
});

describe('SDK re-wrap without the data key', () => {
  it('should rotate the customer key of managed-then-customer with only the two customer keys', async () => {
    const kms = await kmsKey('corp-kms', provider1, kms1);
    const oldCustomer = await customerKey('my-key');
    const newCustomer = await customerKey('my-key');
    const plaintext = randomBytes(30_000);
    const envelope = await encrypt(plaintext, schemes.managedThenCustomer(kms.id, oldCustomer.id), [
      kms,
      oldCustomer,
    ]);

    const { headerBytes, bodyOffset } = await rewrapEnvelope(envelope, {
      from: oldCustomer,
      to: newCustomer,
    });
    const rotated = concat(headerBytes, envelope.subarray(bodyOffset));
    const before = inspectEnvelope(envelope).header;
    const after = inspectEnvelope(rotated).header;
    expect(after.id).toEqual(before.id);
    expect(after.context).toEqual(CONTEXT);
    expect(after.authorities[0]).toEqual(before.authorities[0]);
    expect(after.authorities[1]).toEqual(newCustomer.describe());
    expect(after.authorities[1]).not.toEqual(before.authorities[1]);

    expect(Buffer.from(await decrypt(rotated, [kms, newCustomer])).equals(plaintext)).toBe(true);
    expect(refusalShape(await sdkRefusal(decrypt(rotated, [kms, oldCustomer])))).toEqual({
      code: 'AUTHORITY_MISSING',
      authorityId: 'my-key',
    });
    // The old envelope still needs the old key (nothing shared the new one).
    expect(refusalShape(await sdkRefusal(decrypt(envelope, [kms, newCustomer])))).toEqual({
      code: 'AUTHORITY_MISSING',
      authorityId: 'my-key',
    });
    // The KMS key took no part in the re-wrap: the final decryption is the only Decrypt it saw (audit records are
    // stored asynchronously, so absence is read only once a later record arrived).
    expect(await auditEvents(provider1, arnOf(kms), 'Decrypt', 1)).toHaveLength(1);
  });

  it('should move customer-then-managed from one KMS key to another of the same provider by ReEncrypt', async () => {
    const customer = await customerKey('my-key');
    const mk1 = await kmsKey('mk-1', provider1, kms1);
    const mk2 = await kmsKey('mk-2', provider1, kms1);
    const plaintext = randomBytes(30_000);
    const envelope = await encrypt(plaintext, schemes.customerThenManaged(customer.id, mk1.id), [
      customer,
      mk1,
    ]);

    const { headerBytes, bodyOffset } = await rewrapEnvelope(envelope, { from: mk1, to: mk2 });
    const moved = concat(headerBytes, envelope.subarray(bodyOffset));
    expect(inspectEnvelope(moved).header.authorities.map((a) => a.id)).toEqual(['my-key', 'mk-2']);

    // The provider saw one ReEncrypt into MK2 and no Decrypt under either key (the one Decrypt of MK2 below is the
    // reader's: once it is recorded, anything the move did is recorded too).
    await setDisabled(kms1, mk1, true);
    expect(Buffer.from(await decrypt(moved, [customer, mk2])).equals(plaintext)).toBe(true);
    const reEncrypts = await auditEvents(provider1, arnOf(mk2), 'ReEncrypt', 1);
    expect(reEncrypts).toHaveLength(1);
    expect(reEncrypts[0]).toMatchObject({ Outcome: 'ok' });
    expect(await auditEvents(provider1, arnOf(mk2), 'Decrypt', 1)).toHaveLength(1);
    expect(await auditEvents(provider1, arnOf(mk1), 'Decrypt', 0)).toEqual([]);

    expect(refusalShape(await sdkRefusal(decrypt(moved, [customer, mk1])))).toEqual({
      code: 'AUTHORITY_MISSING',
      authorityId: 'mk-2',
    });
    const e = await sdkRefusal(decrypt(envelope, [customer, mk1]));
    expect(refusalShape(e)).toEqual({ code: 'AUTHORITY_FAILED', authorityId: 'mk-1' });
    expect(e.message).toMatch(/DisabledException/);
  });

  // One ReEncrypt call uses two keys: the refusal names the destination when it is the key that cannot take part.
  it('should name the destination authority when its KMS key refuses a ReEncrypt move', async () => {
    const customer = await customerKey('my-key');
    const mk1 = await kmsKey('mk-1', provider1, kms1);
    const mk2 = await kmsKey('mk-2', provider1, kms1);
    const envelope = await encrypt(randomBytes(1000), schemes.customerThenManaged(customer.id, mk1.id), [
      customer,
      mk1,
    ]);
    await setDisabled(kms1, mk2, true);
    const e = await sdkRefusal(rewrapEnvelope(envelope, { from: mk1, to: mk2 }));
    expect(e.message).toMatch(/DisabledException/);
    expect(refusalShape(e)).toEqual({ code: 'AUTHORITY_FAILED', authorityId: 'mk-2' });
  });

  // Keys of one endpoint and credentials in a configuration file share a client, so the move is a ReEncrypt inside the
  // KMS: for a one-layer chain the data key never comes out of it (docs/formats/envelope-v1.md).
  it('should move a KMS layer by ReEncrypt between keys of one endpoint configured by loadConfig', async () => {
    const mk1 = await kmsKey('mk-1', provider1, kms1);
    const mk2 = await kmsKey('mk-2', provider1, kms1);
    const configFile = join(workDir, 'rewrap-config.json');
    const kmsEntry = (key: KmsKey) => ({
      type: 'kms',
      keyId: arnOf(key),
      endpoint: provider1.endpoint,
      credentialsFile: provider1.credentialsFile,
    });
    writeFileSync(
      configFile,
      JSON.stringify({
        scheme: { chain: ['mk-1'] },
        authorities: { 'mk-1': kmsEntry(mk1), 'mk-2': kmsEntry(mk2) },
        context: CONTEXT,
      }),
    );
    const { config, authorities } = await loadConfig(configFile);
    const [from, to] = authorities;
    const plaintext = randomBytes(1000);
    const envelope = await encryptEnvelope(plaintext, {
      scheme: config.scheme,
      authorities: [from!],
      context: config.context!,
      aead: nodeAead,
    });

    const { headerBytes, bodyOffset } = await rewrapEnvelope(envelope, { from: from!, to: to! });
    const moved = concat(headerBytes, envelope.subarray(bodyOffset));
    expect(Buffer.from(await decrypt(moved, [to!])).equals(plaintext)).toBe(true);
    expect(await auditEvents(provider1, arnOf(mk2), 'Decrypt', 1)).toHaveLength(1);
    expect({
      reEncrypts: (await auditEvents(provider1, arnOf(mk2), 'ReEncrypt', 0)).length,
      decryptsUnderMk1: (await auditEvents(provider1, arnOf(mk1), 'Decrypt', 0)).length,
    }).toEqual({ reEncrypts: 1, decryptsUnderMk1: 0 });
  });

  it('should move a KMS layer from provider 1 to provider 2 leaving the body bytes unchanged', async () => {
    const customer = await customerKey('my-key');
    const p1 = await kmsKey('provider-1', provider1, kms1);
    const p2 = await kmsKey('provider-2', provider2, kms2);
    const plaintext = randomBytes(30_000);
    const envelope = await encrypt(plaintext, schemes.customerThenManaged(customer.id, p1.id), [
      customer,
      p1,
    ]);

    const { headerBytes, bodyOffset } = await rewrapEnvelope(envelope, { from: p1, to: p2 });
    const moved = concat(headerBytes, envelope.subarray(bodyOffset));
    const { header, bodyOffset: movedOffset } = inspectEnvelope(moved);
    expect(Buffer.from(moved.subarray(movedOffset)).equals(Buffer.from(envelope.subarray(bodyOffset)))).toBe(
      true,
    );
    expect(header.authorities[1]).toEqual({
      id: 'provider-2',
      type: 'kms',
      keyArn: arnOf(p2),
      endpoint: provider2.endpoint,
    });
    // Different endpoints: provider 1 unwrapped its layer, provider 2 wrapped it.
    expect(await auditEvents(provider1, arnOf(p1), 'Decrypt', 1)).toHaveLength(1);
    expect(await auditEvents(provider2, arnOf(p2), 'Encrypt', 1)).toHaveLength(1);

    await setDisabled(kms1, p1, true);
    expect(Buffer.from(await decrypt(moved, [customer, p2])).equals(plaintext)).toBe(true);
  });
});

describe('SDK tampered envelopes', () => {
  /** The envelope with its header replaced (the body kept). */
  const withHeader = (envelope: Uint8Array, header: EnvelopeHeader): Uint8Array =>
    concat(serializeEnvelopeHeader(header), envelope.subarray(inspectEnvelope(envelope).bodyOffset));

  const flippedWrapped = (envelope: Uint8Array): Uint8Array => {
    const { header } = inspectEnvelope(envelope);
    const [part] = recipeParts(header);
    return withHeader(envelope, withWrapped(header, part!.part, flipped(part!.wrapped, 20)));
  };

  it('should refuse a flipped byte in the wrapped key naming the outermost authority', async () => {
    const customer = await customerKey('my-key');
    const kms = await kmsKey('corp-kms', provider1, kms1);
    const authorities = [customer, kms];
    const plaintext = randomBytes(5000);

    const customerOuter = await encrypt(
      plaintext,
      schemes.managedThenCustomer(kms.id, customer.id),
      authorities,
    );
    expect(Buffer.from(await decrypt(customerOuter, authorities)).equals(plaintext)).toBe(true);
    expect(refusalShape(await sdkRefusal(decrypt(flippedWrapped(customerOuter), authorities)))).toEqual({
      code: 'AUTHORITY_FAILED',
      authorityId: 'my-key',
    });

    const kmsOuter = await encrypt(plaintext, schemes.customerThenManaged(customer.id, kms.id), authorities);
    const e = await sdkRefusal(decrypt(flippedWrapped(kmsOuter), authorities));
    expect(refusalShape(e)).toEqual({ code: 'AUTHORITY_FAILED', authorityId: 'corp-kms' });
    expect(e.message).toMatch(/InvalidCiphertext/);
  });

  it('should refuse a flipped byte anywhere in the body', async () => {
    const customer = await customerKey('my-key');
    const kms = await kmsKey('corp-kms', provider1, kms1);
    const authorities = [kms, customer];
    const plaintext = randomBytes(100_000);
    const envelope = await encrypt(plaintext, schemes.splitKey(customer.id, kms.id), authorities);
    const { bodyOffset } = inspectEnvelope(envelope);
    for (const at of [bodyOffset, bodyOffset + 40_000, envelope.length - 1]) {
      const e = await sdkRefusal(decrypt(flipped(envelope, at), authorities));
      expect(e.code).toBe('INVALID_ENVELOPE');
    }
    expect(Buffer.from(await decrypt(envelope, authorities)).equals(plaintext)).toBe(true);
  });

  it('should refuse another encryption context edited into the header naming the first authority to unwrap', async () => {
    const customer = await customerKey('my-key');
    const kms = await kmsKey('corp-kms', provider1, kms1);
    const authorities = [customer, kms];
    const plaintext = randomBytes(5000);
    const edit = (envelope: Uint8Array): Uint8Array => {
      const { header } = inspectEnvelope(envelope);
      return withHeader(envelope, { ...header, context: { ...CONTEXT, purpose: 'something-else' } });
    };

    const customerOuter = await encrypt(
      plaintext,
      schemes.managedThenCustomer(kms.id, customer.id),
      authorities,
    );
    expect(inspectEnvelope(edit(customerOuter)).header.context['purpose']).toBe('something-else');
    expect(refusalShape(await sdkRefusal(decrypt(edit(customerOuter), authorities)))).toEqual({
      code: 'AUTHORITY_FAILED',
      authorityId: 'my-key',
    });

    const kmsOuter = await encrypt(plaintext, schemes.customerThenManaged(customer.id, kms.id), authorities);
    const e = await sdkRefusal(decrypt(edit(kmsOuter), authorities));
    expect(refusalShape(e)).toEqual({ code: 'AUTHORITY_FAILED', authorityId: 'corp-kms' });
    expect(e.message).toMatch(/InvalidCiphertext/);
  });
});
