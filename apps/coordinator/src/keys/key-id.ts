import { ErrorCodes, KmsError } from '@symbolon/contracts';

/** A KeyId as AWS accepts it: key id, key ARN, alias name or alias ARN. */
export type KeyRef =
  | { kind: 'id'; keyId: string }
  | { kind: 'arn'; region: string; accountId: string; keyId: string }
  | { kind: 'alias'; name: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;

export function parseKeyId(input: string): KeyRef {
  if (input.startsWith('alias/')) return { kind: 'alias', name: input };
  if (input.startsWith('arn:')) {
    const m = ARN.exec(input);
    if (!m) throw new KmsError(ErrorCodes.NOT_FOUND, `Invalid arn ${input}`);
    const [, region, accountId, type, rest] = m as unknown as [string, string, string, string, string];
    if (type === 'alias') return { kind: 'alias', name: `alias/${rest}` };
    if (!UUID.test(rest)) throw new KmsError(ErrorCodes.NOT_FOUND, `Invalid keyId ${rest}`);
    return { kind: 'arn', region, accountId, keyId: rest };
  }
  if (!UUID.test(input)) throw new KmsError(ErrorCodes.NOT_FOUND, `Invalid keyId ${input}`);
  return { kind: 'id', keyId: input };
}

export function keyArn(region: string, accountId: string, keyId: string): string {
  return `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
}
