import { ErrorCodes, HsmActions, KmsError, Subjects } from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { FakeHsmRouter, RecordingRpc, asFake } from '../../../../../../libs/testing/src/fakes/index.js';
import { PolicyClient } from '../../../policy/policy.client.js';
import type { HsmRouter } from '../../../routing/hsm-router.js';
import { GenerateRandomUseCase } from './generate-random.use-case.js';

/** A policy client whose policy service allows everything. */
const allowAll = () =>
  new PolicyClient(
    asFake<RpcClient>(
      new RecordingRpc().on(Subjects.policy.evaluate, () => ({ effect: 'ALLOW', reason: 'test' })),
    ),
  );

const scope = {
  requestId: 'req-random',
  tenantId: '111111111111',
  principal: 'arn:aws:iam::111111111111:user/admin',
};

describe('GenerateRandomUseCase', () => {
  it.each([[1], [32], [1024]])('should answer %i random bytes from an hsm when asked for them', async (n) => {
    const hsm = new FakeHsmRouter();
    const r = await new GenerateRandomUseCase(asFake<HsmRouter>(hsm), allowAll()).execute({
      ...scope,
      numberOfBytes: n,
    });
    expect(Buffer.from(r.plaintext, 'base64')).toHaveLength(n);
    expect(hsm.calls).toEqual([
      { action: HsmActions.generateRandom, payload: { requestId: 'req-random', length: n } },
    ]);
  });

  it('should answer different bytes when asked twice', async () => {
    const useCase = new GenerateRandomUseCase(asFake<HsmRouter>(new FakeHsmRouter()), allowAll());
    const one = await useCase.execute({ ...scope, numberOfBytes: 32 });
    const two = await useCase.execute({ ...scope, numberOfBytes: 32 });
    expect(one.plaintext).not.toBe(two.plaintext);
  });

  it('should pass the hsm error on when no hsm can answer', async () => {
    const hsm = new FakeHsmRouter();
    hsm.failNext(
      new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, 'no service answers kms.v1.hsm.hsm-1.generate-random'),
    );
    await expect(
      new GenerateRandomUseCase(asFake<HsmRouter>(hsm), allowAll()).execute({ ...scope, numberOfBytes: 8 }),
    ).rejects.toMatchObject({
      code: ErrorCodes.DEPENDENCY_TIMEOUT,
    });
  });
});
