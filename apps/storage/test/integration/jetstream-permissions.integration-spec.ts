/**
 * The jetstream backend under least privilege: JetStreamBlobStore, connected as a NATS user that holds exactly the
 * storage role's permissions (libs/platform nats-permissions.ts, as every deployment renders them with
 * natsUserConfig), does everything the service asks of it (create the bucket, put, get, ranges, list, delete, a failed
 * put, recover) with no permission violation; and for each of the role's object store permissions, a user that lacks
 * only that one fails the same work. So the list is sufficient and each entry is needed.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createUser } from '@nats-io/nkeys';
import { Objm } from '@nats-io/obj';
import { type NatsConnection, connect, nkeyAuthenticator } from '@nats-io/transport-node';
import {
  type NatsServer,
  STORAGE_OBJECT_BUCKET,
  inboxPrefix,
  natsPermissions,
  natsUserConfig,
  objectStorePublish,
  startNatsServer,
} from '@symbolon/platform';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';

import { BlobNotFoundError } from '../../src/blobs/blob-store.js';
import { JetStreamBlobStore } from '../../src/blobs/jetstream.store.js';

jest.setTimeout(120_000);

const STREAM = `OBJ_${STORAGE_OBJECT_BUCKET}`;
/** The role's object store permissions (its other entry, the signing key subject, is no JetStream API). */
const OBJECT_STORE_PERMISSIONS = objectStorePublish(STORAGE_OBJECT_BUCKET);

interface User {
  seed: Uint8Array;
  entry: string;
}

function nkeyUser(): { seed: Uint8Array; publicKey: string } {
  const kp = createUser();
  return { seed: kp.getSeed(), publicKey: kp.getPublicKey() };
}

/** The storage role's user as every deployment renders it. */
function storageUser(): User {
  const { seed, publicKey } = nkeyUser();
  return { seed, entry: natsUserConfig('storage', publicKey) };
}

/** The storage role's user without one publish permission, in natsUserConfig's format. */
function storageUserWithout(missing: string): User {
  const { seed, publicKey } = nkeyUser();
  const p = natsPermissions('storage');
  const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  const entry = [
    `{ nkey: "${publicKey}"`,
    `  permissions: {`,
    `    publish: { allow: ${list(p.publish.filter((s) => s !== missing))} }`,
    `    subscribe: { allow: ${list(p.subscribe)} }`,
    `  } }`,
  ].join('\n');
  return { seed, entry };
}

/** NATS subject matching: `*` is one token, a trailing `>` one or more. */
function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** Polls `cond` every 20 ms until it holds; throws naming `what` after `timeoutMs`. */
async function until(cond: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function listIds(store: JetStreamBlobStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const e of store.list()) ids.push(e.blobId);
  return ids.sort();
}

/**
 * Everything the storage service does with its blob store, on a bucket that does not exist yet. Resolves with the
 * permission violations the server reported meanwhile; rejects when a step fails.
 */
async function storageWork(nc: NatsConnection, chunkSubjects: () => Promise<string[]>): Promise<string[]> {
  const violations: string[] = [];
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'error') violations.push(s.error.message);
    }
  })();
  const store = new JetStreamBlobStore(nc, { bucket: STORAGE_OBJECT_BUCKET, recoverGraceMs: 0 });
  await store.recover(); // creates the bucket
  const bytes = randomBytes(300_000); // three 128 KiB chunks
  const big = await store.put(Readable.from([bytes]));
  const empty = await store.put(Readable.from([]));
  expect(sha256(await readAll(await store.get(big.blobId)))).toBe(sha256(bytes));
  expect(
    (await readAll(await store.get(big.blobId, { start: 131_000, end: 140_000 }))).equals(
      bytes.subarray(131_000, 140_001),
    ),
  ).toBe(true);
  expect((await readAll(await store.get(empty.blobId))).length).toBe(0);
  expect(await listIds(store)).toEqual([big.blobId, empty.blobId].sort());

  // A put whose body breaks after its first chunk: the object store purges what it stored.
  const chunksBefore = new Set(await chunkSubjects());
  const broken = new PassThrough();
  const failing = store.put(broken);
  let settled = false;
  failing.then(
    () => (settled = true),
    () => (settled = true),
  );
  broken.write(randomBytes(200_000));
  // Its first chunk is stored (a chunk subject no earlier blob has); or the put already failed (a role without a
  // permission it needs), which the expectation below reports.
  await until(
    async () => settled || (await chunkSubjects()).some((s) => !chunksBefore.has(s)),
    'the failing put to store its first chunk',
  );
  broken.destroy(new Error('client went away'));
  await expect(failing).rejects.toThrow();

  // Chunks no description names (as a crash leaves them): recover() looks at the last one and purges them.
  const orphan = `$O.${STORAGE_OBJECT_BUCKET}.C.orphanchunks`;
  await jetstream(nc).publish(orphan, randomBytes(1000));
  await store.recover();
  // The live blob kept every chunk: read to its end (get() is lazy), its bytes are the ones put.
  expect(
    sha256(
      await readAll(await new JetStreamBlobStore(nc, { bucket: STORAGE_OBJECT_BUCKET }).get(big.blobId)),
    ),
  ).toBe(sha256(bytes));

  await store.delete(big.blobId);
  await expect(store.get(big.blobId)).rejects.toBeInstanceOf(BlobNotFoundError);
  expect(await listIds(store)).toEqual([empty.blobId]);
  await store.close();
  await nc.flush();
  return violations;
}

describe('JetStreamBlobStore with the storage role NATS permissions', () => {
  let dir: string;
  let nats: NatsServer;
  let admin: NatsConnection;
  let adminJsm: JetStreamManager;
  const full = storageUser();
  const without = new Map(OBJECT_STORE_PERMISSIONS.map((p) => [p, storageUserWithout(p)]));
  const open: NatsConnection[] = [];

  const connectAs = async (user: User): Promise<NatsConnection> => {
    const nc = await connect({
      servers: `127.0.0.1:${nats.port}`,
      authenticator: nkeyAuthenticator(user.seed),
      inboxPrefix: inboxPrefix('storage'),
    });
    open.push(nc);
    return nc;
  };

  /** Chunk subjects left in the bucket's stream (0 when it is gone). */
  const chunkSubjects = async (): Promise<string[]> => {
    const si = await adminJsm.streams.info(STREAM, { subjects_filter: `$O.${STORAGE_OBJECT_BUCKET}.C.>` });
    return Object.keys(si.state.subjects ?? {});
  };

  const dropBucket = async (): Promise<void> => {
    await adminJsm.streams.delete(STREAM).catch(() => undefined);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'symbolon-storage-perms-'));
    const auth = { user: 'admin', password: randomBytes(12).toString('hex') };
    nats = await startNatsServer({
      dir,
      auth,
      users: [full.entry, ...[...without.values()].map((u) => u.entry)],
    });
    admin = await connect({ servers: `127.0.0.1:${nats.port}`, user: auth.user, pass: auth.password });
    adminJsm = await jetstreamManager(admin);
  });

  afterAll(async () => {
    for (const nc of open) await nc.close();
    await admin?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should let the storage role create the bucket, put, get, list, delete and recover without a permission violation', async () => {
    await dropBucket();
    expect(await storageWork(await connectAs(full), chunkSubjects)).toEqual([]);
    // What the work left: the empty blob's description only, no chunk of the deleted, failed or orphaned puts.
    expect(await chunkSubjects()).toEqual([]);
  });

  it.each(OBJECT_STORE_PERMISSIONS)(
    'should fail the storage work when the role lacks %s',
    async (missing) => {
      await dropBucket();
      const nc = await connectAs(without.get(missing)!);
      const outcome = await storageWork(nc, chunkSubjects).then(
        (violations) => violations.join('; '),
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      // The server refused a subject of exactly the missing permission.
      const refused = /permissions violation for publish to "([^"]+)"/i.exec(outcome)?.[1];
      expect({ missing, refused: refused !== undefined && subjectMatches(missing, refused) }).toEqual({
        missing,
        refused: true,
      });
    },
  );

  it('should refuse another bucket and any consumer when connected as the storage role', async () => {
    await dropBucket();
    const nc = await connectAs(full);
    const store = new JetStreamBlobStore(nc, { bucket: STORAGE_OBJECT_BUCKET });
    await store.put(Readable.from([randomBytes(10)]));
    await expect(
      new JetStreamBlobStore(nc, { bucket: 'another-bucket' }).put(Readable.from([randomBytes(10)])),
    ).rejects.toThrow(/permissions violation/i);
    // The object store's own list() reads through an ordered consumer: the role has no consumer API.
    const os = await new Objm(nc).open(STORAGE_OBJECT_BUCKET);
    await expect(os.list()).rejects.toThrow(/permissions violation/i);
  });
});
