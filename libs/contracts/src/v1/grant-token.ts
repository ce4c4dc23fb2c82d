/**
 * Grant tokens: `sgt1.<grant id>.<nonce>`. A token names its grant; it is not a secret (who may retire a grant is
 * decided by the caller's principal), so any number of tokens may name one grant.
 */
const GRANT_ID = /^[0-9a-f]{64}$/;
const TOKEN = /^sgt1\.([0-9a-f]{64})\.[A-Za-z0-9_-]{16,64}$/;

export function isGrantId(value: string): boolean {
  return GRANT_ID.test(value);
}

/** The grant id a token names, or undefined when it is not a grant token of this service. */
export function grantIdOfToken(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}

export function grantToken(grantId: string, nonce: string): string {
  return `sgt1.${grantId}.${nonce}`;
}
