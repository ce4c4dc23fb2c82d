import {
  ENVELOPE_DATA_KEY_LENGTH,
  ENVELOPE_SPLIT_HKDF_INFO,
  type EnvelopeAuthority,
  type EnvelopeHeader,
  type KeyRecipe,
  recipeParts,
  wrapBinding,
  bufferSource,
} from '@symbolon/formats';

import type { Authority } from './authority.js';
import { SdkError, needs } from './errors.js';

/**
 * How the data key is protected, by authority id: a chain (each authority wraps what the one before gave) or a split
 * (the data key derived from shares, each under its own chain). docs/formats/envelope-v1.md, "Schemes as recipes".
 */
export type Scheme = { chain: readonly string[] } | { split: readonly { chain: readonly string[] }[] };

/** The named schemes of DESIGN.md, as chains and splits. */
export const schemes = {
  managedThenCustomer: (kms: string, customer: string): Scheme => ({ chain: [kms, customer] }),
  customerThenManaged: (customer: string, kms: string): Scheme => ({ chain: [customer, kms] }),
  twoProviders: (kms1: string, kms2: string): Scheme => ({ chain: [kms1, kms2] }),
  splitKey: (customer: string, kms: string): Scheme => ({ split: [{ chain: [customer] }, { chain: [kms] }] }),
};

const SHARE_LENGTH = ENVELOPE_DATA_KEY_LENGTH;
const encoder = new TextEncoder();

/** The chains of a scheme, with the part name each has in the header. */
function chainsOf(scheme: Scheme): { part: string; chain: readonly string[] }[] {
  const isChain = (c: unknown) => Array.isArray(c) && c.length > 0 && c.every((id) => typeof id === 'string');
  /* Precondition: a scheme is a chain of authority ids or a split of such chains (configurations are JSON). */
  needs(
    typeof scheme === 'object' &&
      scheme !== null &&
      ('chain' in scheme
        ? isChain(scheme.chain)
        : Array.isArray((scheme as { split?: unknown }).split) &&
          scheme.split.every((s) => isChain((s as { chain?: unknown } | null)?.chain))),
    'a scheme is a chain of authority ids or a split of such chains',
  );
  return 'chain' in scheme
    ? [{ part: 'key', chain: scheme.chain }]
    : scheme.split.map((s, i) => ({ part: `split.${i}`, chain: s.chain }));
}

/**
 * Wraps fresh secrets through every chain of `scheme` and answers the header's authorities and key recipe, with the
 * data key. The first authority of a chain makes the secret when it can (KMS GenerateDataKey: managed-then-customer),
 * else the secret is random here.
 */
export async function protectDataKey(
  scheme: Scheme,
  authorities: ReadonlyMap<string, Authority>,
  bind: (part: string, layer: number) => Record<string, string>,
): Promise<{ authorities: EnvelopeAuthority[]; key: KeyRecipe; dataKey: Uint8Array }> {
  const chains = chainsOf(scheme);
  const order: string[] = [];
  for (const { chain } of chains) for (const id of chain) order.push(id);
  /* Precondition: a scheme uses each authority once. */
  needs(new Set(order).size === order.length, 'a scheme uses each authority once');
  const indexOf = new Map(order.map((id, i) => [id, i]));
  const parts: { chain: number[]; wrapped: Uint8Array; secret: Uint8Array }[] = [];
  for (const { part, chain } of chains) {
    let secret: Uint8Array | undefined;
    let value: Uint8Array | undefined;
    for (const [layer, id] of chain.entries()) {
      const authority = authorities.get(id);
      if (!authority) throw new SdkError('CONFIG', `the scheme names authority ${id}, which was not given`);
      if (layer === 0 && authority.generate) {
        ({ plaintext: secret, wrapped: value } = await authority.generate(bind(part, 0)));
        // A secret of another length would make an envelope nobody can ever open.
        if (secret.length !== SHARE_LENGTH) {
          throw new SdkError(
            'AUTHORITY_FAILED',
            `authority ${id} made a secret of ${secret.length} bytes`,
            id,
          );
        }
        continue;
      }
      if (layer === 0) {
        secret = crypto.getRandomValues(new Uint8Array(SHARE_LENGTH));
        value = secret;
      }
      value = await authority.wrap(value!, bind(part, layer));
    }
    parts.push({ chain: chain.map((id) => indexOf.get(id)!), wrapped: value!, secret: secret! });
  }
  const described = order.map((id) => authorities.get(id)!.describe());
  if ('chain' in scheme) {
    const [only] = parts;
    return {
      authorities: described,
      key: { chain: only!.chain, wrapped: only!.wrapped },
      dataKey: only!.secret,
    };
  }
  return {
    authorities: described,
    key: { split: parts.map(({ chain, wrapped }) => ({ chain, wrapped })) },
    dataKey: await combineShares(parts.map((p) => p.secret)),
  };
}

/** Unwraps every part of the header's key recipe, outermost authority first, and answers the data key. */
export async function recoverDataKey(
  header: EnvelopeHeader,
  resolve: (described: EnvelopeAuthority) => Authority,
): Promise<Uint8Array> {
  const secrets: Uint8Array[] = [];
  for (const { part, chain, wrapped } of recipeParts(header)) {
    let value = wrapped;
    for (let layer = chain.length - 1; layer >= 0; layer--) {
      const authority = resolve(header.authorities[chain[layer]!]!);
      value = await authority.unwrap(value, wrapBinding(header, part, layer));
    }
    if (value.length !== SHARE_LENGTH) {
      throw new SdkError(
        'INVALID_ENVELOPE',
        `part ${part} unwrapped to ${value.length} bytes, not a 32-byte key`,
      );
    }
    secrets.push(value);
  }
  return 'chain' in header.key ? secrets[0]! : combineShares(secrets);
}

/** DK = HKDF-SHA-256(IKM = S1 || ... || Sm, salt = empty, info = "symbolon.envelope.v1.split" || m, L = 32). */
async function combineShares(shares: readonly Uint8Array[]): Promise<Uint8Array> {
  const ikm = new Uint8Array(shares.length * SHARE_LENGTH);
  shares.forEach((s, i) => ikm.set(s, i * SHARE_LENGTH));
  const label = encoder.encode(ENVELOPE_SPLIT_HKDF_INFO);
  const info = new Uint8Array(label.length + 1);
  info.set(label);
  info[label.length] = shares.length;
  const key = await crypto.subtle.importKey('raw', bufferSource(ikm), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: bufferSource(info) },
    key,
    SHARE_LENGTH * 8,
  );
  return new Uint8Array(bits);
}
