import { HsmActions, fromBase64, toBase64 } from '@symbolon/contracts';
import { deserializeEkt, serializeEkt } from '@symbolon/formats';
import { openDataSource } from '@symbolon/platform';
import { startTestDatabase } from '@symbolon/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';

import { developmentDomain } from '@symbolon/quorum';

import { domainsOf } from '../../src/domain/domain.test-helper.js';
import type { KeyResolver as KeyResolverType } from '../../src/keys/key-resolver.js';
import type { HsmRouter as HsmRouterType } from '../../src/routing/hsm-router.js';

/**
 * Rewrap's writes on the real database (SQLite, or PostgreSQL when SYMBOLON_TEST_DB=postgres): every key version under
 * an older generation gets the EKT the token gave back, in batches, and a row changed meanwhile (the key rotated, was
 * shredded or suspended) keeps its new value. The token is played by a stand-in that re-labels each EKT with the new
 * generation (the token path itself is in libs/pkcs11 and e2e/crypto-shredding).
 */
const onPostgres = process.env['SYMBOLON_TEST_DB'] === 'postgres';
const previousDbType = process.env['SYMBOLON_DB_TYPE'];
process.env['SYMBOLON_DB_TYPE'] = onPostgres ? 'postgres' : 'sqlite';
const { coordinatorEntities, coordinatorMigrations } = await import('../../src/app.module.js');
const { KeyEntity, KeyVersionEntity } = await import('../../src/keys/key.entity.js');
const { Rewrap, REWRAP_BATCH } = await import('../../src/jobs/rewrap.js');

/** Rewrap calls one method of each collaborator: a partial stand-in is enough (and is all it may call). */
const stand = <T>(o: object): T => o as unknown as T;

const ACCOUNT = '111122223333';
const ACTIVE = 2;
/** The domain that rotated, and one that did not (its keys keep generation 1). */
const ROTATING = 'cks-0000000000000000a';
const STILL = 'cks-0000000000000000b';
const OTHER_DOMAIN_KEYS = 10;
const ekt = (generation: number, n: number) =>
  toBase64(serializeEkt({ domainGeneration: generation, wrapped: Buffer.alloc(40, n % 251) }));

describe(`Rewrap on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'symbolon-rewrap-'));
  let ds: DataSource;
  let stop: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    const db = await startTestDatabase('rewrap');
    stop = db.stop;
    ds = await openDataSource(
      {
        type: onPostgres ? 'postgres' : 'sqlite',
        path: join(dir, 'coordinator.sqlite'),
        url: db.postgresUrl,
        schema: 'coordinator',
        migrate: true,
      },
      coordinatorEntities,
      coordinatorMigrations,
    );
  }, 120_000);

  afterAll(async () => {
    await ds?.destroy();
    await stop();
    rmSync(dir, { recursive: true, force: true });
    if (previousDbType === undefined) delete process.env['SYMBOLON_DB_TYPE'];
    else process.env['SYMBOLON_DB_TYPE'] = previousDbType;
  }, 60_000);

  it('should move every older EKT to the active generation in batches and keep rows changed meanwhile', async () => {
    const n = REWRAP_BATCH * 2 + REWRAP_BATCH / 2;
    const now = new Date();
    const keys = Array.from({ length: n }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      tenantId: ACCOUNT,
      arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${i}`,
      description: '',
      keyState: 'Enabled' as const,
      keyUsage: 'ENCRYPT_DECRYPT' as const,
      keySpec: 'SYMMETRIC_DEFAULT' as const,
      origin: 'AWS_KMS' as const,
      // The last ten live in another domain, which is not rotating: their EKTs stay as they are.
      domainId: i < n - OTHER_DOMAIN_KEYS ? ROTATING : STILL,
      currentVersion: 1,
      createdAt: now,
    }));
    for (let i = 0; i < n; i += 200) await ds.getRepository(KeyEntity).insert(keys.slice(i, i + 200));
    const versions = keys.map((k, i) => ({
      keyId: k.id,
      version: 1,
      ekt: ekt(1, i),
      domainGeneration: 1,
      createdAt: now,
    }));
    // A suspended key's version has no EKT: nothing to re-wrap.
    versions[7] = { ...versions[7]!, ekt: '' };
    for (let i = 0; i < n; i += 500)
      await ds.getRepository(KeyVersionEntity).insert(versions.slice(i, i + 500));

    const calls: number[] = [];
    const forgotten = new Set<string>();
    const routed: string[] = [];
    const call = async (action: string, payload: { ekts: string[] }) => {
      expect(action).toBe(HsmActions.rewrap);
      calls.push(payload.ekts.length);
      if (calls.length === 1) {
        // Meanwhile another request changes the first row of the batch (e.g. it is shredded and re-keyed).
        await ds
          .getRepository(KeyVersionEntity)
          .update({ keyId: keys[0]!.id, version: 1 }, { ekt: ekt(1, 9999) });
      }
      return {
        ekts: payload.ekts.map((e) => {
          const { wrapped } = deserializeEkt(fromBase64(e));
          return toBase64(serializeEkt({ domainGeneration: ACTIVE, wrapped }));
        }),
        domainGeneration: ACTIVE,
      };
    };
    const hsm = stand<HsmRouterType>({
      in: (domainId: string) => {
        routed.push(domainId);
        return { call };
      },
    });
    const operator = { id: 'operator-1', publicKey: '' };
    const rotated = {
      ...developmentDomain(ROTATING, [{ nodeId: 'hsm-1', tokenLabel: 't' }], operator),
      generation: ACTIVE,
      generations: [
        { generation: 1, state: 'retiring' as const },
        { generation: ACTIVE, state: 'active' as const },
      ],
    };
    const still = developmentDomain(STILL, [{ nodeId: 'hsm-2', tokenLabel: 't' }], operator);
    const rewrap = new Rewrap(
      ds,
      domainsOf([rotated, still]),
      hsm,
      stand<KeyResolverType>({
        forgetKeys: (ids: ReadonlySet<string>) => ids.forEach((id) => forgotten.add(id)),
      }),
    );

    const moving = n - 1 - OTHER_DOMAIN_KEYS;
    expect(await rewrap.remaining()).toBe(moving);
    expect(await rewrap.under(STILL, 1)).toBe(OTHER_DOMAIN_KEYS);
    // Without a retiring generation there is nothing to move: the table is not read.
    const idle = new Rewrap(stand<DataSource>({}), domainsOf([still]), hsm, stand<KeyResolverType>({}));
    expect([await idle.remaining(), await idle.run()]).toEqual([0, 0]);
    const moved = await rewrap.run();
    // The changed row was skipped in its batch and moved by a second pass.
    expect(moved).toBe(moving);
    expect(calls).toEqual([REWRAP_BATCH, REWRAP_BATCH, moving - 2 * REWRAP_BATCH, 1]);
    expect(new Set(routed)).toEqual(new Set([ROTATING]));
    expect(await rewrap.remaining()).toBe(0);
    const rows = await ds.getRepository(KeyVersionEntity).find();
    const other = new Set(keys.slice(n - OTHER_DOMAIN_KEYS).map((k) => k.id));
    expect(
      rows.filter((r) => r.ekt !== '' && !other.has(r.keyId)).every((r) => r.domainGeneration === ACTIVE),
    ).toBe(true);
    expect(rows.filter((r) => other.has(r.keyId)).map((r) => r.domainGeneration)).toEqual(
      Array(OTHER_DOMAIN_KEYS).fill(1),
    );
    expect(rows.find((r) => r.keyId === keys[0]!.id)!.ekt).toBe(
      toBase64(serializeEkt({ domainGeneration: ACTIVE, wrapped: Buffer.alloc(40, 9999 % 251) })),
    );
    expect(rows.find((r) => r.keyId === keys[7]!.id)).toMatchObject({ ekt: '', domainGeneration: 1 });
    expect(forgotten.size).toBe(moving);
  }, 120_000);
});
