import { ErrorCodes, HsmActions, KmsError, Subjects } from '@symbolon/contracts';
import { type RpcClient, loadConfig } from '@symbolon/platform';
import { developmentDomain } from '@symbolon/quorum';

import {
  FAKE_DOMAIN_ID,
  FakeHsmRouter,
  RecordingRpc,
  asFake,
} from '../../../../../../libs/testing/src/fakes/index.js';
import { coordinatorEnv } from '../../../config.js';
import { CustomKeyStores } from '../../../domain/custom-key-stores.js';
import { domainsOf } from '../../../domain/domain.test-helper.js';
import { NodeHealth } from '../../../routing/node-health.js';
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

/** The fake router's domain is the default; a second one, hsm-2's, can be named. */
const OTHER = 'cks-00000000000000002';
function useCaseWith(hsm: FakeHsmRouter): GenerateRandomUseCase {
  const domains = domainsOf([
    developmentDomain(FAKE_DOMAIN_ID, [{ nodeId: 'fake-node', tokenLabel: 't' }], { id: 'o', publicKey: '' }),
    developmentDomain(OTHER, [{ nodeId: 'hsm-2', tokenLabel: 't2' }], { id: 'o', publicKey: '' }),
  ]);
  const rpc = asFake<RpcClient>(new RecordingRpc());
  const keyStores = new CustomKeyStores(
    domains,
    new NodeHealth(rpc, domains, loadConfig(coordinatorEnv, {})),
    allowAll(),
  );
  return new GenerateRandomUseCase(asFake<HsmRouter>(hsm), allowAll(), keyStores);
}

describe('GenerateRandomUseCase', () => {
  it.each([[1], [32], [1024]])('should answer %i random bytes from an hsm when asked for them', async (n) => {
    const hsm = new FakeHsmRouter();
    const r = await useCaseWith(hsm).execute({
      ...scope,
      numberOfBytes: n,
    });
    expect(Buffer.from(r.plaintext, 'base64')).toHaveLength(n);
    expect(hsm.calls).toEqual([
      {
        action: HsmActions.generateRandom,
        payload: { requestId: 'req-random', length: n },
        domainId: FAKE_DOMAIN_ID,
      },
    ]);
  });

  it('should answer different bytes when asked twice', async () => {
    const useCase = useCaseWith(new FakeHsmRouter());
    const one = await useCase.execute({ ...scope, numberOfBytes: 32 });
    const two = await useCase.execute({ ...scope, numberOfBytes: 32 });
    expect(one.plaintext).not.toBe(two.plaintext);
  });

  it('should pass the hsm error on when no hsm can answer', async () => {
    const hsm = new FakeHsmRouter();
    hsm.failNext(
      new KmsError(ErrorCodes.DEPENDENCY_TIMEOUT, 'no service answers kms.v1.hsm.hsm-1.generate-random'),
    );
    await expect(useCaseWith(hsm).execute({ ...scope, numberOfBytes: 8 })).rejects.toMatchObject({
      code: ErrorCodes.DEPENDENCY_TIMEOUT,
    });
  });

  it('should draw from a token of the named domain when CustomKeyStoreId is given', async () => {
    const hsm = new FakeHsmRouter();
    await useCaseWith(hsm).execute({ ...scope, numberOfBytes: 8, customKeyStoreId: OTHER });
    expect(hsm.calls.map((c) => c.domainId)).toEqual([OTHER]);
  });

  it('should refuse with CUSTOM_KEY_STORE_NOT_FOUND and ask no token when no domain has the id', async () => {
    const hsm = new FakeHsmRouter();
    await expect(
      useCaseWith(hsm).execute({ ...scope, numberOfBytes: 8, customKeyStoreId: 'cks-0123456789abcdef0' }),
    ).rejects.toMatchObject({ code: ErrorCodes.CUSTOM_KEY_STORE_NOT_FOUND });
    expect(hsm.calls).toEqual([]);
  });
});
