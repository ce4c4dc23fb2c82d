/**
 * Key rows shaped like the coordinator's KeyEntity / KeyVersionEntity (structurally: this library does not import
 * apps), and `seedKey`, which puts a key with real EKTs from a FakeHsmRouter straight into an InMemoryKeyStore,
 * bypassing any cache in front of it.
 */
import { HsmActions, type HsmGenerateKeyReply, type KeyState } from '@symbolon/contracts';
import { deserializeEkt } from '@symbolon/formats';
import { randomUUID } from 'node:crypto';

import { FAKE_DOMAIN_ID, type FakeHsmRouter } from './fake-hsm-router.js';
import type { InMemoryKeyStore } from './in-memory-key-store.js';

export interface KeyRow {
  id: string;
  tenantId: string;
  arn: string;
  description: string;
  keyState: KeyState;
  keyUsage: 'ENCRYPT_DECRYPT';
  keySpec: 'SYMMETRIC_DEFAULT';
  origin: 'AWS_KMS' | 'AWS_CLOUDHSM';
  domainId: string | null;
  currentVersion: number;
  createdAt: Date;
  deletionDate?: Date | null;
  pendingWindowDays?: number | null;
  rotationEnabled?: boolean;
  rotationPeriodDays?: number | null;
  nextRotationDate?: Date | null;
}

export interface KeyVersionRow {
  keyId: string;
  version: number;
  ekt: string;
  domainGeneration: number;
  createdAt: Date;
  rotationType?: 'AUTOMATIC' | 'ON_DEMAND' | null;
}

export interface SeedKeyOptions {
  region?: string;
  /** Version numbers to create, each with its own EKT; the last is current unless overridden. Default [1]. */
  versions?: number[];
  overrides?: Partial<KeyRow>;
}

export function newKeyRow(tenantId: string, region = 'us-east-1', overrides: Partial<KeyRow> = {}): KeyRow {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    tenantId,
    arn: `arn:aws:kms:${region}:${tenantId}:key/${id}`,
    description: '',
    keyState: 'Enabled',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    domainId: FAKE_DOMAIN_ID,
    currentVersion: 1,
    createdAt: new Date('2024-01-02T03:04:05.000Z'),
    ...overrides,
  };
}

/** A key of `tenantId` with EKTs made by `hsm`, stored directly; the router's call log is left as it was. */
export async function seedKey(
  store: InMemoryKeyStore<KeyRow, KeyVersionRow>,
  hsm: FakeHsmRouter,
  tenantId: string,
  opts: SeedKeyOptions = {},
): Promise<{ key: KeyRow; versions: KeyVersionRow[] }> {
  const numbers = opts.versions ?? [1];
  const key = newKeyRow(tenantId, opts.region, {
    currentVersion: numbers[numbers.length - 1] ?? 1,
    ...opts.overrides,
  });
  const logged = hsm.calls.length;
  const versions: KeyVersionRow[] = [];
  for (const version of numbers) {
    const { ekt } = await hsm.call<HsmGenerateKeyReply>(HsmActions.generateKey, { requestId: 'seed' });
    const domainGeneration = deserializeEkt(Buffer.from(ekt, 'base64')).domainGeneration;
    versions.push({ keyId: key.id, version, ekt, domainGeneration, createdAt: key.createdAt });
  }
  hsm.calls.splice(logged);
  store.put(key, versions);
  return { key, versions };
}
