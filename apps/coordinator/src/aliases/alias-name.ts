/** Alias names and ARNs as AWS writes them. */
const ALIAS_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

export function aliasArn(region: string, accountId: string, aliasName: string): string {
  return `arn:aws:kms:${region}:${accountId}:${aliasName}`;
}

/** An alias name (`alias/x`) or alias ARN; undefined for anything else. */
export function parseAliasRef(
  input: string,
): { aliasName: string; region?: string; accountId?: string } | undefined {
  if (input.startsWith('alias/')) return { aliasName: input };
  const m = ALIAS_ARN.exec(input);
  if (!m) return undefined;
  const [, region, accountId, aliasName] = m as unknown as [string, string, string, string];
  return { aliasName, region, accountId };
}
