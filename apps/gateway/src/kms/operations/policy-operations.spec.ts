import { type GrantDto, Subjects, grantToken } from '@symbolon/contracts';

import { RecordingRpc } from '../../../../../libs/testing/src/fakes/index.js';
import { ARN, KEY_ID, SCOPE, refusal, run } from './operation.test-helper.js';

const GRANT_ID = 'a'.repeat(64);
const TOKEN = grantToken(GRANT_ID, 'nonce-0123456789ab');
const GRANTEE = 'arn:aws:iam::444455556666:role/app';
const RETIRER = 'arn:aws:iam::111122223333:user/ops';
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [] });

const answering = (subject: string, reply: unknown = { keyArn: ARN }) =>
  new RecordingRpc().reply(subject, reply);

function grant(overrides: Partial<GrantDto> = {}): GrantDto {
  return {
    keyArn: ARN,
    grantId: GRANT_ID,
    creationDate: '2024-01-02T03:04:05.500Z',
    granteePrincipal: GRANTEE,
    issuingAccount: '111122223333',
    operations: ['Decrypt', 'Encrypt'],
    ...overrides,
  };
}

/** A grant with every optional member, and the AWS Grants entry it becomes. */
const FULL_GRANT = grant({
  name: 'batch',
  retiringPrincipal: RETIRER,
  constraints: { encryptionContextEquals: { app: 'x' }, encryptionContextSubset: { env: 'prod' } },
});
const FULL_ENTRY = {
  KeyId: ARN,
  GrantId: GRANT_ID,
  Name: 'batch',
  CreationDate: 1704164645.5,
  GranteePrincipal: GRANTEE,
  RetiringPrincipal: RETIRER,
  IssuingAccount: 'arn:aws:iam::111122223333:root',
  Operations: ['Decrypt', 'Encrypt'],
  Constraints: { EncryptionContextEquals: { app: 'x' }, EncryptionContextSubset: { env: 'prod' } },
};
const PLAIN_ENTRY = {
  KeyId: ARN,
  GrantId: GRANT_ID,
  CreationDate: 1704164645.5,
  GranteePrincipal: GRANTEE,
  IssuingAccount: 'arn:aws:iam::111122223333:root',
  Operations: ['Decrypt', 'Encrypt'],
};

const CREATE = { KeyId: KEY_ID, GranteePrincipal: GRANTEE, Operations: ['Decrypt'] };

describe('policyOperations', () => {
  describe('PutKeyPolicy', () => {
    it('should send the policy with the lockout check on to the coordinator and answer an empty body when valid', async () => {
      const rpc = answering(Subjects.keys.putKeyPolicy);
      const r = await run('PutKeyPolicy', { KeyId: KEY_ID, Policy: POLICY }, rpc);
      expect(rpc.calls).toEqual([
        {
          subject: Subjects.keys.putKeyPolicy,
          payload: { ...SCOPE, keyId: KEY_ID, policy: POLICY, bypassPolicyLockoutSafetyCheck: false },
        },
      ]);
      expect(r).toEqual({ output: {}, keyArn: ARN });
    });

    it('should pass BypassPolicyLockoutSafetyCheck when PolicyName is default and the bypass is asked for', async () => {
      const rpc = answering(Subjects.keys.putKeyPolicy);
      await run(
        'PutKeyPolicy',
        { KeyId: ARN, Policy: POLICY, PolicyName: 'default', BypassPolicyLockoutSafetyCheck: true },
        rpc,
      );
      expect(rpc.calls[0]!.payload).toEqual({
        ...SCOPE,
        keyId: ARN,
        policy: POLICY,
        bypassPolicyLockoutSafetyCheck: true,
      });
    });

    it('should accept a policy of 131072 characters and refuse 131073 when the document is that long', async () => {
      await run(
        'PutKeyPolicy',
        { KeyId: KEY_ID, Policy: 'p'.repeat(131_072) },
        answering(Subjects.keys.putKeyPolicy),
      );
      const e = await refusal('PutKeyPolicy', { KeyId: KEY_ID, Policy: 'p'.repeat(131_073) });
      expect(e.type).toBe('ValidationException');
    });
  });

  describe('GetKeyPolicy', () => {
    it('should send the key id to the coordinator and answer the policy named default when the key exists', async () => {
      const rpc = answering(Subjects.keys.getKeyPolicy, { keyArn: ARN, policy: POLICY });
      const r = await run('GetKeyPolicy', { KeyId: KEY_ID }, rpc);
      expect(rpc.calls).toEqual([
        { subject: Subjects.keys.getKeyPolicy, payload: { ...SCOPE, keyId: KEY_ID } },
      ]);
      expect(r).toEqual({ output: { Policy: POLICY, PolicyName: 'default' }, keyArn: ARN });
    });

    it('should answer the policy when PolicyName is given as default', async () => {
      const rpc = answering(Subjects.keys.getKeyPolicy, { keyArn: ARN, policy: POLICY });
      const r = await run('GetKeyPolicy', { KeyId: KEY_ID, PolicyName: 'default' }, rpc);
      expect(r.output).toEqual({ Policy: POLICY, PolicyName: 'default' });
    });
  });

  describe('ListKeyPolicies', () => {
    it('should send only the key id and answer the policy names untruncated when Limit and Marker are given', async () => {
      const rpc = answering(Subjects.keys.listKeyPolicies, { keyArn: ARN, policyNames: ['default'] });
      const r = await run('ListKeyPolicies', { KeyId: KEY_ID, Limit: 1000, Marker: 'm' }, rpc);
      expect(rpc.calls).toEqual([
        { subject: Subjects.keys.listKeyPolicies, payload: { ...SCOPE, keyId: KEY_ID } },
      ]);
      expect(r).toEqual({ output: { PolicyNames: ['default'], Truncated: false }, keyArn: ARN });
    });
  });

  describe('CreateGrant', () => {
    it('should send only the given members and answer GrantToken and GrantId when the request is minimal', async () => {
      const rpc = answering(Subjects.keys.createGrant, {
        keyArn: ARN,
        grantId: GRANT_ID,
        grantToken: TOKEN,
      });
      const r = await run('CreateGrant', CREATE, rpc);
      expect(rpc.calls).toEqual([
        {
          subject: Subjects.keys.createGrant,
          payload: { ...SCOPE, keyId: KEY_ID, granteePrincipal: GRANTEE, operations: ['Decrypt'] },
        },
      ]);
      expect(r).toEqual({ output: { GrantToken: TOKEN, GrantId: GRANT_ID }, keyArn: ARN });
    });

    it('should send the retiring principal, name and both constraints when every member is given', async () => {
      const rpc = answering(Subjects.keys.createGrant, {
        keyArn: ARN,
        grantId: GRANT_ID,
        grantToken: TOKEN,
      });
      await run(
        'CreateGrant',
        {
          ...CREATE,
          Operations: ['Encrypt', 'Decrypt', 'RetireGrant'],
          RetiringPrincipal: RETIRER,
          Name: 'batch',
          Constraints: {
            EncryptionContextEquals: { app: 'x' },
            EncryptionContextSubset: { env: 'prod' },
          },
          GrantTokens: [TOKEN],
          DryRun: false,
        },
        rpc,
      );
      expect(rpc.calls[0]!.payload).toEqual({
        ...SCOPE,
        keyId: KEY_ID,
        granteePrincipal: GRANTEE,
        retiringPrincipal: RETIRER,
        operations: ['Encrypt', 'Decrypt', 'RetireGrant'],
        constraints: {
          encryptionContextEquals: { app: 'x' },
          encryptionContextSubset: { env: 'prod' },
        },
        name: 'batch',
      });
    });

    it('should send only the constraint given when Constraints holds one of the two', async () => {
      const rpc = answering(Subjects.keys.createGrant, {
        keyArn: ARN,
        grantId: GRANT_ID,
        grantToken: TOKEN,
      });
      await run('CreateGrant', { ...CREATE, Constraints: { EncryptionContextSubset: { env: 'prod' } } }, rpc);
      expect(rpc.calls[0]!.payload['constraints']).toEqual({ encryptionContextSubset: { env: 'prod' } });
    });

    it('should send no constraints when Constraints is an empty object', async () => {
      const rpc = answering(Subjects.keys.createGrant, {
        keyArn: ARN,
        grantId: GRANT_ID,
        grantToken: TOKEN,
      });
      await run('CreateGrant', { ...CREATE, Constraints: {} }, rpc);
      expect(rpc.calls[0]!.payload).not.toHaveProperty('constraints');
    });
  });

  describe('ListGrants', () => {
    it('should ask for 50 grants without filters and answer AWS Grants entries when no Limit is given', async () => {
      const rpc = answering(Subjects.keys.listGrants, { keyArn: ARN, grants: [FULL_GRANT, grant()] });
      const r = await run('ListGrants', { KeyId: KEY_ID }, rpc);
      expect(rpc.calls).toEqual([
        { subject: Subjects.keys.listGrants, payload: { ...SCOPE, keyId: KEY_ID, limit: 50 } },
      ]);
      expect(r).toEqual({ output: { Grants: [FULL_ENTRY, PLAIN_ENTRY], Truncated: false }, keyArn: ARN });
    });

    it('should pass Limit, Marker and the filters and answer Truncated with NextMarker when there are more', async () => {
      const rpc = answering(Subjects.keys.listGrants, {
        keyArn: ARN,
        grants: [grant()],
        nextMarker: 'b'.repeat(64),
      });
      const r = await run(
        'ListGrants',
        { KeyId: KEY_ID, Limit: 100, Marker: 'm', GrantId: GRANT_ID, GranteePrincipal: GRANTEE },
        rpc,
      );
      expect(rpc.calls[0]!.payload).toEqual({
        ...SCOPE,
        keyId: KEY_ID,
        limit: 100,
        marker: 'm',
        grantId: GRANT_ID,
        granteePrincipal: GRANTEE,
      });
      expect(r.output).toEqual({ Grants: [PLAIN_ENTRY], Truncated: true, NextMarker: 'b'.repeat(64) });
    });

    it('should give only the constraint a grant has when its constraints hold one', async () => {
      const rpc = answering(Subjects.keys.listGrants, {
        keyArn: ARN,
        grants: [grant({ constraints: { encryptionContextEquals: { a: '1' } } })],
      });
      const r = await run('ListGrants', { KeyId: KEY_ID }, rpc);
      expect((r.output['Grants'] as Record<string, unknown>[])[0]!['Constraints']).toEqual({
        EncryptionContextEquals: { a: '1' },
      });
    });

    it('should answer without keyArn when the coordinator gives none', async () => {
      const rpc = answering(Subjects.keys.listGrants, { grants: [] });
      const r = await run('ListGrants', { KeyId: KEY_ID }, rpc);
      expect(r).toEqual({ output: { Grants: [], Truncated: false } });
    });
  });

  describe('ListRetirableGrants', () => {
    it('should send the retiring principal with limit 50 and answer AWS Grants entries without a key', async () => {
      const rpc = answering(Subjects.keys.listRetirableGrants, { grants: [FULL_GRANT] });
      const r = await run('ListRetirableGrants', { RetiringPrincipal: RETIRER }, rpc);
      expect(rpc.calls).toEqual([
        {
          subject: Subjects.keys.listRetirableGrants,
          payload: { ...SCOPE, retiringPrincipal: RETIRER, limit: 50 },
        },
      ]);
      expect(r).toEqual({ output: { Grants: [FULL_ENTRY], Truncated: false } });
    });

    it('should pass Limit and Marker and answer NextMarker when there are more', async () => {
      const rpc = answering(Subjects.keys.listRetirableGrants, { grants: [grant()], nextMarker: 'n' });
      const r = await run('ListRetirableGrants', { RetiringPrincipal: RETIRER, Limit: 1, Marker: 'm' }, rpc);
      expect(rpc.calls[0]!.payload).toEqual({ ...SCOPE, retiringPrincipal: RETIRER, limit: 1, marker: 'm' });
      expect(r.output).toEqual({ Grants: [PLAIN_ENTRY], Truncated: true, NextMarker: 'n' });
    });
  });

  describe('RetireGrant', () => {
    it('should send only the token and answer an empty body without keyArn when GrantToken is given', async () => {
      const rpc = answering(Subjects.keys.retireGrant, {});
      const r = await run('RetireGrant', { GrantToken: TOKEN, KeyId: KEY_ID, GrantId: GRANT_ID }, rpc);
      expect(rpc.calls).toEqual([
        { subject: Subjects.keys.retireGrant, payload: { ...SCOPE, grantToken: TOKEN } },
      ]);
      expect(r).toEqual({ output: {} });
    });

    it('should send the key and grant id and answer the key ARN when no token is given', async () => {
      const rpc = answering(Subjects.keys.retireGrant);
      const r = await run('RetireGrant', { KeyId: KEY_ID, GrantId: GRANT_ID }, rpc);
      expect(rpc.calls).toEqual([
        { subject: Subjects.keys.retireGrant, payload: { ...SCOPE, keyId: KEY_ID, grantId: GRANT_ID } },
      ]);
      expect(r).toEqual({ output: {}, keyArn: ARN });
    });
  });

  describe('RevokeGrant', () => {
    it('should send the key and grant id and answer an empty body when valid', async () => {
      const rpc = answering(Subjects.keys.revokeGrant);
      const r = await run('RevokeGrant', { KeyId: KEY_ID, GrantId: GRANT_ID, DryRun: false }, rpc);
      expect(rpc.calls).toEqual([
        { subject: Subjects.keys.revokeGrant, payload: { ...SCOPE, keyId: KEY_ID, grantId: GRANT_ID } },
      ]);
      expect(r).toEqual({ output: {}, keyArn: ARN });
    });
  });

  describe('refusals', () => {
    it.each<[string, string, Record<string, unknown>, string]>([
      ['PutKeyPolicy', 'KeyId is missing', { Policy: POLICY }, 'ValidationException'],
      ['PutKeyPolicy', 'Policy is missing', { KeyId: KEY_ID }, 'ValidationException'],
      ['PutKeyPolicy', 'Policy is empty', { KeyId: KEY_ID, Policy: '' }, 'ValidationException'],
      ['PutKeyPolicy', 'Policy is a number', { KeyId: KEY_ID, Policy: 1 }, 'SerializationException'],
      [
        'PutKeyPolicy',
        'PolicyName is not default',
        { KeyId: KEY_ID, Policy: POLICY, PolicyName: 'other' },
        'ValidationException',
      ],
      [
        'PutKeyPolicy',
        'BypassPolicyLockoutSafetyCheck is a string',
        { KeyId: KEY_ID, Policy: POLICY, BypassPolicyLockoutSafetyCheck: 'true' },
        'SerializationException',
      ],
      ['GetKeyPolicy', 'KeyId is missing', {}, 'ValidationException'],
      ['GetKeyPolicy', 'KeyId is longer than 2048', { KeyId: 'k'.repeat(2049) }, 'ValidationException'],
      [
        'GetKeyPolicy',
        'PolicyName is not default',
        { KeyId: KEY_ID, PolicyName: 'Default' },
        'ValidationException',
      ],
      ['GetKeyPolicy', 'PolicyName is empty', { KeyId: KEY_ID, PolicyName: '' }, 'ValidationException'],
      ['ListKeyPolicies', 'KeyId is missing', {}, 'ValidationException'],
      ['ListKeyPolicies', 'Limit is 0', { KeyId: KEY_ID, Limit: 0 }, 'ValidationException'],
      ['ListKeyPolicies', 'Limit is 1001', { KeyId: KEY_ID, Limit: 1001 }, 'ValidationException'],
      ['ListKeyPolicies', 'Limit is a string', { KeyId: KEY_ID, Limit: '5' }, 'SerializationException'],
      [
        'CreateGrant',
        'KeyId is missing',
        { GranteePrincipal: GRANTEE, Operations: ['Decrypt'] },
        'ValidationException',
      ],
      [
        'CreateGrant',
        'GranteePrincipal is missing',
        { KeyId: KEY_ID, Operations: ['Decrypt'] },
        'ValidationException',
      ],
      [
        'CreateGrant',
        'Operations is missing',
        { KeyId: KEY_ID, GranteePrincipal: GRANTEE },
        'ValidationException',
      ],
      ['CreateGrant', 'Operations is empty', { ...CREATE, Operations: [] }, 'ValidationException'],
      [
        'CreateGrant',
        'Operations is a string',
        { ...CREATE, Operations: 'Decrypt' },
        'SerializationException',
      ],
      [
        'CreateGrant',
        'Operations holds 21 items',
        { ...CREATE, Operations: Array.from({ length: 21 }, () => 'Decrypt') },
        'ValidationException',
      ],
      ['CreateGrant', 'Constraints is a list', { ...CREATE, Constraints: [] }, 'SerializationException'],
      [
        'CreateGrant',
        'an EncryptionContextEquals value is not a string',
        { ...CREATE, Constraints: { EncryptionContextEquals: { a: 1 } } },
        'SerializationException',
      ],
      [
        'CreateGrant',
        'EncryptionContextSubset is a list',
        { ...CREATE, Constraints: { EncryptionContextSubset: ['a'] } },
        'SerializationException',
      ],
      [
        'CreateGrant',
        'an EncryptionContextEquals key is empty',
        { ...CREATE, Constraints: { EncryptionContextEquals: { '': 'v' } } },
        'ValidationException',
      ],
      ['CreateGrant', 'Name is longer than 256', { ...CREATE, Name: 'n'.repeat(257) }, 'ValidationException'],
      [
        'CreateGrant',
        'GrantTokens holds 11 items',
        { ...CREATE, GrantTokens: Array.from({ length: 11 }, () => TOKEN) },
        'ValidationException',
      ],
      [
        'CreateGrant',
        'a grant token is not of this service',
        { ...CREATE, GrantTokens: [TOKEN, 'AQpAM2RhZ'] },
        'InvalidGrantTokenException',
      ],
      ['CreateGrant', 'GrantTokens is a string', { ...CREATE, GrantTokens: TOKEN }, 'SerializationException'],
      ['CreateGrant', 'DryRun is true', { ...CREATE, DryRun: true }, 'UnsupportedOperationException'],
      ['ListGrants', 'KeyId is missing', {}, 'ValidationException'],
      ['ListGrants', 'Limit is 0', { KeyId: KEY_ID, Limit: 0 }, 'ValidationException'],
      ['ListGrants', 'Limit is 101', { KeyId: KEY_ID, Limit: 101 }, 'ValidationException'],
      ['ListGrants', 'Marker is empty', { KeyId: KEY_ID, Marker: '' }, 'ValidationException'],
      ['ListRetirableGrants', 'RetiringPrincipal is missing', {}, 'ValidationException'],
      [
        'ListRetirableGrants',
        'Limit is 101',
        { RetiringPrincipal: RETIRER, Limit: 101 },
        'ValidationException',
      ],
      ['RetireGrant', 'neither a token nor key and grant id is given', {}, 'ValidationException'],
      ['RetireGrant', 'only KeyId is given', { KeyId: KEY_ID }, 'ValidationException'],
      ['RetireGrant', 'only GrantId is given', { GrantId: GRANT_ID }, 'ValidationException'],
      ['RetireGrant', 'GrantToken is a number', { GrantToken: 1 }, 'SerializationException'],
      ['RetireGrant', 'DryRun is true', { GrantToken: TOKEN, DryRun: true }, 'UnsupportedOperationException'],
      ['RevokeGrant', 'KeyId is missing', { GrantId: GRANT_ID }, 'ValidationException'],
      ['RevokeGrant', 'GrantId is missing', { KeyId: KEY_ID }, 'ValidationException'],
      [
        'RevokeGrant',
        'GrantId is longer than 128',
        { KeyId: KEY_ID, GrantId: 'g'.repeat(129) },
        'ValidationException',
      ],
      [
        'RevokeGrant',
        'DryRun is true',
        { KeyId: KEY_ID, GrantId: GRANT_ID, DryRun: true },
        'UnsupportedOperationException',
      ],
    ])('should refuse %s without calling the coordinator when %s', async (op, _, body, type) => {
      expect((await refusal(op, body)).type).toBe(type);
    });

    it('should count both missing members in one ValidationException when KeyId and GrantId are missing', async () => {
      const e = await refusal('RevokeGrant', {});
      expect(e.message).toMatch(/^2 validation errors detected: /);
      expect(e.message).toContain("'keyId'");
      expect(e.message).toContain("'grantId'");
    });

    it('should say the policy name must be default when PolicyName is another name', async () => {
      const e = await refusal('GetKeyPolicy', { KeyId: KEY_ID, PolicyName: 'mine' });
      expect(e.message).toBe('PolicyName must be default; a key has only that policy.');
    });
  });
});

describe('grantTokens', () => {
  const ok = () =>
    new RecordingRpc().reply(Subjects.keys.createGrant, {
      keyArn: ARN,
      grantId: GRANT_ID,
      grantToken: TOKEN,
    });

  it('should accept 10 tokens of this service when GrantTokens is at the maximum', async () => {
    const rpc = ok();
    await run('CreateGrant', { ...CREATE, GrantTokens: Array.from({ length: 10 }, () => TOKEN) }, rpc);
    expect(rpc.calls).toHaveLength(1);
  });

  it('should leave the tokens out of the coordinator request when they are valid', async () => {
    const rpc = ok();
    await run('CreateGrant', { ...CREATE, GrantTokens: [TOKEN] }, rpc);
    expect(rpc.calls[0]!.payload).not.toHaveProperty('grantTokens');
  });

  it.each([
    ['an AWS token', 'AQpAM2RhZWI1ZjNiMTEyNjAyYzVkZGRiOWQwZTNhOWQ4NGU5'],
    ['a token with a short grant id', `sgt1.${'a'.repeat(63)}.nonce-0123456789ab`],
    ['a token with upper-case hex', `sgt1.${'A'.repeat(64)}.nonce-0123456789ab`],
    ['a token with a short nonce', `sgt1.${GRANT_ID}.short`],
    ['a token of another version', `sgt2.${GRANT_ID}.nonce-0123456789ab`],
  ])('should answer InvalidGrantTokenException when a token is %s', async (_, token) => {
    const e = await refusal('CreateGrant', { ...CREATE, GrantTokens: [token] });
    expect(e).toMatchObject({ type: 'InvalidGrantTokenException', message: 'The grant token is not valid.' });
  });

  it('should answer ValidationException before InvalidGrantTokenException when there are 11 foreign tokens', async () => {
    const e = await refusal('CreateGrant', { ...CREATE, GrantTokens: Array.from({ length: 11 }, () => 'x') });
    expect(e.type).toBe('ValidationException');
  });

  it('should answer ValidationException when a token is empty', async () => {
    expect((await refusal('CreateGrant', { ...CREATE, GrantTokens: [''] })).type).toBe('ValidationException');
  });

  it('should answer ValidationException when a token is longer than 8192 characters', async () => {
    const e = await refusal('CreateGrant', { ...CREATE, GrantTokens: ['t'.repeat(8193)] });
    expect(e.type).toBe('ValidationException');
  });

  it('should check GrantTokens the same way when the operation is Encrypt', async () => {
    const e = await refusal('Encrypt', { KeyId: KEY_ID, Plaintext: 'AAAA', GrantTokens: ['not-ours'] });
    expect(e.type).toBe('InvalidGrantTokenException');
  });
});
