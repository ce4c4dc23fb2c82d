/**
 * Tests only (excluded from the build): the key harness plus the alias use cases wired to its fakes.
 */
import { keyHarness } from '../keys/key-harness.test-helper.js';
import { CreateAliasUseCase } from './use-cases/create-alias/create-alias.use-case.js';
import { DeleteAliasUseCase } from './use-cases/delete-alias/delete-alias.use-case.js';
import { ListAliasesUseCase } from './use-cases/list-aliases/list-aliases.use-case.js';
import { UpdateAliasUseCase } from './use-cases/update-alias/update-alias.use-case.js';

export const REGION = 'eu-west-1';
export const A = '111111111111';
export const B = '222222222222';
export const scope = (tenantId: string) => ({
  requestId: 'req-alias',
  tenantId,
  principal: `arn:aws:iam::${tenantId}:user/admin`,
});
export const aliasArnOf = (tenantId: string, name: string) => `arn:aws:kms:${REGION}:${tenantId}:${name}`;

export function aliasHarness() {
  const h = keyHarness({ region: REGION });
  return {
    ...h,
    create: new CreateAliasUseCase(h.aliases, h.resolver, h.config),
    update: new UpdateAliasUseCase(h.aliases, h.resolver, h.config),
    remove: new DeleteAliasUseCase(h.aliases, h.resolver, h.config),
    list: new ListAliasesUseCase(h.aliases, h.resolver, h.config, h.policy),
  };
}
