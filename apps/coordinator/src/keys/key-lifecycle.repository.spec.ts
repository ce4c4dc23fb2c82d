import { openDataSource } from '@symbolon/platform';
import type { DataSource } from 'typeorm';

import { DomainStateEntity } from '../domain/domain.entity.js';
import { Initial1764374400000 } from '../migrations/1764374400000-initial.js';
import { KeyLifecycle1795916000000 } from '../migrations/1795916000000-keyLifecycle.js';
import { Custody1796100000000 } from '../migrations/1796100000000-custody.js';
import { DomainPlacement1796400000000 } from '../migrations/1796400000000-domainPlacement.js';
import { KeyCustodyRepository } from './key-custody.repository.js';
import { KeyLifecycleRepository } from './key-lifecycle.repository.js';
import { KeyEntity, KeyVersionEntity } from './key.entity.js';
import { KeyTagEntity } from './key-tag.entity.js';
import { KeyRepository } from './key.repository.js';

/** The real queries on SQLite in memory (PostgreSQL is covered by the platform integration specs). */
const A = '111111111111';
const NOW = new Date('2025-03-01T12:00:00.000Z');
const DAY = 86_400_000;

let ds: DataSource;
let repo: KeyLifecycleRepository;
let keys: KeyRepository;
let n = 0;

beforeEach(async () => {
  ds = await openDataSource(
    { type: 'sqlite', path: ':memory:', schema: 'coordinator', migrate: true },
    [KeyEntity, KeyVersionEntity, KeyTagEntity, DomainStateEntity],
    [Initial1764374400000, KeyLifecycle1795916000000, Custody1796100000000, DomainPlacement1796400000000],
  );
  // KeyRepository.find reads a key's tags: the tags table as its migration makes it.
  await ds.query('CREATE TABLE key_tags (key_id varchar, tag_key varchar, tag_value varchar)');
  repo = new KeyLifecycleRepository(ds);
  keys = new KeyRepository(ds);
});

afterEach(async () => {
  await ds.destroy();
});

async function key(overrides: Partial<KeyEntity> = {}): Promise<KeyEntity> {
  const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
  const row: KeyEntity = {
    id,
    tenantId: A,
    arn: `arn:aws:kms:eu-west-1:${A}:key/${id}`,
    description: '',
    keyState: 'Enabled',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    domainId: 'cks-00000000000000001',
    currentVersion: 1,
    createdAt: NOW,
  };
  await keys.create(row, { keyId: id, version: 1, ekt: 'AQ==', domainGeneration: 1, createdAt: NOW });
  if (Object.keys(overrides).length) await ds.getRepository(KeyEntity).update({ id }, overrides);
  return { ...row, ...overrides };
}

describe('KeyLifecycleRepository', () => {
  it('should default a new key to rotation off with no dates when created without lifecycle fields', async () => {
    const k = await key();
    expect((await keys.find(A, k.id))?.key).toMatchObject({
      rotationEnabled: false,
      deletionDate: null,
      pendingWindowDays: null,
      rotationPeriodDays: null,
      nextRotationDate: null,
    });
    expect((await keys.find(A, k.id))?.versions.get(1)?.rotationType).toBeNull();
  });

  it('should change a key only while it is in one of the expected states and of the named account', async () => {
    const k = await key();
    const patch = { keyState: 'PendingDeletion' as const, deletionDate: new Date(NOW.getTime() + 7 * DAY) };
    expect(await repo.update('222222222222', k.id, ['Enabled'], patch)).toBe(false);
    expect(await repo.update(A, k.id, ['Disabled'], patch)).toBe(false);
    expect(await repo.update(A, k.id, ['Enabled', 'Disabled'], patch)).toBe(true);
    expect((await keys.find(A, k.id))?.key).toMatchObject(patch);
  });

  it('should add a version only while the current version is the expected one', async () => {
    const k = await key();
    const v2 = {
      keyId: k.id,
      version: 2,
      ekt: 'Ag==',
      domainGeneration: 1,
      createdAt: NOW,
      rotationType: 'ON_DEMAND' as const,
    };
    expect(await repo.addVersion(v2, 1)).toBe(true);
    expect(await repo.addVersion({ ...v2, ekt: 'Aw==' }, 1)).toBe(false);
    const stored = await keys.find(A, k.id);
    expect(stored?.key.currentVersion).toBe(2);
    expect(stored?.versions.get(2)).toMatchObject({ ekt: 'Ag==', rotationType: 'ON_DEMAND' });
    expect((await repo.versionsOf(k.id)).map((v) => v.version)).toEqual([1, 2]);
  });

  it('should find keys due for deletion and for rotation by date and state only', async () => {
    const due = await key({ keyState: 'PendingDeletion', deletionDate: new Date(NOW.getTime() - 1) });
    await key({ keyState: 'PendingDeletion', deletionDate: new Date(NOW.getTime() + DAY) });
    await key({ keyState: 'Disabled', deletionDate: new Date(NOW.getTime() - DAY) });
    const rotate = await key({ rotationEnabled: true, rotationPeriodDays: 90, nextRotationDate: NOW });
    await key({ rotationEnabled: true, nextRotationDate: new Date(NOW.getTime() + 1) });
    await key({
      keyState: 'Disabled',
      rotationEnabled: true,
      nextRotationDate: new Date(NOW.getTime() - DAY),
    });
    await key({ rotationEnabled: false, nextRotationDate: new Date(NOW.getTime() - DAY) });
    expect((await repo.dueForDeletion(NOW, 10)).map((k) => k.id)).toEqual([due.id]);
    expect((await repo.dueForRotation(NOW, 10)).map((k) => k.id)).toEqual([rotate.id]);
  });

  it('should delete a due key with its versions and the dependent rows of aliases and tags when those tables exist', async () => {
    await ds.query('CREATE TABLE aliases (name varchar PRIMARY KEY, target_key_id varchar)');
    const k = await key({ keyState: 'PendingDeletion', deletionDate: NOW });
    const kept = await key();
    await ds.query(`INSERT INTO aliases VALUES ('alias/a', '${k.id}'), ('alias/b', '${kept.id}')`);
    await ds.query(`INSERT INTO key_tags VALUES ('${k.id}', 'team', 'a'), ('${kept.id}', 'team', 'b')`);
    expect(await repo.deleteDue(k.id, NOW)).toBe(true);
    expect(await keys.find(A, k.id)).toBeUndefined();
    expect(await repo.versionsOf(k.id)).toEqual([]);
    expect(await ds.query('SELECT target_key_id FROM aliases')).toEqual([{ target_key_id: kept.id }]);
    expect(await ds.query('SELECT key_id FROM key_tags')).toEqual([{ key_id: kept.id }]);
  });

  it('should delete a due key when the aliases and tags tables do not exist', async () => {
    await ds.query('DROP TABLE key_tags');
    const k = await key({ keyState: 'PendingDeletion', deletionDate: NOW });
    expect(await repo.deleteDue(k.id, NOW)).toBe(true);
    expect(await keys.find(A, k.id)).toBeUndefined();
  });

  it('should keep a key and its versions when it is not pending deletion or not yet due', async () => {
    const cancelled = await key({ keyState: 'Disabled', deletionDate: null });
    const early = await key({ keyState: 'PendingDeletion', deletionDate: new Date(NOW.getTime() + 1) });
    expect(await repo.deleteDue(cancelled.id, NOW)).toBe(false);
    expect(await repo.deleteDue(early.id, NOW)).toBe(false);
    expect((await repo.versionsOf(cancelled.id)).length).toBe(1);
    expect((await repo.versionsOf(early.id)).length).toBe(1);
  });
});

describe('KeyCustodyRepository', () => {
  const custody = () => new KeyCustodyRepository(ds);

  it('should suspend only from the expected states and current version, replacing every EKT by its check value', async () => {
    const k = await key();
    const checks = new Map([[1, 'Y2hlY2s=']]);
    expect(await custody().suspend(k.id, ['Enabled'], 2, checks)).toBe(false);
    expect(await custody().suspend(k.id, ['Disabled'], 1, checks)).toBe(false);
    expect(await custody().suspend(k.id, ['Enabled', 'Disabled'], 1, checks)).toBe(true);
    const stored = await keys.find(A, k.id);
    expect(stored?.key.keyState).toBe('Suspended');
    expect(stored?.versions.get(1)).toMatchObject({ ekt: '', suspendCheck: 'Y2hlY2s=' });
    expect(await custody().suspend(k.id, ['Enabled', 'Disabled'], 1, checks)).toBe(false);
  });

  it('should reinstate only a suspended key, with new EKTs and no check values left', async () => {
    const k = await key();
    const ekts = new Map([[1, { ekt: 'Ag==', domainGeneration: 2 }]]);
    expect(await custody().reinstate(k.id, ekts)).toBe(false);
    await custody().suspend(k.id, ['Enabled'], 1, new Map([[1, 'Y2hlY2s=']]));
    expect(await custody().reinstate(k.id, ekts)).toBe(true);
    const stored = await keys.find(A, k.id);
    expect(stored?.key.keyState).toBe('Enabled');
    expect(stored?.versions.get(1)).toMatchObject({ ekt: 'Ag==', domainGeneration: 2, suspendCheck: null });
  });

  it('should mark a key shredded once, then keep the receipt and drop its versions and aliases', async () => {
    const k = await key({ keyState: 'PendingDeletion', deletionDate: new Date(NOW.getTime() + DAY) });
    await ds.query('CREATE TABLE aliases (alias_name varchar, target_key_id varchar)');
    await ds.query('INSERT INTO aliases VALUES (?, ?)', ['alias/x', k.id]);
    expect(await custody().markShredded(k.id, ['Enabled'])).toBe(false);
    expect(await custody().markShredded(k.id, ['Enabled', 'PendingDeletion'])).toBe(true);
    expect(await custody().shredReceipt(k.id)).toBeUndefined();
    const stored = await keys.find(A, k.id);
    expect(stored?.key).toMatchObject({ keyState: 'Shredded', deletionDate: null });
    await custody().completeShred(
      k.id,
      JSON.stringify({ document: { type: 't' }, signature: 's', publicKey: 'p' }),
    );
    expect(await custody().shredReceipt(k.id)).toEqual({
      receipt: { document: { type: 't' }, signature: 's', publicKey: 'p' },
    });
    expect((await keys.find(A, k.id))?.versions.size).toBe(0);
    expect(await ds.query('SELECT * FROM aliases')).toEqual([]);
  });
});
