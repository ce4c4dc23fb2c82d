import { Inject, Injectable } from '@nestjs/common';
import type { RotationType } from '@symbolon/contracts';

import { HsmRouter } from '../routing/hsm-router.js';
import { KeyLifecycleRepository, type KeyLifecyclePatch } from './key-lifecycle.repository.js';
import type { KeyEntity, KeyVersionEntity } from './key.entity.js';
import { generateKeyVersion } from './key-version.js';

/**
 * Makes a key's next version: new key material generated in a token (only its EKT comes back), stored as the new
 * current version. Earlier versions stay, so their ciphertexts still decrypt.
 */
@Injectable()
export class KeyRotator {
  constructor(
    @Inject(HsmRouter) private readonly hsm: HsmRouter,
    @Inject(KeyLifecycleRepository) private readonly lifecycle: KeyLifecycleRepository,
  ) {}

  /** The new version, or undefined when another rotation of the same key won the race (nothing is stored then). */
  async rotate(
    key: KeyEntity,
    rotationType: RotationType,
    requestId: string,
    now: Date,
    patch: KeyLifecyclePatch = {},
  ): Promise<KeyVersionEntity | undefined> {
    const version = await generateKeyVersion(
      this.hsm.forKey(key),
      key.id,
      key.currentVersion + 1,
      requestId,
      now,
      rotationType,
    );
    const added = await this.lifecycle.addVersion(version, key.currentVersion, patch);
    return added ? version : undefined;
  }
}
