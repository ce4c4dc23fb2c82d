import { ErrorCodes, HsmActions, KmsError } from '@symbolon/contracts';
import { deserializeEkt } from '@symbolon/formats';

import { developmentDomain } from '@symbolon/quorum';

import { FAKE_DOMAIN_ID } from '../../../../../../libs/testing/src/fakes/index.js';
import { CustomKeyStores } from '../../../domain/custom-key-stores.js';
import { domainsOf } from '../../../domain/domain.test-helper.js';
import { NodeHealth } from '../../../routing/node-health.js';
import { keyHarness } from '../../key-harness.test-helper.js';
import { CreateKeyUseCase } from './create-key.use-case.js';

const REGION = 'eu-west-1';
const A = '111111111111';
const B = '222222222222';
const scope = (tenantId: string) => ({
  requestId: 'req-create',
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});

/** Two domains: the fake router's (the default) and one in the EU, whose one token is hsm-eu. */
const EU = 'cks-00000000000000e01';
function setup(domainGeneration = 1) {
  const h = keyHarness({ region: REGION, domainGeneration });
  const operator = { id: 'operator-1', publicKey: '' };
  const domains = domainsOf([
    developmentDomain(FAKE_DOMAIN_ID, [{ nodeId: 'fake-node', tokenLabel: 't' }], operator),
    developmentDomain(EU, [{ nodeId: 'hsm-eu', tokenLabel: 'eu' }], operator),
  ]);
  const health = new NodeHealth(h.rpcClient, domains, h.config);
  const keyStores = new CustomKeyStores(domains, health, h.policy);
  return {
    ...h,
    health,
    useCase: new CreateKeyUseCase(h.router, h.repo, h.resolver, h.config, h.policy, h.rpcClient, keyStores),
  };
}

describe('CreateKeyUseCase', () => {
  it('should ask an hsm for key material with only the request id when a key is created', async () => {
    const t = setup();
    await t.useCase.execute({ ...scope(A), description: 'd' });
    expect(t.hsm.calls).toEqual([
      { action: HsmActions.generateKey, payload: { requestId: 'req-create' }, domainId: FAKE_DOMAIN_ID },
    ]);
  });

  it('should store an Enabled key of the caller with version 1 holding the EKT when created', async () => {
    const t = setup(7);
    const { key } = await t.useCase.execute({ ...scope(A), description: 'orders' });
    const stored = await t.store.find(A, key.keyId);
    expect(stored?.key).toMatchObject({
      id: key.keyId,
      tenantId: A,
      arn: `arn:aws:kms:${REGION}:${A}:key/${key.keyId}`,
      description: 'orders',
      keyState: 'Enabled',
      keyUsage: 'ENCRYPT_DECRYPT',
      keySpec: 'SYMMETRIC_DEFAULT',
      origin: 'AWS_KMS',
      currentVersion: 1,
    });
    const version = stored?.versions.get(1);
    expect(version).toMatchObject({ keyId: key.keyId, version: 1, domainGeneration: 7 });
    expect(deserializeEkt(Buffer.from(version!.ekt, 'base64')).domainGeneration).toBe(7);
    expect([...stored!.versions.keys()]).toEqual([1]);
  });

  it('should answer the key metadata with an ISO creation date when created', async () => {
    const t = setup();
    const before = Date.now();
    const { key } = await t.useCase.execute(scope(A));
    expect(key).toEqual({
      keyId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      arn: `arn:aws:kms:${REGION}:${A}:key/${key.keyId}`,
      accountId: A,
      description: '',
      keyState: 'Enabled',
      keyUsage: 'ENCRYPT_DECRYPT',
      keySpec: 'SYMMETRIC_DEFAULT',
      origin: 'AWS_KMS',
      creationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      currentVersion: 1,
    });
    expect(Date.parse(key.creationDate)).toBeGreaterThanOrEqual(before);
  });

  it('should give each key its own id and EKT when several are created', async () => {
    const t = setup();
    const one = await t.useCase.execute(scope(A));
    const two = await t.useCase.execute(scope(A));
    expect(one.key.keyId).not.toBe(two.key.keyId);
    const ekt = async (id: string) => (await t.store.find(A, id))?.versions.get(1)?.ekt;
    expect(await ekt(one.key.keyId)).not.toBe(await ekt(two.key.keyId));
  });

  it('should make the new key usable at once without reading the repository when just created', async () => {
    const t = setup();
    const { key } = await t.useCase.execute(scope(A));
    expect((await t.resolver.find(A, key.keyId)).stored?.key.id).toBe(key.keyId);
    expect(t.store.finds).toBe(0);
  });

  it('should keep the new key invisible to another tenant when created', async () => {
    const t = setup();
    const { key } = await t.useCase.execute(scope(A));
    await expect(t.resolver.find(B, key.keyId)).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
  });

  it('should store nothing and pass the error on when the hsm fails', async () => {
    const t = setup();
    t.hsm.failNext(new KmsError(ErrorCodes.HSM_UNAVAILABLE, 'token error: DEVICE_ERROR'));
    await expect(t.useCase.execute(scope(A))).rejects.toMatchObject({ code: ErrorCodes.HSM_UNAVAILABLE });
    expect(t.store.size).toBe(0);
  });

  describe('placement', () => {
    it('should generate the material in the named domain and answer AWS_CLOUDHSM with its id when CustomKeyStoreId is given', async () => {
      const t = setup();
      const { key } = await t.useCase.execute({ ...scope(A), customKeyStoreId: EU });
      expect(key).toMatchObject({ origin: 'AWS_CLOUDHSM', customKeyStoreId: EU });
      expect((await t.store.find(A, key.keyId))?.key.domainId).toBe(EU);
      expect(t.hsm.calls.map((c) => c.domainId)).toEqual([EU]);
    });

    it('should place the key in the default domain and name no key store when CustomKeyStoreId is absent', async () => {
      const t = setup();
      const { key } = await t.useCase.execute(scope(A));
      expect(key.origin).toBe('AWS_KMS');
      expect(key).not.toHaveProperty('customKeyStoreId');
      expect((await t.store.find(A, key.keyId))?.key.domainId).toBe(FAKE_DOMAIN_ID);
      expect(t.hsm.calls.map((c) => c.domainId)).toEqual([FAKE_DOMAIN_ID]);
    });

    it('should refuse with CUSTOM_KEY_STORE_NOT_FOUND and store nothing when no domain has the id', async () => {
      const t = setup();
      await expect(
        t.useCase.execute({ ...scope(A), customKeyStoreId: 'cks-0123456789abcdef0' }),
      ).rejects.toMatchObject({
        code: ErrorCodes.CUSTOM_KEY_STORE_NOT_FOUND,
      });
      expect([t.store.size, t.hsm.calls.length]).toEqual([0, 0]);
    });

    it('should refuse with CUSTOM_KEY_STORE_INVALID_STATE and store nothing when every token of the domain is held back', async () => {
      const t = setup();
      t.health.holdBack('hsm-eu', 'down');
      await expect(t.useCase.execute({ ...scope(A), customKeyStoreId: EU })).rejects.toMatchObject({
        code: ErrorCodes.CUSTOM_KEY_STORE_INVALID_STATE,
      });
      expect([t.store.size, t.hsm.calls.length]).toEqual([0, 0]);
    });
  });
});
