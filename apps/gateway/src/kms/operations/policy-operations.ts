import {
  type CreateGrantReply,
  type GetKeyPolicyReply,
  type GrantDto,
  KEY_POLICY_NAME,
  type ListGrantsKeyReply,
  type ListGrantsReply,
  type ListKeyPoliciesReply,
  Subjects,
} from '@symbolon/contracts';

import { validationError } from '../aws-error.js';
import type { Input } from './input.js';
import { type Operation, grantTokens, noDryRun, requiredKeyId } from './operation.js';

/** The API's bound on a policy document; the 32 KB limit of a key policy is the policy service's. */
const POLICY_MAX_LENGTH = 131_072;
const LIST_GRANTS_MAX_LIMIT = 100;
const LIST_POLICIES_MAX_LIMIT = 1000;

/** PolicyName is optional and, as AWS has it, can only be `default`. */
function policyName(input: Input): void {
  const name = input.string('PolicyName', { min: 1, max: 128 });
  if (name !== undefined && name !== KEY_POLICY_NAME) {
    throw validationError(`PolicyName must be ${KEY_POLICY_NAME}; a key has only that policy.`);
  }
}

function grantEntry(g: GrantDto): Record<string, unknown> {
  const constraints = g.constraints && {
    ...(g.constraints.encryptionContextEquals
      ? { EncryptionContextEquals: g.constraints.encryptionContextEquals }
      : {}),
    ...(g.constraints.encryptionContextSubset
      ? { EncryptionContextSubset: g.constraints.encryptionContextSubset }
      : {}),
  };
  return {
    KeyId: g.keyArn,
    GrantId: g.grantId,
    ...(g.name !== undefined ? { Name: g.name } : {}),
    CreationDate: Date.parse(g.creationDate) / 1000,
    GranteePrincipal: g.granteePrincipal,
    ...(g.retiringPrincipal !== undefined ? { RetiringPrincipal: g.retiringPrincipal } : {}),
    IssuingAccount: `arn:aws:iam::${g.issuingAccount}:root`,
    Operations: g.operations,
    ...(constraints ? { Constraints: constraints } : {}),
  };
}

function grantList(r: ListGrantsReply): Record<string, unknown> {
  return {
    Grants: r.grants.map(grantEntry),
    Truncated: r.nextMarker !== undefined,
    ...(r.nextMarker !== undefined ? { NextMarker: r.nextMarker } : {}),
  };
}

/** Key policies and grants (ADR 0009). */
export const policyOperations: Record<string, Operation> = {
  async PutKeyPolicy({ input, scope, rpc }) {
    const id = requiredKeyId(input);
    const policy = input.string('Policy', { required: true, max: POLICY_MAX_LENGTH })!;
    policyName(input);
    const bypass = input.boolean('BypassPolicyLockoutSafetyCheck') ?? false;
    input.done();
    const r = await rpc.send<{ keyArn: string }>(Subjects.keys.putKeyPolicy, {
      ...scope,
      keyId: id,
      policy,
      bypassPolicyLockoutSafetyCheck: bypass,
    });
    return { output: {}, keyArn: r.keyArn };
  },

  async GetKeyPolicy({ input, scope, rpc }) {
    const id = requiredKeyId(input);
    policyName(input);
    input.done();
    const r = await rpc.send<GetKeyPolicyReply & { keyArn: string }>(Subjects.keys.getKeyPolicy, {
      ...scope,
      keyId: id,
    });
    return { output: { Policy: r.policy, PolicyName: KEY_POLICY_NAME }, keyArn: r.keyArn };
  },

  async ListKeyPolicies({ input, scope, rpc }) {
    const id = requiredKeyId(input);
    input.integer('Limit', { min: 1, max: LIST_POLICIES_MAX_LIMIT });
    input.string('Marker', { max: 320 });
    input.done();
    const r = await rpc.send<ListKeyPoliciesReply & { keyArn: string }>(Subjects.keys.listKeyPolicies, {
      ...scope,
      keyId: id,
    });
    return { output: { PolicyNames: r.policyNames, Truncated: false }, keyArn: r.keyArn };
  },

  async CreateGrant({ input, scope, rpc }) {
    const id = requiredKeyId(input);
    const granteePrincipal = input.string('GranteePrincipal', { required: true, max: 256 })!;
    const retiringPrincipal = input.string('RetiringPrincipal', { max: 256 });
    const operations = input.stringList('Operations', { maxItems: 20, maxLength: 64 });
    const name = input.string('Name', { max: 256 });
    const c = input.has('Constraints') ? input.object('Constraints') : undefined;
    const equals = c?.has('EncryptionContextEquals') ? c.stringMap('EncryptionContextEquals') : undefined;
    const subset = c?.has('EncryptionContextSubset') ? c.stringMap('EncryptionContextSubset') : undefined;
    c?.done();
    grantTokens(input);
    noDryRun(input);
    input.done();
    if (operations.length === 0) {
      throw validationError(
        "1 validation error detected: Value null at 'operations' failed to satisfy constraint: Member must not be null",
      );
    }
    const r = await rpc.send<CreateGrantReply & { keyArn: string }>(Subjects.keys.createGrant, {
      ...scope,
      keyId: id,
      granteePrincipal,
      ...(retiringPrincipal !== undefined ? { retiringPrincipal } : {}),
      operations,
      ...(equals || subset
        ? {
            constraints: {
              ...(equals ? { encryptionContextEquals: equals } : {}),
              ...(subset ? { encryptionContextSubset: subset } : {}),
            },
          }
        : {}),
      ...(name !== undefined ? { name } : {}),
    });
    return { output: { GrantToken: r.grantToken, GrantId: r.grantId }, keyArn: r.keyArn };
  },

  async ListGrants({ input, scope, rpc }) {
    const id = requiredKeyId(input);
    const limit = input.integer('Limit', { min: 1, max: LIST_GRANTS_MAX_LIMIT }) ?? 50;
    const marker = input.string('Marker', { max: 1024 });
    const grantId = input.string('GrantId', { max: 128 });
    const granteePrincipal = input.string('GranteePrincipal', { max: 256 });
    input.done();
    const r = await rpc.send<ListGrantsKeyReply>(Subjects.keys.listGrants, {
      ...scope,
      keyId: id,
      limit,
      ...(marker !== undefined ? { marker } : {}),
      ...(grantId !== undefined ? { grantId } : {}),
      ...(granteePrincipal !== undefined ? { granteePrincipal } : {}),
    });
    return { output: grantList(r), ...(r.keyArn !== undefined ? { keyArn: r.keyArn } : {}) };
  },

  async ListRetirableGrants({ input, scope, rpc }) {
    const retiringPrincipal = input.string('RetiringPrincipal', { required: true, max: 256 })!;
    const limit = input.integer('Limit', { min: 1, max: LIST_GRANTS_MAX_LIMIT }) ?? 50;
    const marker = input.string('Marker', { max: 1024 });
    input.done();
    const r = await rpc.send<ListGrantsReply>(Subjects.keys.listRetirableGrants, {
      ...scope,
      retiringPrincipal,
      limit,
      ...(marker !== undefined ? { marker } : {}),
    });
    return { output: grantList(r) };
  },

  async RetireGrant({ input, scope, rpc }) {
    const grantToken = input.string('GrantToken', { max: 8192 });
    const id = input.string('KeyId', { max: 2048 });
    const grantId = input.string('GrantId', { max: 128 });
    noDryRun(input);
    input.done();
    if (grantToken === undefined && (id === undefined || grantId === undefined)) {
      throw validationError('Specify GrantToken, or both KeyId and GrantId.');
    }
    const r = await rpc.send<{ keyArn?: string }>(Subjects.keys.retireGrant, {
      ...scope,
      ...(grantToken !== undefined ? { grantToken } : { keyId: id, grantId }),
    });
    return { output: {}, ...(r.keyArn !== undefined ? { keyArn: r.keyArn } : {}) };
  },

  async RevokeGrant({ input, scope, rpc }) {
    const id = requiredKeyId(input);
    const grantId = input.string('GrantId', { required: true, max: 128 })!;
    noDryRun(input);
    input.done();
    const r = await rpc.send<{ keyArn: string }>(Subjects.keys.revokeGrant, { ...scope, keyId: id, grantId });
    return { output: {}, keyArn: r.keyArn };
  },
};
