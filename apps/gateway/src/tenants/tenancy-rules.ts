/** Names, ids and limits of accounts, users and access keys, as IAM has them. Pure functions, no I/O. */

/** The account that owns the platform's own keys: never created, listed or addressed through the public API. */
export const INTERNAL_ACCOUNT_ID = '000000000000';

/** IAM: at most two access keys per user, active or not. */
export const MAX_ACCESS_KEYS_PER_USER = 2;

export const USER_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const ACCOUNT_NAME_PATTERN = /^[\w+=,.@ -]{1,256}$/;
export const ACCESS_KEY_ID_PATTERN = /^[\w]{16,128}$/;

export type AccessKeyStatus = 'Active' | 'Inactive';
export const ACCESS_KEY_STATUSES: readonly AccessKeyStatus[] = ['Active', 'Inactive'];

export function isValidUserName(name: string): boolean {
  return USER_NAME_PATTERN.test(name);
}

/** A tenant account id: 12 digits, and not the reserved internal account. */
export function isTenantAccountId(id: string): boolean {
  return ACCOUNT_ID_PATTERN.test(id) && id !== INTERNAL_ACCOUNT_ID;
}

export function userArn(accountId: string, userName: string): string {
  return `arn:aws:iam::${accountId}:user/${userName}`;
}

/** The user name of a user ARN, or undefined when the ARN names no user. */
export function userNameOf(arn: string): string | undefined {
  const m = /^arn:aws:iam::\d{12}:user\/(.+)$/.exec(arn);
  return m?.[1];
}
