import { Inject, Injectable } from '@nestjs/common';
import {
  HsmActions,
  type HsmDestroyKeyReply,
  type HsmSuspendReply,
  type KeyState,
  type SuspendKeyReply,
  SuspendKeyRequest,
} from '@symbolon/contracts';
import { logger } from '@symbolon/platform';

import { HsmRouter } from '../../../routing/hsm-router.js';
import { changeKeyWith } from '../../key-change.js';
import { KeyCustodyRepository } from '../../key-custody.repository.js';
import { KeyResolver } from '../../key-resolver.js';
import { authorizeOwnKey } from '../../own-key.js';

const SUSPENDABLE: readonly KeyState[] = ['Enabled', 'Disabled'];

/**
 * Symbolon's SuspendKey: a token wraps every version's key material for the owner's RSA public key (the package the
 * owner keeps), and the key becomes Suspended with its EKTs replaced by check values in one guarded write; then every
 * node drops its cached copies. From then on only the owner's private key can bring the key back (ReinstateKey).
 * Older database backups still hold EKTs until their domain-key generation is destroyed (domain-key rotation).
 */
@Injectable()
export class SuspendKeyUseCase {
  constructor(
    @Inject(KeyResolver) private readonly resolver: KeyResolver,
    @Inject(KeyCustodyRepository) private readonly custody: KeyCustodyRepository,
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
  ) {}

  async execute(req: SuspendKeyRequest): Promise<SuspendKeyReply> {
    const stored = await authorizeOwnKey(this.resolver, req, req.keyId, 'kms:SuspendKey');
    KeyResolver.requireState(stored, SUSPENDABLE);
    const { key } = stored;
    const versions = [...stored.versions.values()].sort((a, b) => a.version - b.version);
    const ekts = versions.map((v) => v.ekt);
    const r = await this.hsm.forKey(key).call<HsmSuspendReply>(HsmActions.suspend, {
      requestId: req.requestId,
      keyArn: key.arn,
      versions: versions.map((v) => v.version),
      ekts,
      publicKey: req.publicKey,
    });
    const checks = new Map(versions.map((v, i) => [v.version, r.checks[i]!]));
    await changeKeyWith(this.resolver, stored, SUSPENDABLE, () =>
      this.custody.suspend(key.id, SUSPENDABLE, key.currentVersion, checks),
    );
    try {
      await this.hsm
        .forKey(key)
        .callEach<HsmDestroyKeyReply>(HsmActions.destroyKey, { requestId: req.requestId, ekts });
    } catch (e) {
      // The key is suspended whatever happens here: a node's cached copy can only serve a request naming the EKT,
      // which the coordinator no longer has; the node's cache drops it in time.
      logger.warn(
        { keyArn: key.arn, err: (e as Error).message },
        'cached copies of a suspended key not dropped',
      );
    }
    return {
      keyArn: key.arn,
      versions: versions.map((v, i) => ({ version: v.version, wrapped: r.wrapped[i]! })),
    };
  }
}
