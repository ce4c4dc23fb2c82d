import { Inject, Injectable } from '@nestjs/common';
import {
  type CreateGrantReply,
  type CreateGrantRequest,
  ErrorCodes,
  KmsError,
  type ListGrantsReply,
  type ListGrantsRequest,
  type ListRetirableGrantsRequest,
  type RetireGrantRequest,
  type RevokeGrantRequest,
  grantIdOfToken,
  grantToken,
  isGrantId,
} from '@symbolon/contracts';
import { GRANT_OPERATIONS, accountOfPrincipal } from '@symbolon/policy-engine';
import { randomBytes } from 'node:crypto';

import { PolicyChanges } from '../store/policy-changes.js';
import type { GrantEntity } from '../store/policy.entities.js';
import { PolicyRepository } from '../store/policy.repository.js';
import { grantDto } from '../store/grant-rule.js';

/** Grant operations that make sense on a symmetric encryption key. */
const SYMMETRIC_OPERATIONS = new Set([
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
]);
const GRANT_NAME = /^[a-zA-Z0-9:/_-]{1,256}$/;
const PRINCIPAL = /^arn:aws:iam::\d{12}:(root|user\/[\w+=,.@/-]{1,512}|role\/[\w+=,.@/-]{1,512})$/;

/** CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant (the coordinator checked the key policy). */
@Injectable()
export class GrantsUseCase {
  constructor(
    @Inject(PolicyRepository) private readonly repo: PolicyRepository,
    @Inject(PolicyChanges) private readonly changes: PolicyChanges,
  ) {}

  async create(req: CreateGrantRequest): Promise<CreateGrantReply> {
    if (!PRINCIPAL.test(req.granteePrincipal)) {
      throw new KmsError(
        ErrorCodes.INVALID_ARN,
        `GranteePrincipal ${req.granteePrincipal} is not a valid principal ARN`,
      );
    }
    if (req.retiringPrincipal !== undefined && !PRINCIPAL.test(req.retiringPrincipal)) {
      throw new KmsError(
        ErrorCodes.INVALID_ARN,
        `RetiringPrincipal ${req.retiringPrincipal} is not a valid principal ARN`,
      );
    }
    for (const op of req.operations) {
      const known = (GRANT_OPERATIONS as readonly string[]).includes(op);
      // AWS's other grant operations need asymmetric or HMAC keys, which Symbolon does not have.
      if (known && !SYMMETRIC_OPERATIONS.has(op)) {
        throw new KmsError(
          ErrorCodes.VALIDATION,
          `Grant operation ${op} is not valid for a symmetric encryption KMS key`,
        );
      }
      if (!known) {
        throw new KmsError(
          ErrorCodes.VALIDATION,
          `1 validation error detected: Value '${op.slice(0, 64)}' at 'operations' failed to satisfy constraint: Member must satisfy enum value set`,
        );
      }
    }
    if (req.name !== undefined && !GRANT_NAME.test(req.name)) {
      throw new KmsError(
        ErrorCodes.VALIDATION,
        'Name must be 1 to 256 characters of a-z, A-Z, 0-9, :, /, _ and -',
      );
    }
    const operations = [...new Set(req.operations)].sort();
    const constraints = normalizeConstraints(req.constraints);
    // A retried CreateGrant with the same name and the same parameters returns the grant it made (AWS's idempotence).
    if (req.name !== undefined) {
      const same = (await this.repo.grantsOfKey(req.keyArn)).find(
        (g) =>
          g.name === req.name &&
          g.granteePrincipal === req.granteePrincipal &&
          g.retiringPrincipal === (req.retiringPrincipal ?? null) &&
          g.operations === JSON.stringify(operations) &&
          g.constraints === constraints,
      );
      if (same) return { grantId: same.grantId, grantToken: newToken(same.grantId) };
    }
    const grant: GrantEntity = {
      grantId: randomBytes(32).toString('hex'),
      keyArn: req.keyArn,
      keyAccountId: req.keyAccountId,
      granteePrincipal: req.granteePrincipal,
      retiringPrincipal: req.retiringPrincipal ?? null,
      operations: JSON.stringify(operations),
      constraints,
      name: req.name ?? null,
      issuingAccount: req.tenantId,
      createdAt: new Date(),
    };
    await this.repo.insertGrant(grant);
    await this.changes.changed({ keyArn: req.keyArn });
    return { grantId: grant.grantId, grantToken: newToken(grant.grantId) };
  }

  async list(req: ListGrantsRequest): Promise<ListGrantsReply> {
    return this.page(
      {
        keyArn: req.keyArn,
        ...(req.grantId !== undefined ? { grantId: req.grantId } : {}),
        ...(req.granteePrincipal !== undefined ? { granteePrincipal: req.granteePrincipal } : {}),
      },
      req.marker,
      req.limit,
    );
  }

  /** Only principals of the caller's own account: another account's retirable grants are not the caller's to see. */
  async listRetirable(req: ListRetirableGrantsRequest): Promise<ListGrantsReply> {
    if (!PRINCIPAL.test(req.retiringPrincipal)) {
      throw new KmsError(
        ErrorCodes.INVALID_ARN,
        `RetiringPrincipal ${req.retiringPrincipal} is not a valid principal ARN`,
      );
    }
    if (accountOfPrincipal(req.retiringPrincipal) !== req.tenantId) {
      throw new KmsError(
        ErrorCodes.ACCESS_DENIED,
        `User: ${req.principal} is not authorized to list the grants retirable by ${req.retiringPrincipal}`,
      );
    }
    return this.page({ retiringPrincipal: req.retiringPrincipal }, req.marker, req.limit);
  }

  /**
   * The grant's retiring principal may retire it, and its grantee when the grant allows RetireGrant. Named by its
   * token, or by key ARN and grant id.
   */
  async retire(req: RetireGrantRequest): Promise<Record<string, never>> {
    let grantId: string | undefined;
    if (req.grantToken !== undefined) {
      grantId = grantIdOfToken(req.grantToken);
      if (grantId === undefined) throw new KmsError(ErrorCodes.INVALID_GRANT_TOKEN, 'Invalid grant token');
    } else {
      if (req.grantId === undefined || req.keyArn === undefined) {
        throw new KmsError(ErrorCodes.VALIDATION, 'Specify GrantToken, or both KeyId and GrantId');
      }
      if (!isGrantId(req.grantId)) throw new KmsError(ErrorCodes.INVALID_GRANT_ID, 'Invalid grant ID');
      grantId = req.grantId;
    }
    const grant = await this.repo.grantById(grantId);
    if (!grant || (req.grantToken === undefined && grant.keyArn !== req.keyArn)) {
      throw new KmsError(ErrorCodes.NOT_FOUND, `Grant ID ${grantId} not found`);
    }
    const mayRetire =
      grant.retiringPrincipal === req.principal ||
      (grant.granteePrincipal === req.principal &&
        (JSON.parse(grant.operations) as string[]).includes('RetireGrant'));
    if (!mayRetire) {
      throw new KmsError(
        ErrorCodes.ACCESS_DENIED,
        `User: ${req.principal} is not authorized to perform: kms:RetireGrant on grant ${grantId}`,
        {
          effect: 'DENY',
          reason: 'implicit deny: neither the retiring principal nor a grantee allowed to retire',
        },
      );
    }
    await this.repo.deleteGrant(grantId);
    await this.changes.changed({ keyArn: grant.keyArn });
    return {};
  }

  async revoke(req: RevokeGrantRequest): Promise<Record<string, never>> {
    if (!isGrantId(req.grantId)) throw new KmsError(ErrorCodes.INVALID_GRANT_ID, 'Invalid grant ID');
    const grant = await this.repo.grantById(req.grantId);
    if (!grant || grant.keyArn !== req.keyArn) {
      throw new KmsError(ErrorCodes.NOT_FOUND, `Grant ID ${req.grantId} not found`);
    }
    await this.repo.deleteGrant(req.grantId);
    await this.changes.changed({ keyArn: req.keyArn });
    return {};
  }

  private async page(
    where: Parameters<PolicyRepository['pageOfGrants']>[0],
    marker: string | undefined,
    limit: number,
  ): Promise<ListGrantsReply> {
    if (marker !== undefined && !isGrantId(marker)) {
      throw new KmsError(ErrorCodes.INVALID_MARKER, 'Invalid marker');
    }
    const rows = await this.repo.pageOfGrants(where, marker, limit);
    const page = rows.slice(0, limit);
    return {
      grants: page.map(grantDto),
      ...(rows.length > limit ? { nextMarker: page[page.length - 1]!.grantId } : {}),
    };
  }
}

function newToken(grantId: string): string {
  return grantToken(grantId, randomBytes(24).toString('base64url'));
}

/** Constraints as stored: JSON with sorted keys, or null when there are none. */
function normalizeConstraints(c: CreateGrantRequest['constraints']): string | null {
  if (!c || (c.encryptionContextEquals === undefined && c.encryptionContextSubset === undefined)) return null;
  const sorted = (m?: Record<string, string>) =>
    m === undefined
      ? undefined
      : Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({
    ...(c.encryptionContextEquals !== undefined
      ? { encryptionContextEquals: sorted(c.encryptionContextEquals) }
      : {}),
    ...(c.encryptionContextSubset !== undefined
      ? { encryptionContextSubset: sorted(c.encryptionContextSubset) }
      : {}),
  });
}
