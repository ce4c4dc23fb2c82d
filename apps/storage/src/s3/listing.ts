/**
 * The pure part of ListObjectsV2: request parameters, continuation tokens, and the paging itself (prefix, delimiter
 * roll-up into CommonPrefixes, MaxKeys, truncation), fed with keys in S3's order by a caller that reads them from
 * its database in batches.
 *
 * Order. S3 lists keys in UTF-8 binary order, which is Unicode code point order. JavaScript's `<` on strings compares
 * UTF-16 code units, which differs for keys mixing characters above U+FFFF (surrogate pairs, e.g. emoji) with
 * characters in U+E000..U+FFFF: `compareKeys` is the order to use. The database must produce the same order:
 * SQLite's default BINARY collation compares the UTF-8 bytes (right); PostgreSQL needs `COLLATE "C"` on the key
 * column or in the ORDER BY and the `>` comparison (its default collations are linguistic: wrong).
 *
 * Use:
 *
 * ```ts
 * const lister = new ObjectLister<Row>({ prefix, delimiter, startAfter, continuationToken, maxKeys });
 * while (lister.wantsMore) {
 *   // WHERE key LIKE prefix% [AND key > lister.after] ORDER BY key LIMIT n  (LIKE's wildcards in prefix escaped)
 *   const rows = await repository.keysAfter(lister.after, prefix, n);
 *   lister.push(rows, rows.length < n);
 * }
 * const page = lister.result();
 * ```
 *
 * `after` jumps past a rolled-up common prefix, so a folder of a million keys costs one query, not a thousand.
 */
import { S3Error } from './errors.js';

export const MAX_KEYS_LIMIT = 1000;
const INT32_MAX = 2_147_483_647;

/**
 * Compares two keys in Unicode code point order (= UTF-8 byte order), the order S3 lists keys in. Returns a negative
 * number, zero or a positive number, like a sort comparator.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/**
 * At the first differing UTF-16 code unit, surrogates (which encode U+10000 and above) must rank after U+E000..U+FFFF;
 * below U+D800 code units and code points agree.
 */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** The highest code point: `p + MAX_CHAR` is at or after every key that starts with `p`, in code point order. */
const MAX_CHAR = '\u{10FFFF}';

/**
 * The `max-keys` query parameter: 1000 when absent, values over 1000 lowered to 1000 (as S3 does).
 *
 * @throws S3Error InvalidArgument when it is not a decimal integer in 0..2147483647
 */
export function parseMaxKeys(value: string | undefined): number {
  if (value === undefined) return MAX_KEYS_LIMIT;
  const fields = { ArgumentName: 'max-keys', ArgumentValue: value };
  if (!/^-?[0-9]+$/.test(value) || Number(value) > INT32_MAX) {
    throw new S3Error(
      'InvalidArgument',
      'Provided max-keys not an integer or within integer range',
      undefined,
      fields,
    );
  }
  const n = Number(value);
  if (n < 0) {
    throw new S3Error(
      'InvalidArgument',
      'Argument maxKeys must be an integer between 0 and 2147483647',
      undefined,
      fields,
    );
  }
  return Math.min(n, MAX_KEYS_LIMIT);
}

/**
 * The `encoding-type` query parameter: undefined when absent, `'url'` when it says url.
 *
 * @throws S3Error InvalidArgument for any other value
 */
export function parseEncodingType(value: string | undefined): 'url' | undefined {
  if (value === undefined) return undefined;
  if (value.toLowerCase() === 'url') return 'url';
  throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', undefined, {
    ArgumentName: 'encoding-type',
    ArgumentValue: value,
  });
}

/**
 * Where a listing stopped: after the key `key`, or (`rolledUp`) after every key starting with the common prefix
 * `key`.
 */
export interface ListPosition {
  key: string;
  rolledUp: boolean;
}

const TOKEN_KEY = 'k';
const TOKEN_PREFIX = 'p';
const MAX_TOKEN_LENGTH = 2048;

/**
 * An opaque continuation token for a position: base64url (no padding) of a one-letter tag and the key, as UTF-8. It
 * carries nothing but a key the caller was just shown; a forged token only moves where the listing resumes, which
 * `start-after` allows anyway, so it is not signed.
 */
export function encodeContinuationToken(lastKey: string, rolledUp = false): string {
  return Buffer.from(`${rolledUp ? TOKEN_PREFIX : TOKEN_KEY}${lastKey}`, 'utf8').toString('base64url');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The position a continuation token stands for.
 *
 * @throws S3Error InvalidArgument 'The continuation token provided is incorrect' for anything encodeContinuationToken
 *   did not write (bad base64url, non-canonical encoding, bad UTF-8, unknown tag, too long)
 */
export function decodeContinuationToken(token: string): ListPosition {
  const incorrect = new S3Error(
    'InvalidArgument',
    'The continuation token provided is incorrect',
    undefined,
    {
      ArgumentName: 'continuation-token',
    },
  );
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token))
    throw incorrect;
  const bytes = Buffer.from(token, 'base64url');
  // Only the canonical spelling: the same bytes must encode back to the very same token.
  if (bytes.toString('base64url') !== token) throw incorrect;
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw incorrect;
  }
  const tag = text.slice(0, 1);
  if (tag !== TOKEN_KEY && tag !== TOKEN_PREFIX) throw incorrect;
  // No key holds U+0000 (names.ts), so no token this service wrote does.
  if (text.includes('\u0000')) throw incorrect;
  return { key: text.slice(1), rolledUp: tag === TOKEN_PREFIX };
}

export interface ListRequest {
  /** Only keys starting with it; '' for all. */
  prefix: string;
  /** Roll keys up to the first occurrence of it after the prefix; absent or '' for none. */
  delimiter?: string;
  /** List keys after this one; ignored when a continuation token is given (as S3 does). */
  startAfter?: string;
  continuationToken?: string;
  /** 0..1000, from parseMaxKeys. */
  maxKeys: number;
}

export interface ListPage<T> {
  contents: T[];
  commonPrefixes: string[];
  /** Contents plus common prefixes: what S3 reports as KeyCount. */
  keyCount: number;
  isTruncated: boolean;
  /** Set when isTruncated. */
  nextContinuationToken?: string;
}

/**
 * Collects one ListObjectsV2 page from keys fed in ascending order (`compareKeys`), in as many batches as the caller
 * likes. Every key fed must start with the prefix and come after `after`; a common prefix counts once toward
 * MaxKeys, like a key. The page is truncated only when one more entry (a key or a new common prefix) exists past
 * MaxKeys, so a truncated page never leads to an empty one.
 */
export class ObjectLister<T extends { readonly key: string }> {
  private readonly prefix: string;
  private readonly delimiter: string;
  private readonly maxKeys: number;
  private readonly contents: T[] = [];
  private readonly commonPrefixes: string[] = [];
  /** The last entry taken into the page, for the next continuation token. */
  private last: ListPosition | undefined;
  /** The common prefix whose keys are being skipped, if any. */
  private rolledUp: string | undefined;
  /** The last key fed (or the starting position): every key fed next must come after it. */
  private cursor: string | undefined;
  private done = false;
  private truncated = false;

  /** @throws S3Error InvalidArgument for a continuation token that does not decode */
  constructor(request: ListRequest) {
    this.prefix = request.prefix;
    this.delimiter = request.delimiter ?? '';
    this.maxKeys = request.maxKeys;
    if (request.continuationToken !== undefined) {
      const position = decodeContinuationToken(request.continuationToken);
      this.cursor = position.key;
      if (position.rolledUp) this.rolledUp = position.key;
    } else if (request.startAfter !== undefined && request.startAfter !== '') {
      this.cursor = request.startAfter;
    }
    if (this.maxKeys <= 0) this.done = true;
  }

  /** False once the page is complete: stop querying and call result(). */
  get wantsMore(): boolean {
    return !this.done;
  }

  /**
   * The exclusive lower bound for the next query (`key > after`), undefined to start at the prefix. Past a rolled-up
   * common prefix it is that prefix followed by U+10FFFF, which skips the prefix's keys in the database.
   */
  get after(): string | undefined {
    if (this.rolledUp === undefined) return this.cursor;
    const skip = this.rolledUp + MAX_CHAR;
    return this.cursor !== undefined && compareKeys(this.cursor, skip) > 0 ? this.cursor : skip;
  }

  /**
   * Feeds the next keys in order. `exhausted`: no key follows this batch (an empty batch also says so). Stops reading
   * `batch` as soon as the page is complete, so an iterator is not drained. Returns `wantsMore`.
   *
   * @throws Error when a key is out of order, not after the starting position, or outside the prefix: the caller's
   *   query is wrong, and the page would be too
   */
  push(batch: Iterable<T>, exhausted = false): boolean {
    if (this.done) return false;
    let empty = true;
    for (const entry of batch) {
      empty = false;
      this.take(entry);
      if (this.done) return false;
    }
    if (exhausted || empty) this.done = true;
    return !this.done;
  }

  private take(entry: T): void {
    const key = entry.key;
    /* Precondition: keys come in ascending order, after the starting position, and under the prefix. */
    if (!key.startsWith(this.prefix) || (this.cursor !== undefined && compareKeys(key, this.cursor) <= 0)) {
      throw new Error('keys fed to the lister must be ascending, after its position and under its prefix');
    }
    this.cursor = key;
    if (this.rolledUp !== undefined) {
      if (key.startsWith(this.rolledUp)) return;
      this.rolledUp = undefined;
    }
    const at = this.delimiter === '' ? -1 : key.indexOf(this.delimiter, this.prefix.length);
    const common = at < 0 ? undefined : key.slice(0, at + this.delimiter.length);
    if (this.contents.length + this.commonPrefixes.length >= this.maxKeys) {
      // One more entry exists past MaxKeys: the page is truncated, and complete.
      this.truncated = true;
      this.done = true;
      return;
    }
    if (common === undefined) {
      this.contents.push(entry);
      this.last = { key, rolledUp: false };
    } else {
      this.commonPrefixes.push(common);
      this.rolledUp = common;
      this.last = { key: common, rolledUp: true };
    }
  }

  /** The page so far; call it once wantsMore is false. */
  result(): ListPage<T> {
    const page: ListPage<T> = {
      contents: this.contents,
      commonPrefixes: this.commonPrefixes,
      keyCount: this.contents.length + this.commonPrefixes.length,
      isTruncated: this.truncated,
    };
    if (this.truncated && this.last !== undefined) {
      page.nextContinuationToken = encodeContinuationToken(this.last.key, this.last.rolledUp);
    }
    return page;
  }
}

/** One page from keys already in order (an array or any iterable, read only as far as needed). */
export function listPage<T extends { readonly key: string }>(
  sortedKeys: Iterable<T>,
  request: ListRequest,
): ListPage<T> {
  const lister = new ObjectLister<T>(request);
  lister.push(sortedKeys, true);
  return lister.result();
}
