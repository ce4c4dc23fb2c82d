import type { GrantDto } from '@symbolon/contracts';
import type { GrantConstraints, GrantRule } from '@symbolon/policy-engine';

import type { GrantEntity } from './policy.entities.js';

export function grantRule(g: GrantEntity): GrantRule {
  return {
    grantId: g.grantId,
    granteePrincipal: g.granteePrincipal,
    operations: JSON.parse(g.operations) as string[],
    ...(g.constraints !== null ? { constraints: JSON.parse(g.constraints) as GrantConstraints } : {}),
  };
}

export function grantDto(g: GrantEntity): GrantDto {
  return {
    keyArn: g.keyArn,
    grantId: g.grantId,
    ...(g.name !== null ? { name: g.name } : {}),
    creationDate: new Date(g.createdAt).toISOString(),
    granteePrincipal: g.granteePrincipal,
    ...(g.retiringPrincipal !== null ? { retiringPrincipal: g.retiringPrincipal } : {}),
    issuingAccount: g.issuingAccount,
    operations: JSON.parse(g.operations) as string[],
    ...(g.constraints !== null ? { constraints: JSON.parse(g.constraints) as GrantConstraints } : {}),
  };
}
