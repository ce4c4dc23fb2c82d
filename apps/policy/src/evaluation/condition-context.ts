import type { EvaluatePolicyRequest } from '@symbolon/contracts';
import { type ContextValue, accountOfPrincipal } from '@symbolon/policy-engine';

/** Properties every Symbolon key has today (symmetric, generated in the tokens). */
const KEY_PROPERTIES = {
  'kms:KeyOrigin': 'AWS_KMS',
  'kms:KeySpec': 'SYMMETRIC_DEFAULT',
  'kms:KeyUsage': 'ENCRYPT_DECRYPT',
  'kms:KeyManager': 'CUSTOMER',
  'kms:MultiRegion': 'false',
};

/** The condition keys of a request, as AWS fills them in for KMS. Absent facts are absent keys. */
export function conditionContext(req: EvaluatePolicyRequest, now: Date): Record<string, ContextValue> {
  const account = accountOfPrincipal(req.principal);
  const ctx: Record<string, ContextValue> = {
    'aws:PrincipalArn': req.principal,
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
  };
  if (account !== undefined) {
    ctx['aws:PrincipalAccount'] = account;
    ctx['kms:CallerAccount'] = account;
  }
  const user = /^arn:aws:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(req.principal)?.[1];
  ctx['aws:PrincipalType'] =
    user !== undefined ? 'User' : req.principal.endsWith(':root') ? 'Account' : 'AssumedRole';
  if (user !== undefined) ctx['aws:username'] = user;
  if (req.sourceIp !== undefined) ctx['aws:SourceIp'] = req.sourceIp;
  if (req.secureTransport !== undefined) ctx['aws:SecureTransport'] = String(req.secureTransport);
  for (const [k, v] of Object.entries(req.principalTags ?? {})) ctx[`aws:PrincipalTag/${k}`] = v;
  for (const [k, v] of Object.entries(req.resourceTags ?? {})) ctx[`aws:ResourceTag/${k}`] = v;
  if (req.requestTags !== undefined) {
    for (const [k, v] of Object.entries(req.requestTags)) ctx[`aws:RequestTag/${k}`] = v;
    ctx['aws:TagKeys'] = Object.keys(req.requestTags);
  }
  if (req.keyArn !== '*') Object.assign(ctx, KEY_PROPERTIES);
  if (req.encryptionContext !== undefined && Object.keys(req.encryptionContext).length > 0) {
    for (const [k, v] of Object.entries(req.encryptionContext)) ctx[`kms:EncryptionContext:${k}`] = v;
    ctx['kms:EncryptionContextKeys'] = Object.keys(req.encryptionContext);
  }
  if (req.encryptionAlgorithm !== undefined) ctx['kms:EncryptionAlgorithm'] = req.encryptionAlgorithm;
  if (req.grantOperations !== undefined) ctx['kms:GrantOperations'] = req.grantOperations;
  if (req.reEncryptOnSameKey !== undefined) ctx['kms:ReEncryptOnSameKey'] = String(req.reEncryptOnSameKey);
  return ctx;
}
