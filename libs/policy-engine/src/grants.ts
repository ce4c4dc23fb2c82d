/** The operations a grant may allow (AWS's GrantOperation values). */
export const GRANT_OPERATIONS = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'Sign',
  'Verify',
  'GetPublicKey',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
] as const;
export type GrantOperation = (typeof GRANT_OPERATIONS)[number];

/** Operations that take an encryption context: the only ones grant constraints apply to (as AWS documents). */
const WITH_CONTEXT = new Set<string>([
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'CreateGrant',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
]);

export interface GrantConstraints {
  /** The request's encryption context must be exactly this. */
  encryptionContextEquals?: Readonly<Record<string, string>>;
  /** The request's encryption context must include these pairs. */
  encryptionContextSubset?: Readonly<Record<string, string>>;
}

export interface GrantRule {
  grantId: string;
  /** An IAM ARN; an account's root ARN covers that account's principals whose identity policies allow it. */
  granteePrincipal: string;
  operations: readonly string[];
  constraints?: GrantConstraints;
}

/** Does the grant's operation list and constraint cover `operation` with this encryption context? */
export function grantCovers(
  grant: GrantRule,
  operation: string,
  encryptionContext: Readonly<Record<string, string>> | undefined,
): boolean {
  if (!grant.operations.includes(operation)) return false;
  const c = grant.constraints;
  if (!c || !WITH_CONTEXT.has(operation)) return true;
  const ec = encryptionContext ?? {};
  if (c.encryptionContextEquals) {
    const want = Object.entries(c.encryptionContextEquals);
    if (want.length !== Object.keys(ec).length) return false;
    if (!want.every(([k, v]) => Object.hasOwn(ec, k) && ec[k] === v)) return false;
  }
  if (c.encryptionContextSubset) {
    if (!Object.entries(c.encryptionContextSubset).every(([k, v]) => Object.hasOwn(ec, k) && ec[k] === v)) {
      return false;
    }
  }
  return true;
}
