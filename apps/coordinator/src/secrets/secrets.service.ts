import { Inject, Injectable } from '@nestjs/common';

import { CreateKeyUseCase } from '../keys/use-cases/create-key/create-key.use-case.js';
import { DecryptUseCase } from '../keys/use-cases/decrypt/decrypt.use-case.js';
import { EncryptUseCase } from '../keys/use-cases/encrypt/encrypt.use-case.js';
import { ListKeysUseCase } from '../keys/use-cases/list-keys/list-keys.use-case.js';
import type {
  UnwrapSecretReply,
  UnwrapSecretRequest,
  WrapSecretReply,
  WrapSecretRequest,
} from './secrets.dto.js';

/**
 * The reserved account that owns the platform's own keys. No tenant account has this id (tenant ids never start with
 * 0) and the gateway never sends it, so its keys are not listed or usable through the public API.
 */
export const INTERNAL_ACCOUNT_ID = '000000000000';
const INTERNAL_PRINCIPAL = `arn:aws:iam::${INTERNAL_ACCOUNT_ID}:root`;
const PLATFORM_KEY_DESCRIPTION = 'symbolon platform secrets';

/**
 * Wraps and unwraps platform secrets (access-key secrets) under the internal platform key, created on first use. The
 * encryption context binds each blob to what it belongs to, so a blob copied to another row does not unwrap.
 */
@Injectable()
export class SecretsService {
  private platformKey: Promise<string> | undefined;

  constructor(
    @Inject(CreateKeyUseCase) private readonly createKey: CreateKeyUseCase,
    @Inject(ListKeysUseCase) private readonly listKeys: ListKeysUseCase,
    @Inject(EncryptUseCase) private readonly encrypt: EncryptUseCase,
    @Inject(DecryptUseCase) private readonly decrypt: DecryptUseCase,
  ) {}

  async wrap(req: WrapSecretRequest): Promise<WrapSecretReply> {
    const keyId = await this.keyId(req.requestId);
    const r = await this.encrypt.execute({
      requestId: req.requestId,
      tenantId: INTERNAL_ACCOUNT_ID,
      principal: INTERNAL_PRINCIPAL,
      keyId,
      plaintext: req.secret,
      encryptionContext: context(req.boundTo),
    });
    return { wrapped: r.ciphertextBlob };
  }

  async unwrap(req: UnwrapSecretRequest): Promise<UnwrapSecretReply> {
    const r = await this.decrypt.execute({
      requestId: req.requestId,
      tenantId: INTERNAL_ACCOUNT_ID,
      principal: INTERNAL_PRINCIPAL,
      ciphertextBlob: req.wrapped,
      encryptionContext: context(req.boundTo),
    });
    return { secret: r.plaintext };
  }

  /** The platform key: the internal account's first key, created once (concurrent first uses share one creation). */
  private keyId(requestId: string): Promise<string> {
    this.platformKey ??= this.findOrCreate(requestId).catch((e: unknown) => {
      this.platformKey = undefined;
      throw e;
    });
    return this.platformKey;
  }

  private async findOrCreate(requestId: string): Promise<string> {
    const scope = { requestId, tenantId: INTERNAL_ACCOUNT_ID, principal: INTERNAL_PRINCIPAL };
    const existing = await this.listKeys.execute({ ...scope, limit: 1 });
    if (existing.keys[0]) return existing.keys[0].keyId;
    const created = await this.createKey.execute({ ...scope, description: PLATFORM_KEY_DESCRIPTION });
    return created.key.keyId;
  }
}

function context(boundTo: string): Record<string, string> {
  return { 'symbolon:purpose': 'platform-secret', 'symbolon:bound-to': boundTo };
}
