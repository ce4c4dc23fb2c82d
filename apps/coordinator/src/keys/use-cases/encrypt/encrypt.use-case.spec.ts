import { ErrorCodes, HsmActions } from '@symbolon/contracts';
import { ciphertextBlobAad, ciphertextBlobHeader, deserializeCiphertextBlob } from '@symbolon/formats';

import { FAKE_DOMAIN_ID } from '../../../../../../libs/testing/src/fakes/index.js';
import { keyHarness } from '../../key-harness.test-helper.js';
import { DecryptUseCase } from '../decrypt/decrypt.use-case.js';
import { EncryptUseCase } from './encrypt.use-case.js';

const REGION = 'eu-west-1';
const A = '111111111111';
const B = '222222222222';
const scope = (tenantId: string) => ({
  requestId: 'req-encrypt',
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});
const PLAINTEXT = Buffer.from('attack at dawn').toString('base64');

function setup() {
  const h = keyHarness({ region: REGION });
  return {
    ...h,
    useCase: new EncryptUseCase(h.resolver, h.router),
    decrypt: new DecryptUseCase(h.resolver, h.router),
  };
}

describe('EncryptUseCase', () => {
  it('should answer a blob naming the key and its current version when encrypting', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    const r = await t.useCase.execute({
      ...scope(A),
      keyId: key.id,
      plaintext: PLAINTEXT,
      encryptionContext: {},
    });
    expect(r).toMatchObject({
      keyArn: key.arn,
      keyVersion: 1,
      decision: { effect: 'ALLOW', reason: 'test: allowed' },
    });
    const blob = deserializeCiphertextBlob(Buffer.from(r.ciphertextBlob, 'base64'));
    expect(blob).toMatchObject({ version: 1, keyId: key.id, keyVersion: 1 });
    expect(blob.sealed).toHaveLength(Buffer.from(PLAINTEXT, 'base64').length + 16);
  });

  it('should send the version EKT and header plus context as AAD to the hsm when encrypting', async () => {
    const t = setup();
    const { key, versions } = await t.seed(A);
    await t.useCase.execute({
      ...scope(A),
      keyId: key.arn,
      plaintext: PLAINTEXT,
      encryptionContext: { b: '2', a: '1' },
    });
    const aad = ciphertextBlobAad(ciphertextBlobHeader(key.id, 1), { a: '1', b: '2' });
    expect(t.hsm.calls).toEqual([
      {
        action: HsmActions.encrypt,
        domainId: FAKE_DOMAIN_ID,
        payload: {
          requestId: 'req-encrypt',
          ekt: versions[0]!.ekt,
          plaintext: PLAINTEXT,
          aad: Buffer.from(aad).toString('base64'),
        },
      },
    ]);
  });

  it('should ask policy for kms:Encrypt with the context when encrypting', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await t.useCase.execute({
      ...scope(A),
      keyId: key.id,
      plaintext: PLAINTEXT,
      encryptionContext: { purpose: 'x' },
    });
    expect(t.policyRequests()).toEqual([
      {
        ...scope(A),
        action: 'kms:Encrypt',
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        keyArn: key.arn,
        keyAccountId: A,
        encryptionContext: { purpose: 'x' },
      },
    ]);
  });

  it('should use the current version when the key has several', async () => {
    const t = setup();
    const { key, versions } = await t.seed(A, { versions: [1, 2, 3], overrides: { currentVersion: 2 } });
    const r = await t.useCase.execute({
      ...scope(A),
      keyId: key.id,
      plaintext: PLAINTEXT,
      encryptionContext: {},
    });
    expect(r.keyVersion).toBe(2);
    expect(deserializeCiphertextBlob(Buffer.from(r.ciphertextBlob, 'base64')).keyVersion).toBe(2);
    expect(t.hsm.calls[0]?.payload['ekt']).toBe(versions[1]!.ekt);
  });

  it('should round-trip through DecryptUseCase when the context is the same', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    const ctx = { tenant: A, purpose: 'round trip' };
    const { ciphertextBlob } = await t.useCase.execute({
      ...scope(A),
      keyId: key.id,
      plaintext: PLAINTEXT,
      encryptionContext: ctx,
    });
    const r = await t.decrypt.execute({
      ...scope(A),
      ciphertextBlob,
      encryptionContext: { purpose: 'round trip', tenant: A },
    });
    expect(r).toMatchObject({ plaintext: PLAINTEXT, keyArn: key.arn, keyVersion: 1 });
  });

  it('should give a different blob each time when the same plaintext is encrypted twice', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    const req = { ...scope(A), keyId: key.id, plaintext: PLAINTEXT, encryptionContext: {} };
    expect((await t.useCase.execute(req)).ciphertextBlob).not.toBe(
      (await t.useCase.execute(req)).ciphertextBlob,
    );
  });

  it('should answer DISABLED without calling the hsm when the key is Disabled', async () => {
    const t = setup();
    const { key } = await t.seed(A, { overrides: { keyState: 'Disabled' } });
    await expect(
      t.useCase.execute({ ...scope(A), keyId: key.id, plaintext: PLAINTEXT, encryptionContext: {} }),
    ).rejects.toMatchObject({
      code: ErrorCodes.DISABLED,
    });
    expect(t.hsm.calls).toEqual([]);
  });

  it('should answer INVALID_STATE without calling the hsm when the key is PendingDeletion', async () => {
    const t = setup();
    const { key } = await t.seed(A, { overrides: { keyState: 'PendingDeletion' } });
    await expect(
      t.useCase.execute({ ...scope(A), keyId: key.id, plaintext: PLAINTEXT, encryptionContext: {} }),
    ).rejects.toMatchObject({
      code: ErrorCodes.INVALID_STATE,
    });
    expect(t.hsm.calls).toEqual([]);
  });

  it('should answer NOT_FOUND when tenant B names a key of A by id', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await expect(
      t.useCase.execute({ ...scope(B), keyId: key.id, plaintext: PLAINTEXT, encryptionContext: {} }),
    ).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
    });
    expect(t.hsm.calls).toEqual([]);
  });

  it('should answer ACCESS_DENIED with effect and reason without calling the hsm when policy denies', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    t.decide({ effect: 'DENY', reason: 'explicit deny: kms:Encrypt' });
    await expect(
      t.useCase.execute({ ...scope(B), keyId: key.arn, plaintext: PLAINTEXT, encryptionContext: {} }),
    ).rejects.toMatchObject({
      code: ErrorCodes.ACCESS_DENIED,
      details: { effect: 'DENY', reason: 'explicit deny: kms:Encrypt' },
    });
    expect(t.hsm.calls).toEqual([]);
  });
});
