/**
 * Tests only (excluded from the build): the key harness plus the key administration use cases wired to its fakes.
 */
import { asFake } from '../../../../libs/testing/src/fakes/index.js';
import { InMemoryKeyLifecycleStore } from '../../../../libs/testing/src/fakes/in-memory-key-lifecycle-store.js';
import { keyHarness } from './key-harness.test-helper.js';
import type { KeyLifecycleRepository } from './key-lifecycle.repository.js';
import { DisableKeyUseCase } from './use-cases/disable-key/disable-key.use-case.js';
import { EnableKeyUseCase } from './use-cases/enable-key/enable-key.use-case.js';
import { ListResourceTagsUseCase } from './use-cases/list-resource-tags/list-resource-tags.use-case.js';
import { TagResourceUseCase } from './use-cases/tag-resource/tag-resource.use-case.js';
import { UntagResourceUseCase } from './use-cases/untag-resource/untag-resource.use-case.js';
import { UpdateKeyDescriptionUseCase } from './use-cases/update-key-description/update-key-description.use-case.js';

export const A = '111111111111';
export const B = '222222222222';
export const scope = (tenantId: string) => ({
  requestId: 'req-admin',
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});

export function keyAdminHarness() {
  const h = keyHarness({ region: 'eu-west-1' });
  const lifecycleStore = new InMemoryKeyLifecycleStore(h.store);
  const lifecycle = asFake<KeyLifecycleRepository>(lifecycleStore);
  return {
    ...h,
    lifecycleStore,
    enable: new EnableKeyUseCase(h.resolver, lifecycle),
    disable: new DisableKeyUseCase(h.resolver, lifecycle),
    describe: new UpdateKeyDescriptionUseCase(h.resolver, lifecycle),
    tag: new TagResourceUseCase(h.resolver, h.admin),
    untag: new UntagResourceUseCase(h.resolver, h.admin),
    listTags: new ListResourceTagsUseCase(h.resolver, h.admin),
  };
}
