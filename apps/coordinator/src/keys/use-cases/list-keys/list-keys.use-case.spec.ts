import { ErrorCodes, type ListKeysReply } from '@symbolon/contracts';

import { asFake, newKeyFakes } from '../../../../../../libs/testing/src/fakes/index.js';
import type { RpcClient } from '@symbolon/platform';

import { PolicyClient } from '../../../policy/policy.client.js';
import type { KeyRepository } from '../../key.repository.js';
import { ListKeysUseCase } from './list-keys.use-case.js';

const A = '111111111111';
const B = '222222222222';
const scope = (tenantId: string) => ({
  requestId: 'req-list',
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});

async function setup(keysOfA = 5, keysOfB = 3) {
  const fakes = newKeyFakes();
  const a = [];
  for (let i = 0; i < keysOfA; i++) a.push((await fakes.seed(A)).key);
  for (let i = 0; i < keysOfB; i++) await fakes.seed(B);
  a.sort((x, y) => (x.id < y.id ? -1 : 1));
  return {
    ...fakes,
    keysOfA: a.map((k) => ({ keyId: k.id, arn: k.arn })),
    useCase: new ListKeysUseCase(
      asFake<KeyRepository>(fakes.store),
      new PolicyClient(asFake<RpcClient>(fakes.rpc)),
    ),
  };
}

const marker = (text: string) => Buffer.from(text).toString('base64url');

describe('ListKeysUseCase', () => {
  it('should list only the caller own keys in key id order when they fit one page', async () => {
    const t = await setup();
    expect(await t.useCase.execute({ ...scope(A), limit: 100 })).toEqual({ keys: t.keysOfA });
  });

  it('should walk every key exactly once when following nextMarker page by page', async () => {
    const t = await setup(5);
    const pages: ListKeysReply[] = [];
    let next: string | undefined;
    do {
      const page = await t.useCase.execute({
        ...scope(A),
        limit: 2,
        ...(next !== undefined ? { marker: next } : {}),
      });
      pages.push(page);
      next = page.nextMarker;
    } while (next !== undefined && pages.length < 10);
    expect(pages.map((p) => p.keys.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.keys)).toEqual(t.keysOfA);
    expect(pages[2]).not.toHaveProperty('nextMarker');
  });

  it('should give no nextMarker when the keys fill the page exactly', async () => {
    const t = await setup(3);
    const page = await t.useCase.execute({ ...scope(A), limit: 3 });
    expect(page.keys).toHaveLength(3);
    expect(page).not.toHaveProperty('nextMarker');
  });

  it('should answer an empty list when the tenant has no keys', async () => {
    const t = await setup(2, 0);
    expect(await t.useCase.execute({ ...scope('333333333333'), limit: 10 })).toEqual({ keys: [] });
  });

  it('should list only its own keys when tenant B replays a marker of tenant A', async () => {
    const t = await setup(5, 3);
    const first = await t.useCase.execute({ ...scope(A), limit: 1 });
    const page = await t.useCase.execute({ ...scope(B), limit: 100, marker: first.nextMarker! });
    const ids = new Set(t.keysOfA.map((k) => k.keyId));
    expect(page.keys.some((k) => ids.has(k.keyId))).toBe(false);
    for (const k of page.keys) expect(k.arn).toContain(`:${B}:key/`);
  });

  it.each([
    ['not base64url text', '!!!'],
    ['another marker version', marker(`v2:${'0'.repeat(36)}`)],
    ['a version prefix only', marker('v1:')],
    ['empty text', ''],
    ['no prefix', marker('6f1c2a48-8f0e-4f59-9d4c-0e8b5a0d6a11')],
  ])('should answer INVALID_MARKER when the marker is %s', async (_, bad) => {
    const t = await setup(1, 0);
    await expect(t.useCase.execute({ ...scope(A), limit: 10, marker: bad })).rejects.toMatchObject({
      code: ErrorCodes.INVALID_MARKER,
      message: 'The marker is not valid.',
    });
  });
});
