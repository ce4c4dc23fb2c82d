import type {
  CreateKeyReply,
  CreateKeyRequest,
  DecryptReply,
  DecryptRequest,
  EncryptReply,
  EncryptRequest,
  ListKeysReply,
  ListKeysRequest,
} from '@symbolon/contracts';

import { asFake } from '../../../../libs/testing/src/fakes/index.js';
import type { CreateKeyUseCase } from '../keys/use-cases/create-key/create-key.use-case.js';
import type { DecryptUseCase } from '../keys/use-cases/decrypt/decrypt.use-case.js';
import type { EncryptUseCase } from '../keys/use-cases/encrypt/encrypt.use-case.js';
import type { ListKeysUseCase } from '../keys/use-cases/list-keys/list-keys.use-case.js';
import { INTERNAL_ACCOUNT_ID, SecretsService } from './secrets.service.js';

/** Keys per account and a reversible "encryption" that records the context, standing in for the key use cases. */
class FakeKeys {
  readonly keys = new Map<string, string[]>();
  readonly requests: { op: string; tenantId: string; context?: Record<string, string> }[] = [];
  created = 0;

  createKey = asFake<CreateKeyUseCase>({
    execute: async (req: CreateKeyRequest): Promise<CreateKeyReply> => {
      await new Promise((r) => setTimeout(r, 5));
      this.created += 1;
      const keyId = `key-${this.created}`;
      this.keys.set(req.tenantId, [...(this.keys.get(req.tenantId) ?? []), keyId]);
      this.requests.push({ op: 'create', tenantId: req.tenantId });
      return { key: { keyId } } as unknown as CreateKeyReply;
    },
  });

  listKeys = asFake<ListKeysUseCase>({
    execute: async (req: ListKeysRequest): Promise<ListKeysReply> => ({
      keys: (this.keys.get(req.tenantId) ?? []).slice(0, req.limit).map((keyId) => ({ keyId, arn: keyId })),
    }),
  });

  encrypt = asFake<EncryptUseCase>({
    execute: async (req: EncryptRequest): Promise<EncryptReply> => {
      this.requests.push({ op: 'encrypt', tenantId: req.tenantId, context: req.encryptionContext });
      const blob = JSON.stringify({ keyId: req.keyId, p: req.plaintext, c: req.encryptionContext });
      return { ciphertextBlob: Buffer.from(blob).toString('base64') } as EncryptReply;
    },
  });

  decrypt = asFake<DecryptUseCase>({
    execute: async (req: DecryptRequest): Promise<DecryptReply> => {
      this.requests.push({ op: 'decrypt', tenantId: req.tenantId, context: req.encryptionContext });
      const blob = JSON.parse(Buffer.from(req.ciphertextBlob, 'base64').toString()) as {
        p: string;
        c: Record<string, string>;
      };
      if (JSON.stringify(blob.c) !== JSON.stringify(req.encryptionContext))
        throw new Error('InvalidCiphertext');
      return { plaintext: blob.p } as DecryptReply;
    },
  });

  service(): SecretsService {
    return new SecretsService(this.createKey, this.listKeys, this.encrypt, this.decrypt);
  }
}

const secret = Buffer.from('access-key-secret').toString('base64');

describe('SecretsService', () => {
  it('should create one platform key in the internal account when concurrent first wraps arrive', async () => {
    const keys = new FakeKeys();
    const service = keys.service();
    await Promise.all(
      ['AKIA1', 'AKIA2', 'AKIA3'].map((id) =>
        service.wrap({ requestId: 'r', secret, boundTo: `access-key:${id}` }),
      ),
    );
    expect(keys.created).toBe(1);
    expect([...keys.keys.keys()]).toEqual([INTERNAL_ACCOUNT_ID]);
    expect(new Set(keys.requests.map((r) => r.tenantId))).toEqual(new Set([INTERNAL_ACCOUNT_ID]));
  });

  it('should reuse the existing platform key when the coordinator restarts', async () => {
    const keys = new FakeKeys();
    keys.keys.set(INTERNAL_ACCOUNT_ID, ['key-existing']);
    const { wrapped } = await keys.service().wrap({ requestId: 'r', secret, boundTo: 'access-key:AKIA1' });
    expect(keys.created).toBe(0);
    expect(JSON.parse(Buffer.from(wrapped, 'base64').toString())).toMatchObject({ keyId: 'key-existing' });
  });

  it('should unwrap to the secret when bound to the same key, and refuse when bound to another', async () => {
    const keys = new FakeKeys();
    const service = keys.service();
    const { wrapped } = await service.wrap({ requestId: 'r', secret, boundTo: 'access-key:AKIA1' });
    expect(await service.unwrap({ requestId: 'r', wrapped, boundTo: 'access-key:AKIA1' })).toEqual({
      secret,
    });
    await expect(service.unwrap({ requestId: 'r', wrapped, boundTo: 'access-key:AKIA2' })).rejects.toThrow(
      'InvalidCiphertext',
    );
  });

  it('should try to create the platform key again when the first creation failed', async () => {
    const keys = new FakeKeys();
    const create = keys.createKey.execute.bind(keys.createKey);
    let failures = 1;
    keys.createKey.execute = async (req) => {
      if (failures-- > 0) throw new Error('hsm unavailable');
      return create(req);
    };
    const service = keys.service();
    await expect(service.wrap({ requestId: 'r', secret, boundTo: 'access-key:AKIA1' })).rejects.toThrow(
      'hsm unavailable',
    );
    await expect(
      service.wrap({ requestId: 'r', secret, boundTo: 'access-key:AKIA1' }),
    ).resolves.toBeDefined();
    expect(keys.created).toBe(1);
  });
});
