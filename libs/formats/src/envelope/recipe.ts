import { needs } from '../needs.js';
import {
  type ChainRecipe,
  type EnvelopeAuthority,
  type EnvelopeHeader,
  ENVELOPE_KEY_PART,
} from './format.js';
import { normalizeHeader, readWrapped } from './validate.js';

/** One chain of a recipe: its part name (`key` or `split.<i>`), authority indexes and wrapped value. */
export interface RecipePart {
  readonly part: string;
  readonly chain: number[];
  readonly wrapped: Uint8Array;
}

/** The chain recipe named `part` in a normalized header, or undefined. */
export function findPart(header: EnvelopeHeader, part: string): ChainRecipe | undefined {
  if ('split' in header.key) {
    const match = /^split\.(0|[1-9][0-9]*)$/.exec(part);
    return match ? header.key.split[Number(match[1])] : undefined;
  }
  return part === ENVELOPE_KEY_PART ? header.key : undefined;
}

/**
 * Every chain of the header's recipe, in order: `key` for a top-level chain, `split.0`, `split.1`, ... for the
 * shares of a split. Copies. Accepts a draft header (wrapped values may be empty).
 */
export function recipeParts(header: EnvelopeHeader): RecipePart[] {
  const { key } = normalizeHeader(header, 'bytes', 'draft');
  if ('split' in key) {
    return key.split.map((c, i) => ({ part: `split.${i}`, chain: [...c.chain], wrapped: c.wrapped }));
  }
  return [{ part: ENVELOPE_KEY_PART, chain: [...key.chain], wrapped: key.wrapped }];
}

/**
 * A new header with the wrapped value of one part replaced (a writer filling a draft, or a re-wrap of the outer
 * layer). The input header is not changed.
 */
export function withWrapped(header: EnvelopeHeader, part: string, wrapped: Uint8Array): EnvelopeHeader {
  const current = normalizeHeader(header, 'bytes', 'draft');
  /* Precondition: the part is `key` for a chain recipe or `split.<i>` of an existing share. */
  needs(findPart(current, part) !== undefined, 'Envelope part does not exist');
  const value = readWrapped(wrapped, 'bytes', 'complete');
  const replace = (chain: ChainRecipe, name: string): ChainRecipe =>
    name === part ? { chain: chain.chain, wrapped: value } : chain;
  const key =
    'split' in current.key
      ? { split: current.key.split.map((c, i) => replace(c, `split.${i}`)) }
      : replace(current.key, ENVELOPE_KEY_PART);
  return { ...current, key };
}

/**
 * A new header with the authority at `index` replaced (re-wrap of a chain's outer layer under another authority).
 * The result is checked like any header (types, ids unique, ...). The input header is not changed.
 */
export function withAuthority(
  header: EnvelopeHeader,
  index: number,
  authority: EnvelopeAuthority,
): EnvelopeHeader {
  const current = normalizeHeader(header, 'bytes', 'draft');
  /* Precondition: the index names a listed authority. */
  needs(
    Number.isInteger(index) && index >= 0 && index < current.authorities.length,
    'Envelope authority index is out of range',
  );
  const authorities = current.authorities.map((a, i) => (i === index ? authority : a));
  return normalizeHeader({ ...current, authorities }, 'bytes', 'draft');
}
