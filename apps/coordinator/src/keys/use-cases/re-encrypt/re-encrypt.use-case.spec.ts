import { ErrorCodes, HsmActions } from '@symbolon/contracts';
import { deserializeCiphertextBlob, serializeCiphertextBlob } from '@symbolon/formats';

import { keyMaterialId } from '../../key-material-id.js';
import { lifecycleHarness, rejection, scope } from '../../lifecycle-harness.test-helper.js';
import { DecryptUseCase } from '../decrypt/decrypt.use-case.js';
import { EncryptUseCase } from '../encrypt/encrypt.use-case.js';
import { ReEncryptUseCase } from './re-encrypt.use-case.js';

const A = '111111111111';
const B = '222222222222';
const PLAINTEXT = Buffer.from('move me to another key').toString('base64');
const SOURCE_CONTEXT = { purpose: 'source' };
const DEST_CONTEXT = { purpose: 'destination', tenant: A };

async function setup() {
  const h = lifecycleHarness();
  const source = (await h.seed(A, { versions: [1, 2] })).key;
  const destination = (await h.seed(A, { versions: [1, 2, 3] })).key;
  const encrypt = new EncryptUseCase(h.resolver, h.router);
  const { ciphertextBlob } = await encrypt.execute({
    ...scope(A),
    keyId: source.id,
    plaintext: PLAINTEXT,
    encryptionContext: SOURCE_CONTEXT,
  });
  h.hsm.calls.length = 0;
  h.rpc.calls.length = 0;
  return {
    ...h,
    source,
    destination,
    blob: ciphertextBlob,
    decrypt: new DecryptUseCase(h.resolver, h.router),
    useCase: new ReEncryptUseCase(h.resolver, h.router),
  };
}

type T = Awaited<ReturnType<typeof setup>>;
const request = (t: T, more: Record<string, unknown> = {}) => ({
  ...scope(A),
  ciphertextBlob: t.blob,
  sourceEncryptionContext: SOURCE_CONTEXT,
  destinationKeyId: t.destination.id,
  destinationEncryptionContext: DEST_CONTEXT,
  ...more,
});

describe('ReEncryptUseCase', () => {
  it('should answer a blob under the destination current version that decrypts with the destination context', async () => {
    const t = await setup();
    const r = await t.useCase.execute(request(t));
    expect(r).toEqual({
      ciphertextBlob: expect.any(String),
      sourceKeyArn: t.source.arn,
      sourceKeyVersion: 2,
      sourceKeyMaterialId: keyMaterialId(t.source.id, 2),
      keyArn: t.destination.arn,
      keyVersion: 3,
      keyMaterialId: keyMaterialId(t.destination.id, 3),
      decision: { effect: 'ALLOW', reason: 'test: allowed' },
    });
    expect(deserializeCiphertextBlob(Buffer.from(r.ciphertextBlob, 'base64'))).toMatchObject({
      keyId: t.destination.id,
      keyVersion: 3,
    });
    const opened = await t.decrypt.execute({
      ...scope(A),
      ciphertextBlob: r.ciphertextBlob,
      encryptionContext: DEST_CONTEXT,
    });
    expect(opened).toMatchObject({ plaintext: PLAINTEXT, keyArn: t.destination.arn, keyVersion: 3 });
    expect(
      (
        await rejection(
          t.decrypt.execute({
            ...scope(A),
            ciphertextBlob: r.ciphertextBlob,
            encryptionContext: SOURCE_CONTEXT,
          }),
        )
      ).code,
    ).toBe(ErrorCodes.INVALID_CIPHERTEXT);
  });

  it('should make one hsm call that carries EKTs and ciphertext but never the plaintext', async () => {
    const t = await setup();
    await t.useCase.execute(request(t));
    expect(t.hsm.calls.map((c) => c.action)).toEqual([HsmActions.reEncrypt]);
    const payload = t.hsm.calls[0]!.payload;
    expect(Object.keys(payload).sort()).toEqual(
      ['destinationAad', 'destinationEkt', 'iv', 'requestId', 'sealed', 'sourceAad', 'sourceEkt'].sort(),
    );
    expect(JSON.stringify(payload)).not.toContain(PLAINTEXT);
  });

  it('should ask policy for kms:ReEncryptFrom with the source context and kms:ReEncryptTo with the destination context', async () => {
    const t = await setup();
    await t.useCase.execute(request(t));
    expect(t.policyRequests()).toEqual([
      {
        ...scope(A),
        action: 'kms:ReEncryptFrom',
        keyArn: t.source.arn,
        keyAccountId: A,
        encryptionContext: SOURCE_CONTEXT,
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        reEncryptOnSameKey: false,
      },
      {
        ...scope(A),
        action: 'kms:ReEncryptTo',
        keyArn: t.destination.arn,
        keyAccountId: A,
        encryptionContext: DEST_CONTEXT,
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        reEncryptOnSameKey: false,
      },
    ]);
  });

  it('should re-encrypt under the same key when source and destination are one key, changing the context', async () => {
    const t = await setup();
    const r = await t.useCase.execute(request(t, { destinationKeyId: t.source.arn }));
    expect(r).toMatchObject({ sourceKeyArn: t.source.arn, keyArn: t.source.arn, keyVersion: 2 });
    const opened = await t.decrypt.execute({
      ...scope(A),
      ciphertextBlob: r.ciphertextBlob,
      encryptionContext: DEST_CONTEXT,
    });
    expect(opened.plaintext).toBe(PLAINTEXT);
  });

  it('should accept a SourceKeyId naming the blob key by ARN', async () => {
    const t = await setup();
    expect((await t.useCase.execute(request(t, { sourceKeyId: t.source.arn }))).sourceKeyArn).toBe(
      t.source.arn,
    );
  });

  it('should answer INCORRECT_KEY without calling the hsm when SourceKeyId names another key', async () => {
    const t = await setup();
    expect((await rejection(t.useCase.execute(request(t, { sourceKeyId: t.destination.id })))).code).toBe(
      ErrorCodes.INCORRECT_KEY,
    );
    expect(t.hsm.calls).toEqual([]);
  });

  it('should answer INVALID_CIPHERTEXT when the source context differs', async () => {
    const t = await setup();
    expect(
      (await rejection(t.useCase.execute(request(t, { sourceEncryptionContext: { purpose: 'other' } }))))
        .code,
    ).toBe(ErrorCodes.INVALID_CIPHERTEXT);
  });

  it.each([
    ['not a blob', () => Buffer.from('hello').toString('base64')],
    [
      'naming a key that does not exist',
      (b: string) => {
        const parsed = deserializeCiphertextBlob(Buffer.from(b, 'base64'));
        return Buffer.from(
          serializeCiphertextBlob({ ...parsed, keyId: '0b8e2a3c-1111-4222-8333-944455556666' }),
        ).toString('base64');
      },
    ],
    [
      'naming a version the key lacks',
      (b: string) => {
        const parsed = deserializeCiphertextBlob(Buffer.from(b, 'base64'));
        return Buffer.from(serializeCiphertextBlob({ ...parsed, keyVersion: 9 })).toString('base64');
      },
    ],
  ])('should answer INVALID_CIPHERTEXT without calling the hsm when the blob is %s', async (_, change) => {
    const t = await setup();
    expect((await rejection(t.useCase.execute(request(t, { ciphertextBlob: change(t.blob) })))).code).toBe(
      ErrorCodes.INVALID_CIPHERTEXT,
    );
    expect(t.hsm.calls).toEqual([]);
  });

  it.each([
    ['source', 'Disabled', ErrorCodes.DISABLED],
    ['source', 'PendingDeletion', ErrorCodes.INVALID_STATE],
    ['destination', 'Disabled', ErrorCodes.DISABLED],
    ['destination', 'PendingDeletion', ErrorCodes.INVALID_STATE],
  ] as const)('should answer %s key %s -> %s without calling the hsm', async (which, keyState, code) => {
    const t = await setup();
    const key = which === 'source' ? t.source : t.destination;
    t.store.update(key.id, { keyState });
    t.resolver.forget(A, key.id);
    expect((await rejection(t.useCase.execute(request(t)))).code).toBe(code);
    expect(t.hsm.calls).toEqual([]);
  });

  it('should answer NOT_FOUND when the destination key does not exist', async () => {
    const t = await setup();
    expect(
      (
        await rejection(
          t.useCase.execute(request(t, { destinationKeyId: '0b8e2a3c-1111-4222-8333-944455556666' })),
        )
      ).code,
    ).toBe(ErrorCodes.NOT_FOUND);
  });

  it('should answer ACCESS_DENIED without calling the hsm when policy denies', async () => {
    const t = await setup();
    t.decide({ effect: 'DENY', reason: 'explicit deny: kms:ReEncryptFrom' });
    expect(await rejection(t.useCase.execute(request(t)))).toMatchObject({ code: ErrorCodes.ACCESS_DENIED });
    expect(t.hsm.calls).toEqual([]);
  });

  it('should let tenant B re-encrypt a blob of A into its own key when it names the source key ARN', async () => {
    const t = await setup();
    const own = (await t.seed(B)).key;
    const r = await t.useCase.execute({
      ...request(t, { sourceKeyId: t.source.arn, destinationKeyId: own.id }),
      ...scope(B),
    });
    expect(r).toMatchObject({ sourceKeyArn: t.source.arn, keyArn: own.arn });
  });

  it('should answer INVALID_CIPHERTEXT when tenant B gives no SourceKeyId for a blob of A', async () => {
    const t = await setup();
    const own = (await t.seed(B)).key;
    expect(
      (await rejection(t.useCase.execute({ ...request(t, { destinationKeyId: own.id }), ...scope(B) }))).code,
    ).toBe(ErrorCodes.INVALID_CIPHERTEXT);
  });
});
