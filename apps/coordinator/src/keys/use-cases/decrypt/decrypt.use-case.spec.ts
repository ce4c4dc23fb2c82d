import { type DecryptRequest, ErrorCodes, HsmActions, KmsError } from '@symbolon/contracts';
import { ciphertextBlobAad, deserializeCiphertextBlob, serializeCiphertextBlob } from '@symbolon/formats';
import { loadConfig, type RpcClient } from '@symbolon/platform';

import { keyHarness } from '../../key-harness.test-helper.js';
import { FAKE_DOMAIN_ID, asFake } from '../../../../../../libs/testing/src/fakes/index.js';
import { coordinatorEnv } from '../../../config.js';
import { PolicyClient } from '../../../policy/policy.client.js';
import type { HsmRouter } from '../../../routing/hsm-router.js';
import { KeyResolver } from '../../key-resolver.js';
import type { KeyRepository } from '../../key.repository.js';
import { EncryptUseCase } from '../encrypt/encrypt.use-case.js';
import { DecryptUseCase } from './decrypt.use-case.js';

const REGION = 'eu-west-1';
const A = '111111111111';
const B = '222222222222';
const scope = (tenantId: string) => ({
  requestId: 'req-decrypt',
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});
const PLAINTEXT = Buffer.from('the quick brown fox').toString('base64');
const CONTEXT = { purpose: 'test', tenant: A };

function setup() {
  const fakes = keyHarness({ region: REGION });
  const { resolver, router: hsm } = fakes;
  const encrypt = new EncryptUseCase(resolver, hsm);
  const useCase = new DecryptUseCase(resolver, hsm);
  /** A key of A and a blob of PLAINTEXT under it with CONTEXT; the call logs are cleared. */
  const sealed = async (opts: Parameters<typeof fakes.seed>[1] = {}) => {
    const seeded = await fakes.seed(A, opts);
    const r = await encrypt.execute({
      ...scope(A),
      keyId: seeded.key.id,
      plaintext: PLAINTEXT,
      encryptionContext: CONTEXT,
    });
    fakes.hsm.calls.length = 0;
    fakes.rpc.calls.length = 0;
    return { ...seeded, blob: r.ciphertextBlob };
  };
  return { ...fakes, useCase, sealed };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KmsError) return e.code;
    throw e;
  }
  throw new Error('expected a KmsError');
}

const request = (
  tenantId: string,
  ciphertextBlob: string,
  extra: Partial<DecryptRequest> = {},
): DecryptRequest => ({
  ...scope(tenantId),
  ciphertextBlob,
  encryptionContext: CONTEXT,
  ...extra,
});

const mutate = (blob: string, f: (b: Uint8Array) => Uint8Array): string =>
  Buffer.from(f(new Uint8Array(Buffer.from(blob, 'base64')))).toString('base64');

describe('DecryptUseCase', () => {
  it('should answer the plaintext, key ARN, version and decision when blob and context match', async () => {
    const t = setup();
    const { key, blob } = await t.sealed();
    expect(await t.useCase.execute(request(A, blob))).toEqual({
      keyArn: key.arn,
      keyVersion: 1,
      plaintext: PLAINTEXT,
      decision: { effect: 'ALLOW', reason: 'test: allowed' },
    });
  });

  it('should send the version EKT, IV, sealed bytes and AAD of the blob to the hsm when decrypting', async () => {
    const t = setup();
    const { versions, blob } = await t.sealed();
    await t.useCase.execute(request(A, blob));
    const parsed = deserializeCiphertextBlob(Buffer.from(blob, 'base64'));
    const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
    expect(t.hsm.calls).toEqual([
      {
        action: HsmActions.decrypt,
        domainId: FAKE_DOMAIN_ID,
        payload: {
          requestId: 'req-decrypt',
          ekt: versions[0]!.ekt,
          iv: b64(parsed.iv),
          sealed: b64(parsed.sealed),
          aad: b64(ciphertextBlobAad(parsed.header, CONTEXT)),
        },
      },
    ]);
  });

  it('should ask policy for kms:Decrypt with the context when decrypting', async () => {
    const t = setup();
    const { key, blob } = await t.sealed();
    await t.useCase.execute(request(A, blob));
    expect(t.policyRequests()).toEqual([
      {
        ...scope(A),
        action: 'kms:Decrypt',
        encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        keyArn: key.arn,
        keyAccountId: A,
        encryptionContext: CONTEXT,
      },
    ]);
  });

  it('should decrypt when KeyId names the blob key by id or by ARN', async () => {
    const t = setup();
    const { key, blob } = await t.sealed();
    expect((await t.useCase.execute(request(A, blob, { keyId: key.id }))).plaintext).toBe(PLAINTEXT);
    expect((await t.useCase.execute(request(A, blob, { keyId: key.arn }))).plaintext).toBe(PLAINTEXT);
  });

  it('should decrypt with an older version when the key has been given a newer current version', async () => {
    const t = setup();
    const { key, blob } = await t.sealed({ versions: [1, 2], overrides: { currentVersion: 1 } });
    t.store.update(key.id, { currentVersion: 2 });
    expect(await t.useCase.execute(request(A, blob))).toMatchObject({ keyVersion: 1, plaintext: PLAINTEXT });
  });

  it('should answer INCORRECT_KEY without calling the hsm when KeyId names a different key', async () => {
    const t = setup();
    const { blob } = await t.sealed();
    const other = await t.seed(A);
    expect(await code(t.useCase.execute(request(A, blob, { keyId: other.key.id })))).toBe(
      ErrorCodes.INCORRECT_KEY,
    );
    expect(t.hsm.calls).toEqual([]);
  });

  it.each([
    ['a different value', { purpose: 'other', tenant: A }],
    ['a missing entry', { purpose: 'test' }],
    ['an extra entry', { ...CONTEXT, extra: '1' }],
    ['no context', {}],
  ])('should answer INVALID_CIPHERTEXT when the context has %s', async (_, encryptionContext) => {
    const t = setup();
    const { blob } = await t.sealed();
    expect(await code(t.useCase.execute(request(A, blob, { encryptionContext })))).toBe(
      ErrorCodes.INVALID_CIPHERTEXT,
    );
  });

  it('should answer INVALID_CIPHERTEXT when the blob names a key that does not exist', async () => {
    const t = setup();
    const { blob } = await t.sealed();
    const parsed = deserializeCiphertextBlob(Buffer.from(blob, 'base64'));
    const forged = serializeCiphertextBlob({ ...parsed, keyId: '0b8e2a3c-1111-4222-8333-944455556666' });
    expect(await code(t.useCase.execute(request(A, Buffer.from(forged).toString('base64'))))).toBe(
      ErrorCodes.INVALID_CIPHERTEXT,
    );
    expect(t.hsm.calls).toEqual([]);
  });

  it('should answer INVALID_CIPHERTEXT without calling the hsm when the blob names a version the key lacks', async () => {
    const t = setup();
    const { blob } = await t.sealed();
    const parsed = deserializeCiphertextBlob(Buffer.from(blob, 'base64'));
    const forged = serializeCiphertextBlob({ ...parsed, keyVersion: 2 });
    expect(await code(t.useCase.execute(request(A, Buffer.from(forged).toString('base64'))))).toBe(
      ErrorCodes.INVALID_CIPHERTEXT,
    );
    expect(t.hsm.calls).toEqual([]);
  });

  it('should answer INVALID_CIPHERTEXT when tenant B decrypts a blob of a key of A', async () => {
    const t = setup();
    const { blob } = await t.sealed();
    expect(await code(t.useCase.execute(request(B, blob)))).toBe(ErrorCodes.INVALID_CIPHERTEXT);
    expect(t.hsm.calls).toEqual([]);
  });

  describe('when tenant B encrypted under a key of A that policy lets it use', () => {
    /** B encrypts PLAINTEXT under A's key ARN (the policy fake allows); the call logs are cleared. */
    const crossAccount = async () => {
      const t = setup();
      const { key } = await t.seed(A);
      const hsm = asFake<HsmRouter>(t.hsm);
      const resolver = new KeyResolver(
        asFake<KeyRepository>(t.store),
        new PolicyClient(asFake<RpcClient>(t.rpc)),
        loadConfig(coordinatorEnv, { SYMBOLON_REGION: REGION }),
      );
      const encrypted = await new EncryptUseCase(resolver, hsm).execute({
        ...scope(B),
        keyId: key.arn,
        plaintext: PLAINTEXT,
        encryptionContext: CONTEXT,
      });
      expect(encrypted.keyArn).toBe(key.arn);
      t.hsm.calls.length = 0;
      t.rpc.calls.length = 0;
      return { ...t, key, blob: encrypted.ciphertextBlob };
    };

    it('should answer the plaintext under the key of A when B names the key ARN in KeyId', async () => {
      const t = await crossAccount();
      expect(await t.useCase.execute(request(B, t.blob, { keyId: t.key.arn }))).toEqual({
        keyArn: t.key.arn,
        keyVersion: 1,
        plaintext: PLAINTEXT,
        decision: { effect: 'ALLOW', reason: 'test: allowed' },
      });
      expect(t.policyRequests()).toEqual([
        {
          ...scope(B),
          action: 'kms:Decrypt',
          encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          keyArn: t.key.arn,
          keyAccountId: A,
          encryptionContext: CONTEXT,
        },
      ]);
    });

    it('should answer INVALID_CIPHERTEXT without calling the hsm when B gives no KeyId (the blob names no account)', async () => {
      const t = await crossAccount();
      expect(await code(t.useCase.execute(request(B, t.blob)))).toBe(ErrorCodes.INVALID_CIPHERTEXT);
      expect(t.hsm.calls).toEqual([]);
      expect(t.policyRequests()).toEqual([]);
    });
  });

  it('should answer NOT_FOUND when tenant B names the key of A by id in KeyId', async () => {
    const t = setup();
    const { key, blob } = await t.sealed();
    expect(await code(t.useCase.execute(request(B, blob, { keyId: key.id })))).toBe(ErrorCodes.NOT_FOUND);
  });

  it.each([
    ['empty', () => ''],
    ['not a blob', () => Buffer.from('hello world').toString('base64')],
    ['truncated below the minimum', (b: string) => mutate(b, (u) => u.subarray(0, 48))],
    ['truncated inside the tag', (b: string) => mutate(b, (u) => u.subarray(0, u.length - 1))],
    ['of an unknown version', (b: string) => mutate(b, (u) => ((u[0] = 2), u))],
    ['flipped in the ciphertext', (b: string) => mutate(b, (u) => ((u[33] = u[33]! ^ 1), u))],
    ['flipped in the tag', (b: string) => mutate(b, (u) => ((u[u.length - 1] = u[u.length - 1]! ^ 0x80), u))],
    ['flipped in the IV', (b: string) => mutate(b, (u) => ((u[21] = u[21]! ^ 1), u))],
    ['extended by a byte', (b: string) => mutate(b, (u) => new Uint8Array([...u, 0]))],
  ])('should answer INVALID_CIPHERTEXT when the blob is %s', async (_, change) => {
    const t = setup();
    const { blob } = await t.sealed();
    expect(await code(t.useCase.execute(request(A, change(blob))))).toBe(ErrorCodes.INVALID_CIPHERTEXT);
  });

  it('should answer DISABLED without calling the hsm when the key is Disabled', async () => {
    const t = setup();
    const { key, blob } = await t.sealed();
    t.store.update(key.id, { keyState: 'Disabled' });
    const fresh = setupSharingStore(t);
    expect(await code(fresh.execute(request(A, blob)))).toBe(ErrorCodes.DISABLED);
    expect(t.hsm.calls).toEqual([]);
  });

  it('should answer INVALID_STATE when the key is PendingDeletion', async () => {
    const t = setup();
    const { key, blob } = await t.sealed();
    t.store.update(key.id, { keyState: 'PendingDeletion' });
    expect(await code(setupSharingStore(t).execute(request(A, blob)))).toBe(ErrorCodes.INVALID_STATE);
  });

  it('should answer ACCESS_DENIED with effect and reason without calling the hsm when policy denies', async () => {
    const t = setup();
    const { blob } = await t.sealed();
    t.decide({ effect: 'DENY', reason: 'explicit deny: kms:Decrypt' });
    await expect(t.useCase.execute(request(A, blob))).rejects.toMatchObject({
      code: ErrorCodes.ACCESS_DENIED,
      details: { effect: 'DENY', reason: 'explicit deny: kms:Decrypt' },
    });
    expect(t.hsm.calls).toEqual([]);
  });
});

/** A DecryptUseCase over the same store and hsm but a fresh resolver cache, so a changed key state is read. */
function setupSharingStore(t: ReturnType<typeof setup>): DecryptUseCase {
  const config = loadConfig(coordinatorEnv, { SYMBOLON_REGION: REGION });
  const resolver = new KeyResolver(
    asFake<KeyRepository>(t.store),
    new PolicyClient(asFake<RpcClient>(t.rpc)),
    config,
  );
  return new DecryptUseCase(resolver, asFake<HsmRouter>(t.hsm));
}
