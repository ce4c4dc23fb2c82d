import { S3Error } from './errors.js';
import {
  compareKeys,
  decodeContinuationToken,
  encodeContinuationToken,
  listPage,
  type ListPage,
  type ListRequest,
  ObjectLister,
  parseEncodingType,
  parseMaxKeys,
} from './listing.js';

function s3ErrorOf(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected an S3Error');
}

interface Row {
  key: string;
}

const rows = (keys: readonly string[]): Row[] => keys.map((key) => ({ key }));
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** A table of keys queried the way the storage service will: key > after AND key LIKE prefix%, ordered, LIMIT n. */
function fakeTable(keys: readonly string[]) {
  const sorted = [...keys].sort(utf8Order);
  const stats = { queries: 0, rowsRead: 0 };
  return {
    stats,
    query(after: string | undefined, prefix: string, limit: number): Row[] {
      stats.queries++;
      const found = sorted
        .filter((k) => k.startsWith(prefix) && (after === undefined || utf8Order(k, after) > 0))
        .slice(0, limit);
      stats.rowsRead += found.length;
      return rows(found);
    },
  };
}

function listFromTable(
  table: ReturnType<typeof fakeTable>,
  request: ListRequest,
  batchSize = 3,
): ListPage<Row> {
  const lister = new ObjectLister<Row>(request);
  while (lister.wantsMore) {
    const batch = table.query(lister.after, request.prefix, batchSize);
    lister.push(batch, batch.length < batchSize);
  }
  return lister.result();
}

/** Every page of a listing, following continuation tokens. */
function allPages(keys: readonly string[], request: Omit<ListRequest, 'continuationToken'>, batchSize = 3) {
  const table = fakeTable(keys);
  const pages: ListPage<Row>[] = [];
  let token: string | undefined;
  do {
    const page = listFromTable(table, { ...request, continuationToken: token }, batchSize);
    pages.push(page);
    token = page.nextContinuationToken;
    if (pages.length > 1000) throw new Error('listing does not end');
  } while (token !== undefined);
  return pages;
}

describe('compareKeys', () => {
  it('should order ASCII keys bytewise when they differ', () => {
    expect(compareKeys('a', 'b')).toBeLessThan(0);
    expect(compareKeys('B', 'a')).toBeLessThan(0);
    expect(compareKeys('a/b', 'a0')).toBeLessThan(0);
    expect(compareKeys('abc', 'abc')).toBe(0);
    expect(compareKeys('ab', 'abc')).toBeLessThan(0);
    expect(compareKeys('abc', 'ab')).toBeGreaterThan(0);
  });

  it('should put a character above U+FFFF after U+FF5E when JavaScript string order says otherwise', () => {
    // UTF-8: U+FF5E is EF BD 9E, U+1F600 is F0 9F 98 80; UTF-16: 0xFF5E > 0xD83D.
    expect('\uFF5E' < '😀').toBe(false);
    expect(compareKeys('\uFF5E', '😀')).toBeLessThan(0);
    expect(compareKeys('😀', '\uFF5E')).toBeGreaterThan(0);
    expect(compareKeys('😀', '😁')).toBeLessThan(0);
  });

  it('should agree with UTF-8 byte order when sorting keys with non-ASCII characters', () => {
    const keys = [
      'z',
      'é',
      'e',
      'ü/x',
      '日本',
      '\uE000',
      '\uFFFD',
      '😀',
      '𝄞',
      'a😀',
      'a\uFF5E',
      'a',
      'A',
      '~',
      '\u007F',
      '',
    ];
    expect([...keys].sort(compareKeys)).toEqual([...keys].sort(utf8Order));
  });
});

describe('parseMaxKeys', () => {
  it.each([
    [undefined, 1000],
    ['0', 0],
    ['1', 1],
    ['1000', 1000],
    ['1001', 1000],
    ['2147483647', 1000],
  ])('should return %s as %i when it is within range', (value, n) => {
    expect(parseMaxKeys(value)).toBe(n);
  });

  it.each(['abc', '', '1.5', '1e3', ' 1', '+1', '2147483648', '99999999999999999999'])(
    "should refuse with InvalidArgument when max-keys is '%s'",
    (value) => {
      const err = s3ErrorOf(() => parseMaxKeys(value));
      expect(err.code).toBe('InvalidArgument');
      expect(err.message).toBe('Provided max-keys not an integer or within integer range');
      expect(err.fields).toEqual({ ArgumentName: 'max-keys', ArgumentValue: value });
    },
  );

  it('should refuse with InvalidArgument when max-keys is negative', () => {
    const err = s3ErrorOf(() => parseMaxKeys('-1'));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toBe('Argument maxKeys must be an integer between 0 and 2147483647');
  });
});

describe('parseEncodingType', () => {
  it('should return undefined when encoding-type is absent', () => {
    expect(parseEncodingType(undefined)).toBeUndefined();
  });

  it('should return url when encoding-type is url in any case', () => {
    expect(parseEncodingType('url')).toBe('url');
    expect(parseEncodingType('URL')).toBe('url');
  });

  it('should refuse with InvalidArgument when encoding-type is something else', () => {
    const err = s3ErrorOf(() => parseEncodingType('base64'));
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toBe('Invalid Encoding Method specified in Request');
  });
});

describe('continuation tokens', () => {
  it.each([
    ['a key', 'photos/2006/January/sample.jpg', false],
    ['a common prefix', 'photos/2006/', true],
    ['an empty key', '', false],
    ['a non-ASCII key', 'été/日本/😀 ~+=&', false],
  ])('should decode what it encoded when the position is %s', (_name, key, rolledUp) => {
    const token = encodeContinuationToken(key, rolledUp);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeContinuationToken(token)).toEqual({ key, rolledUp });
  });

  it('should write distinct tokens when a key and a common prefix have the same text', () => {
    expect(encodeContinuationToken('a/')).not.toBe(encodeContinuationToken('a/', true));
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'ab+/'],
    ['padded', 'aw=='],
    ['too short to hold a byte', 'a'],
    ['not canonical', 'ax'],
    ['not UTF-8', Buffer.from([0x6b, 0xff, 0xfe]).toString('base64url')],
    ['of an unknown tag', Buffer.from('xkey').toString('base64url')],
    ['too long', encodeContinuationToken('k'.repeat(2000))],
  ])('should refuse with InvalidArgument when the token is %s', (_name, token) => {
    const err = s3ErrorOf(() => decodeContinuationToken(token));
    expect(err.code).toBe('InvalidArgument');
    expect(err.status).toBe(400);
    expect(err.message).toBe('The continuation token provided is incorrect');
  });
});

describe('listPage', () => {
  const photos = [
    'photos/2006/January/sample.jpg',
    'photos/2006/February/sample2.jpg',
    'photos/2006/February/sample3.jpg',
    'photos/2006/February/sample4.jpg',
    'photos/2006/index.html',
  ].sort(compareKeys);

  it('should return every key and no token when they fit in MaxKeys', () => {
    const page = listPage(rows(['a', 'b', 'c']), { prefix: '', maxKeys: 1000 });
    expect(page).toEqual({
      contents: rows(['a', 'b', 'c']),
      commonPrefixes: [],
      keyCount: 3,
      isTruncated: false,
    });
  });

  it('should roll keys up into common prefixes when a delimiter follows the prefix', () => {
    const page = listPage(rows(photos), { prefix: 'photos/2006/', delimiter: '/', maxKeys: 1000 });
    expect(page.contents).toEqual(rows(['photos/2006/index.html']));
    expect(page.commonPrefixes).toEqual(['photos/2006/February/', 'photos/2006/January/']);
    expect(page.keyCount).toBe(3);
    expect(page.isTruncated).toBe(false);
  });

  it('should look for the delimiter only after the prefix when the prefix contains it', () => {
    const page = listPage(rows(['a/b/c', 'a/d']), { prefix: 'a/', delimiter: '/', maxKeys: 10 });
    expect(page.commonPrefixes).toEqual(['a/b/']);
    expect(page.contents).toEqual(rows(['a/d']));
  });

  it('should roll up on a delimiter of several characters when one is given', () => {
    const keys = ['x--1--a', 'x--1--b', 'x-2', 'x--3'].sort(compareKeys);
    const page = listPage(rows(keys), { prefix: '', delimiter: '--', maxKeys: 10 });
    expect(page.commonPrefixes).toEqual(['x--']);
    expect(page.contents).toEqual(rows(['x-2']));
  });

  it('should not roll up when the delimiter is empty', () => {
    const page = listPage(rows(['a/b', 'a/c']), { prefix: '', delimiter: '', maxKeys: 10 });
    expect(page.contents).toEqual(rows(['a/b', 'a/c']));
    expect(page.commonPrefixes).toEqual([]);
  });

  it('should count a common prefix once toward MaxKeys when truncating', () => {
    const page = listPage(rows(photos), { prefix: 'photos/2006/', delimiter: '/', maxKeys: 2 });
    expect(page.commonPrefixes).toEqual(['photos/2006/February/', 'photos/2006/January/']);
    expect(page.contents).toEqual([]);
    expect(page.keyCount).toBe(2);
    expect(page.isTruncated).toBe(true);
    expect(decodeContinuationToken(page.nextContinuationToken!)).toEqual({
      key: 'photos/2006/January/',
      rolledUp: true,
    });
  });

  it('should not be truncated when exactly MaxKeys entries exist', () => {
    const page = listPage(rows(['a', 'b']), { prefix: '', maxKeys: 2 });
    expect(page.isTruncated).toBe(false);
    expect(page.nextContinuationToken).toBeUndefined();
  });

  it('should not be truncated when the keys past MaxKeys all fall under the last common prefix', () => {
    const page = listPage(rows(['a', 'b/1', 'b/2', 'b/3']), { prefix: '', delimiter: '/', maxKeys: 2 });
    expect(page).toEqual({ contents: rows(['a']), commonPrefixes: ['b/'], keyCount: 2, isTruncated: false });
  });

  it('should return an empty page, not truncated, when MaxKeys is 0', () => {
    const page = listPage(rows(['a']), { prefix: '', maxKeys: 0 });
    expect(page).toEqual({ contents: [], commonPrefixes: [], keyCount: 0, isTruncated: false });
  });

  it('should start after StartAfter when it is given, excluding that key', () => {
    const page = listPage(rows(['c', 'd']), { prefix: '', startAfter: 'b', maxKeys: 10 });
    expect(page.contents).toEqual(rows(['c', 'd']));
    expect(() => listPage(rows(['b', 'c']), { prefix: '', startAfter: 'b', maxKeys: 10 })).toThrow(
      'keys fed to the lister must be ascending, after its position and under its prefix',
    );
  });

  it('should resume after the token and ignore StartAfter when both are given', () => {
    const table = fakeTable(['a', 'b', 'c', 'd']);
    const page = listFromTable(table, {
      prefix: '',
      startAfter: 'c',
      continuationToken: encodeContinuationToken('a'),
      maxKeys: 10,
    });
    expect(page.contents).toEqual(rows(['b', 'c', 'd']));
  });

  it('should skip the keys of a rolled-up prefix when resuming from its token', () => {
    const table = fakeTable(['a/1', 'a/2', 'b']);
    const page = listFromTable(table, {
      prefix: '',
      delimiter: '/',
      continuationToken: encodeContinuationToken('a/', true),
      maxKeys: 10,
    });
    expect(page).toEqual({ contents: rows(['b']), commonPrefixes: [], keyCount: 1, isTruncated: false });
  });

  it('should keep a rolled-up prefix skipped when keys sort after prefix + U+10FFFF', () => {
    // Such a key starts with the prefix yet comes after the skip bound the lister hands to the database.
    const page = listPage(rows(['a/1', 'a/\u{10FFFF}x', 'b']), { prefix: '', delimiter: '/', maxKeys: 10 });
    expect(page.commonPrefixes).toEqual(['a/']);
    expect(page.contents).toEqual(rows(['b']));
  });

  it('should refuse with InvalidArgument when the continuation token is incorrect', () => {
    expect(s3ErrorOf(() => listPage([], { prefix: '', continuationToken: '!!', maxKeys: 10 })).code).toBe(
      'InvalidArgument',
    );
  });

  it('should list keys with non-ASCII characters in UTF-8 order across pages', () => {
    const keys = ['é/1', 'e/1', 'z', '😀', '\uFF5E', '日本/a', '日本/b', 'a😀', 'a\uFF5E', 'A'];
    const pages = allPages(keys, { prefix: '', maxKeys: 2 }, 2);
    expect(pages.flatMap((p) => p.contents.map((r) => r.key))).toEqual([...keys].sort(utf8Order));
    const grouped = allPages(keys, { prefix: '', delimiter: '/', maxKeys: 2 }, 2);
    // Within a page, keys and common prefixes interleave in key order.
    const entries = grouped.flatMap((p) =>
      [...p.contents.map((r) => r.key), ...p.commonPrefixes].sort(compareKeys),
    );
    expect(entries).toEqual(['A', 'a\uFF5E', 'a😀', 'e/', 'z', 'é/', '日本/', '\uFF5E', '😀']);
  });

  it('should list every entry exactly once across pages when following tokens, for every MaxKeys', () => {
    const keys = [
      'a',
      'b/1',
      'b/2',
      'b/c/1',
      'c',
      'd/1',
      'd/2',
      'd/3',
      'e',
      'prefix/x',
      'prefix/y/1',
      'prefix/y/2',
      'prefix/z',
    ];
    const expected = { keys: ['a', 'c', 'e'], prefixes: ['b/', 'd/', 'prefix/'] };
    for (let maxKeys = 1; maxKeys <= 7; maxKeys++) {
      for (const batchSize of [1, 2, 5, 100]) {
        const pages = allPages(keys, { prefix: '', delimiter: '/', maxKeys }, batchSize);
        expect(pages.flatMap((p) => p.contents.map((r) => r.key))).toEqual(expected.keys);
        expect(pages.flatMap((p) => p.commonPrefixes)).toEqual(expected.prefixes);
        for (const page of pages) {
          expect(page.keyCount).toBeLessThanOrEqual(maxKeys);
          expect(page.keyCount).toBeGreaterThan(0);
          expect(page.isTruncated).toBe(page.nextContinuationToken !== undefined);
        }
      }
    }
  });

  it('should list only under the prefix when a prefix is given', () => {
    const pages = allPages(['a', 'prefix/x', 'prefix/y/1', 'prefix/y/2', 'prefiz'], {
      prefix: 'prefix/',
      delimiter: '/',
      maxKeys: 1,
    });
    expect(pages.map((p) => [...p.contents.map((r) => r.key), ...p.commonPrefixes])).toEqual([
      ['prefix/x'],
      ['prefix/y/'],
    ]);
  });

  it('should throw when keys are fed out of order', () => {
    expect(() => listPage(rows(['b', 'a']), { prefix: '', maxKeys: 10 })).toThrow(
      'keys fed to the lister must be ascending, after its position and under its prefix',
    );
    expect(() => listPage(rows(['a', 'a']), { prefix: '', maxKeys: 10 })).toThrow(
      'keys fed to the lister must be ascending, after its position and under its prefix',
    );
  });

  it('should throw when a key outside the prefix is fed', () => {
    expect(() => listPage(rows(['other']), { prefix: 'p/', maxKeys: 10 })).toThrow(
      'keys fed to the lister must be ascending, after its position and under its prefix',
    );
  });
});

describe('ObjectLister', () => {
  it('should want no key when MaxKeys is 0', () => {
    const lister = new ObjectLister<Row>({ prefix: '', maxKeys: 0 });
    expect(lister.wantsMore).toBe(false);
    expect(lister.push(rows(['a']))).toBe(false);
    expect(lister.result().contents).toEqual([]);
  });

  it('should start at the prefix, or after StartAfter or the token key, when asked where to query', () => {
    expect(new ObjectLister<Row>({ prefix: 'p/', maxKeys: 10 }).after).toBeUndefined();
    expect(new ObjectLister<Row>({ prefix: '', startAfter: '', maxKeys: 10 }).after).toBeUndefined();
    expect(new ObjectLister<Row>({ prefix: '', startAfter: 'k', maxKeys: 10 }).after).toBe('k');
    expect(
      new ObjectLister<Row>({ prefix: '', continuationToken: encodeContinuationToken('t'), maxKeys: 10 })
        .after,
    ).toBe('t');
    expect(
      new ObjectLister<Row>({
        prefix: '',
        continuationToken: encodeContinuationToken('d/', true),
        maxKeys: 10,
      }).after,
    ).toBe('d/\u{10FFFF}');
  });

  it('should move after the last key fed, or past a rolled-up prefix, when asked where to continue', () => {
    const lister = new ObjectLister<Row>({ prefix: '', delimiter: '/', maxKeys: 10 });
    expect(lister.push(rows(['a']))).toBe(true);
    expect(lister.after).toBe('a');
    lister.push(rows(['b/1']));
    expect(lister.after).toBe('b/\u{10FFFF}');
    lister.push(rows(['b/\u{10FFFF}z']));
    expect(lister.after).toBe('b/\u{10FFFF}z');
    lister.push(rows(['c']));
    expect(lister.after).toBe('c');
  });

  it('should finish when a batch is empty or marked as the last', () => {
    const a = new ObjectLister<Row>({ prefix: '', maxKeys: 10 });
    expect(a.push([])).toBe(false);
    expect(a.wantsMore).toBe(false);
    const b = new ObjectLister<Row>({ prefix: '', maxKeys: 10 });
    expect(b.push(rows(['x']), true)).toBe(false);
    expect(b.result().contents).toEqual(rows(['x']));
  });

  it('should stop reading an iterator when the page is complete', () => {
    let pulled = 0;
    function* keys(): Generator<Row> {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield { key: `k${String(i).padStart(4, '0')}` };
      }
    }
    const page = listPage(keys(), { prefix: '', maxKeys: 3 });
    expect(page.contents).toHaveLength(3);
    expect(page.isTruncated).toBe(true);
    expect(pulled).toBe(4);
  });

  it('should read a large rolled-up folder in a few queries when the database skips past it', () => {
    const keys = [
      ...Array.from({ length: 5000 }, (_, i) => `big/${String(i).padStart(5, '0')}`),
      'small/1',
      'top',
    ];
    const table = fakeTable(keys);
    const page = listFromTable(table, { prefix: '', delimiter: '/', maxKeys: 1000 }, 100);
    expect(page.commonPrefixes).toEqual(['big/', 'small/']);
    expect(page.contents).toEqual(rows(['top']));
    expect(table.stats.queries).toBeLessThanOrEqual(4);
    expect(table.stats.rowsRead).toBeLessThan(200);
  });

  it('should keep the rows the caller fed when returning contents', () => {
    const feed = [
      { key: 'a', size: 1 },
      { key: 'b', size: 2 },
    ];
    const page = listPage(feed, { prefix: '', maxKeys: 10 });
    expect(page.contents[1]).toBe(feed[1]);
  });
});
