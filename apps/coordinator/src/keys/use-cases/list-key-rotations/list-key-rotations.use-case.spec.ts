import { ErrorCodes, type KeyRotationEntryDto, type ListKeyRotationsReply } from '@symbolon/contracts';

import { keyMaterialId } from '../../key-material-id.js';
import { lifecycleHarness, rejection, scope } from '../../lifecycle-harness.test-helper.js';
import { RotateKeyOnDemandUseCase } from '../rotate-key-on-demand/rotate-key-on-demand.use-case.js';
import { ListKeyRotationsUseCase } from './list-key-rotations.use-case.js';

const A = '111111111111';
const B = '222222222222';

async function setup(rotations = 2) {
  const h = lifecycleHarness();
  const { key, versions } = await h.seed(A);
  const rotate = new RotateKeyOnDemandUseCase(h.resolver, h.repo, h.rotator, h.clock);
  for (let i = 0; i < rotations; i++) {
    h.clock.advanceDays(1);
    await rotate.execute({ ...scope(A), keyId: key.id });
  }
  return { ...h, key, versions, useCase: new ListKeyRotationsUseCase(h.resolver, h.lifecycle) };
}

const request = (keyId: string, more: Partial<{ limit: number; marker: string; all: boolean }> = {}) => ({
  ...scope(A),
  keyId,
  limit: more.limit ?? 100,
  includeKeyMaterial: more.all ? ('ALL_KEY_MATERIAL' as const) : ('ROTATIONS_ONLY' as const),
  ...(more.marker !== undefined ? { marker: more.marker } : {}),
});

describe('ListKeyRotationsUseCase', () => {
  it('should list each rotation with its date, type and key material when ROTATIONS_ONLY', async () => {
    const t = await setup(2);
    const entry = (version: number, day: string, state: string): KeyRotationEntryDto => ({
      keyId: t.key.id,
      keyMaterialId: keyMaterialId(t.key.id, version),
      keyMaterialState: state as KeyRotationEntryDto['keyMaterialState'],
      rotationDate: day,
      rotationType: 'ON_DEMAND',
    });
    expect(await t.useCase.execute(request(t.key.id))).toEqual({
      keyArn: t.key.arn,
      rotations: [
        entry(2, '2025-03-02T12:00:00.000Z', 'NON_CURRENT'),
        entry(3, '2025-03-03T12:00:00.000Z', 'CURRENT'),
      ],
    });
  });

  it('should add the first key material without a rotation date when ALL_KEY_MATERIAL', async () => {
    const t = await setup(1);
    const r = await t.useCase.execute(request(t.key.arn, { all: true }));
    expect(r.rotations[0]).toEqual({
      keyId: t.key.id,
      keyMaterialId: keyMaterialId(t.key.id, 1),
      keyMaterialState: 'NON_CURRENT',
    });
    expect(r.rotations.map((e) => e.keyMaterialState)).toEqual(['NON_CURRENT', 'CURRENT']);
  });

  it('should answer an empty list when the key was never rotated', async () => {
    const t = await setup(0);
    expect(await t.useCase.execute(request(t.key.id))).toEqual({ keyArn: t.key.arn, rotations: [] });
  });

  it('should walk every rotation exactly once when following nextMarker with limit 1', async () => {
    const t = await setup(3);
    const pages: ListKeyRotationsReply[] = [];
    let marker: string | undefined;
    do {
      const page = await t.useCase.execute(request(t.key.id, { limit: 1, ...(marker ? { marker } : {}) }));
      pages.push(page);
      marker = page.nextMarker;
    } while (marker !== undefined && pages.length < 10);
    expect(pages.map((p) => p.rotations.map((e) => e.keyMaterialId))).toEqual(
      [2, 3, 4].map((v) => [keyMaterialId(t.key.id, v)]),
    );
    expect(pages[2]).not.toHaveProperty('nextMarker');
  });

  it.each([
    ['not base64url text', '!!!'],
    [
      'the marker of another list',
      Buffer.from('v1:6f1c2a48-8f0e-4f59-9d4c-0e8b5a0d6a11').toString('base64url'),
    ],
    ['a version of zero', Buffer.from('r1:0').toString('base64url')],
    ['empty', ''],
  ])('should answer INVALID_MARKER when the marker is %s', async (_, marker) => {
    const t = await setup(1);
    expect(await rejection(t.useCase.execute(request(t.key.id, { marker })))).toMatchObject({
      code: ErrorCodes.INVALID_MARKER,
      message: 'The marker is not valid.',
    });
  });

  it.each(['Disabled', 'PendingDeletion'] as const)(
    'should list the rotations when the key is %s',
    async (keyState) => {
      const t = await setup(1);
      t.store.update(t.key.id, { keyState });
      t.resolver.forget(A, t.key.id);
      expect((await t.useCase.execute(request(t.key.id))).rotations).toHaveLength(1);
    },
  );

  it('should answer ACCESS_DENIED without asking policy when tenant B names the key of A by ARN', async () => {
    const t = await setup(1);
    t.rpc.calls.length = 0;
    expect((await rejection(t.useCase.execute({ ...request(t.key.arn), ...scope(B) }))).code).toBe(
      ErrorCodes.ACCESS_DENIED,
    );
    expect(t.policyRequests()).toEqual([]);
  });
});
