import { ErrorCodes, HsmActions } from '@symbolon/contracts';
import { ciphertextBlobAad, ciphertextBlobHeader, deserializeCiphertextBlob } from '@symbolon/formats';

import { FAKE_DOMAIN_ID } from '../../../../../../libs/testing/src/fakes/index.js';
import { keyHarness } from '../../key-harness.test-helper.js';
import { DecryptUseCase } from '../decrypt/decrypt.use-case.js';
import { GenerateDataKeyUseCase } from './generate-data-key.use-case.js';

const REGION = 'eu-west-1';
const A = '111111111111';
const B = '222222222222';
const scope = (tenantId: string) => ({
  requestId: 'req-gdk',
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});
const CONTEXT = { bucket: 'invoices' };

function setup() {
  const fakes = keyHarness({ region: REGION });
  const { resolver, router: hsm } = fakes;
  return {
    ...fakes,
    useCase: new GenerateDataKeyUseCase(resolver, hsm),
    decrypt: new DecryptUseCase(resolver, hsm),
  };
}

const request = (tenantId: string, keyId: string, numberOfBytes: number, returnPlaintext: boolean) => ({
  ...scope(tenantId),
  keyId,
  numberOfBytes,
  encryptionContext: CONTEXT,
  returnPlaintext,
});

describe('GenerateDataKeyUseCase', () => {
  it.each([[1], [16], [32], [1024]])(
    'should answer a %i-byte data key that the blob decrypts to when plaintext is asked for',
    async (n) => {
      const t = setup();
      const { key } = await t.seed(A);
      const r = await t.useCase.execute(request(A, key.id, n, true));
      expect(Buffer.from(r.plaintext!, 'base64')).toHaveLength(n);
      expect(r).toMatchObject({ keyArn: key.arn, keyVersion: 1, decision: { effect: 'ALLOW' } });
      const opened = await t.decrypt.execute({
        ...scope(A),
        ciphertextBlob: r.ciphertextBlob,
        encryptionContext: CONTEXT,
      });
      expect(opened.plaintext).toBe(r.plaintext);
    },
  );

  it('should answer no plaintext and ask policy for kms:GenerateDataKeyWithoutPlaintext when plaintext is not asked for', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    const r = await t.useCase.execute(request(A, key.id, 32, false));
    expect(r).not.toHaveProperty('plaintext');
    expect(t.policyRequests()[0]).toMatchObject({
      action: 'kms:GenerateDataKeyWithoutPlaintext',
      encryptionContext: CONTEXT,
    });
    const opened = await t.decrypt.execute({
      ...scope(A),
      ciphertextBlob: r.ciphertextBlob,
      encryptionContext: CONTEXT,
    });
    expect(Buffer.from(opened.plaintext, 'base64')).toHaveLength(32);
  });

  it('should ask policy for kms:GenerateDataKey when plaintext is asked for', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await t.useCase.execute(request(A, key.id, 32, true));
    expect(t.policyRequests()).toEqual([
      {
        ...scope(A),
        action: 'kms:GenerateDataKey',
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        keyArn: key.arn,
        keyAccountId: A,
        encryptionContext: CONTEXT,
      },
    ]);
  });

  it('should send length, EKT and the blob AAD to the hsm in one call when generating', async () => {
    const t = setup();
    const { key, versions } = await t.seed(A);
    const r = await t.useCase.execute(request(A, key.id, 24, true));
    const aad = Buffer.from(ciphertextBlobAad(ciphertextBlobHeader(key.id, 1), CONTEXT)).toString('base64');
    expect(t.hsm.calls).toEqual([
      {
        action: HsmActions.generateDataKey,
        domainId: FAKE_DOMAIN_ID,
        payload: { requestId: 'req-gdk', ekt: versions[0]!.ekt, length: 24, aad },
      },
    ]);
    expect(deserializeCiphertextBlob(Buffer.from(r.ciphertextBlob, 'base64'))).toMatchObject({
      keyId: key.id,
      keyVersion: 1,
    });
  });

  it('should bind the context so that another context fails to decrypt when the blob is opened', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    const r = await t.useCase.execute(request(A, key.id, 32, true));
    await expect(
      t.decrypt.execute({
        ...scope(A),
        ciphertextBlob: r.ciphertextBlob,
        encryptionContext: { bucket: 'other' },
      }),
    ).rejects.toMatchObject({ code: ErrorCodes.INVALID_CIPHERTEXT });
  });

  it.each([
    ['Disabled', ErrorCodes.DISABLED],
    ['PendingDeletion', ErrorCodes.INVALID_STATE],
  ] as const)('should refuse without calling the hsm when the key is %s', async (keyState, code) => {
    const t = setup();
    const { key } = await t.seed(A, { overrides: { keyState } });
    await expect(t.useCase.execute(request(A, key.id, 32, true))).rejects.toMatchObject({ code });
    expect(t.hsm.calls).toEqual([]);
  });

  it('should answer NOT_FOUND when tenant B names a key of A by id', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    await expect(t.useCase.execute(request(B, key.id, 32, true))).rejects.toMatchObject({
      code: ErrorCodes.NOT_FOUND,
    });
  });

  it('should answer ACCESS_DENIED with effect and reason when policy denies', async () => {
    const t = setup();
    const { key } = await t.seed(A);
    t.decide({ effect: 'DENY', reason: 'no grant' });
    await expect(t.useCase.execute(request(B, key.arn, 32, true))).rejects.toMatchObject({
      code: ErrorCodes.ACCESS_DENIED,
      details: { effect: 'DENY', reason: 'no grant' },
    });
    expect(t.hsm.calls).toEqual([]);
  });
});
