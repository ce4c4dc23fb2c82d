import {
  type DecisionDto,
  type KeyMetadataDto,
  type TenantScopedRequest,
  grantIdOfToken,
} from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { AwsError } from '../aws-error.js';
import type { Input } from './input.js';

/** What every AWS operation handler receives and returns, and the pieces several of them share. */
export interface OperationResult {
  output: Record<string, unknown>;
  keyArn?: string;
  keyVersion?: number;
  encryptionContext?: Record<string, string>;
  decision?: DecisionDto;
}

export interface OperationCall {
  input: Input;
  scope: TenantScopedRequest;
  rpc: RpcClient;
  /** Filled in as soon as the request names them, so failures are audited with them too. */
  audit: { encryptionContext?: Record<string, string> };
}

export type Operation = (call: OperationCall) => Promise<OperationResult>;

export const SYMMETRIC = 'SYMMETRIC_DEFAULT';
export const unsupported = (what: string) =>
  new AwsError('UnsupportedOperationException', `${what} is not supported by this endpoint.`);

export function keyMetadata(k: KeyMetadataDto): Record<string, unknown> {
  return {
    AWSAccountId: k.accountId,
    KeyId: k.keyId,
    Arn: k.arn,
    CreationDate: Date.parse(k.creationDate) / 1000,
    Enabled: k.keyState === 'Enabled',
    Description: k.description,
    KeyUsage: k.keyUsage,
    KeyState: k.keyState,
    Origin: k.origin,
    ...(k.customKeyStoreId !== undefined ? { CustomKeyStoreId: k.customKeyStoreId } : {}),
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: k.keySpec,
    KeySpec: k.keySpec,
    EncryptionAlgorithms: [SYMMETRIC],
    MultiRegion: false,
    ...(k.deletionDate !== undefined ? { DeletionDate: Date.parse(k.deletionDate) / 1000 } : {}),
    ...(k.pendingDeletionWindowInDays !== undefined
      ? { PendingDeletionWindowInDays: k.pendingDeletionWindowInDays }
      : {}),
  };
}

export function encryptionAlgorithm(input: Input): void {
  const known = [SYMMETRIC, 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const;
  const alg = input.oneOf('EncryptionAlgorithm', known);
  input.done();
  if (alg !== undefined && alg !== SYMMETRIC) {
    throw new AwsError('InvalidKeyUsageException', `${alg} is not supported for symmetric keys.`);
  }
}

/**
 * GrantTokens: at most 10, each one this service issued (InvalidGrantTokenException otherwise). Grants take effect
 * at once here, so a valid token adds nothing to the decision: the grant it names is already in force.
 */
export function grantTokens(input: Input): void {
  const tokens = input.stringList('GrantTokens', { maxItems: 10, maxLength: 8192 });
  input.done(); // a wrong count or length is a ValidationException first
  for (const token of tokens) {
    if (grantIdOfToken(token) === undefined) {
      throw new AwsError('InvalidGrantTokenException', 'The grant token is not valid.');
    }
  }
}

/** KeyId, which most operations require: 1 to 2048 characters. */
export function requiredKeyId(input: Input): string {
  return input.string('KeyId', { required: true, max: 2048 })!;
}

export function noDryRun(input: Input): void {
  if (input.boolean('DryRun')) throw unsupported('DryRun');
}
