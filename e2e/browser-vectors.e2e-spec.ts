/**
 * The known-answer vectors in a browser (STYLE.md, "SDK": they run under Node AND a browser runner). The test bundles
 * e2e/support/browser-vectors.entry.ts with esbuild (format esm, platform browser), serves it and the vector files
 * from a node:http server on 127.0.0.1, and runs them in Chromium on the page's own WebCrypto:
 * - every Wycheproof c2sp chunked-encryption vector (libs/formats/src/chunked/test-vectors.spec.ts; the same file,
 *   SYMBOLON_WYCHEPROOF_DIR included);
 * - the envelope header vectors (envelope-v1-headers.json): exact bytes, parse, round trip, sealed header, binding AAD,
 *   and refusals named by their message, made here from those vectors and checked under Node first;
 * - the SDK's committed envelopes-v1 fixtures with their test-only keys (customer keys and FixtureKms, the insecure
 *   test double of a KMS key: no KMS runs).
 * Node counts what each run must cover from the same files; the page reports every failing vector id. Needs no
 * platform and no dist/: only /usr/bin/chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseEnvelope } from '@symbolon/formats';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, inflateSync } from 'node:zlib';
import { type Browser, type Page, chromium } from 'playwright-core';

import type { RefusalCase, SuiteSummary, VectorsApi } from './support/browser-vectors.entry.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = join(ROOT, 'e2e', 'support', 'browser-vectors.entry.ts');
const VECTORS_DIR = join(ROOT, 'libs', 'formats', 'test-vectors');
const CHUNKED_FILE = 'c2sp_chunked_encryption_aes_256_gcm_test.json';
// As the Node spec: the repository's copy unless SYMBOLON_WYCHEPROOF_DIR names another folder.
const CHUNKED_PATH = join(
  process.env['SYMBOLON_WYCHEPROOF_DIR'] || join(VECTORS_DIR, 'wycheproof'),
  CHUNKED_FILE,
);

interface ChunkedVector {
  tcId: number;
  ct: string;
  msgSha512?: string;
  result: 'valid' | 'invalid';
  flags: string[];
  [field: string]: unknown;
}
interface ChunkedFile {
  numberOfTests: number;
  testGroups: { tests: ChunkedVector[]; [field: string]: unknown }[];
  [field: string]: unknown;
}
interface HeaderVector {
  name: string;
  headerJson: string;
  envelopeHex: string;
  [field: string]: unknown;
}
interface HeadersFile {
  vectors: HeaderVector[];
  [field: string]: unknown;
}
interface FixturesFile {
  fixtures: { name: string; file: string; plaintext: { sha256: string; length: number } }[];
  [field: string]: unknown;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const chunkedFile = readJson<ChunkedFile>(CHUNKED_PATH);
const headersFile = readJson<HeadersFile>(join(VECTORS_DIR, 'envelope-v1-headers.json'));
const fixturesFile = readJson<FixturesFile>(join(VECTORS_DIR, 'envelopes-v1.json'));

// ---------------------------------------------------------------------------------------------------------------
// What the Node specs run, counted from the same files
// ---------------------------------------------------------------------------------------------------------------

const chunkedTests = chunkedFile.testGroups.flatMap((g) => g.tests);
const chunkedIds = chunkedTests.map((t) => `tc${t.tcId}`);
const expectedChunkedKinds = (() => {
  const invalid = chunkedTests.filter((t) => t.result === 'invalid');
  const badKeySize = invalid.filter((t) => t.flags.includes('InvalidKeySize'));
  return {
    file: 1,
    valid: chunkedTests.filter((t) => t.result === 'valid').length,
    invalidKeySize: badKeySize.length,
    invalid: invalid.length - badKeySize.length,
    rawInvalid: invalid.filter((t) => !t.flags.includes('HeaderFailure')).length,
  };
})();

// ---------------------------------------------------------------------------------------------------------------
// Refusals: each header vector changed so that parseEnvelope must refuse it, named by the message it must give
// ---------------------------------------------------------------------------------------------------------------

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** JSON with sorted keys and no whitespace (the header's canonical form for these plain values). */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** magic, version 1, uint32 big-endian length, then `header` (bytes or text). */
function envelopeWith(header: string | Uint8Array): Uint8Array {
  const json = typeof header === 'string' ? Buffer.from(header, 'utf8') : header;
  const out = Buffer.alloc(9 + json.length);
  out.write('SYME', 0, 'latin1');
  out[4] = 1;
  out.writeUInt32BE(json.length, 5);
  out.set(json, 9);
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the header JSON is reshaped freely
type Loose = any;
type Mutation = readonly [
  code: string,
  message: string,
  mutate: (envelope: Buffer, json: string) => Uint8Array,
];
const changed = (f: (h: Loose) => void) => (_e: Buffer, json: string) => {
  const h = JSON.parse(json) as Loose;
  f(h);
  return envelopeWith(sortedJson(h));
};
const firstChain = (h: Loose): Loose => ('split' in h.key ? h.key.split[0] : h.key);

const MUTATIONS: readonly Mutation[] = [
  ['TRUNCATED', 'Envelope is shorter than 9 bytes', (e) => e.subarray(0, 8)],
  [
    'BAD_FIELD',
    'Envelope does not start with the SYME magic',
    (e) => Buffer.from([e[0]! ^ 0x20, ...e.subarray(1)]),
  ],
  [
    'BAD_VERSION',
    'Envelope version is not supported',
    (e) => Buffer.from([...e.subarray(0, 4), 2, ...e.subarray(5)]),
  ],
  [
    'BAD_FIELD',
    'Envelope header length is less than 2',
    (e) => {
      const out = Buffer.from(e);
      out.writeUInt32BE(1, 5);
      return out;
    },
  ],
  [
    'TOO_LONG',
    'Envelope header is longer than 65536 bytes',
    (e) => {
      const out = Buffer.from(e);
      out.writeUInt32BE(65_537, 5);
      return out;
    },
  ],
  ['TRUNCATED', 'Envelope is shorter than its header length', (e) => e.subarray(0, e.length - 1)],
  [
    'BAD_FIELD',
    'Envelope header is not valid UTF-8',
    (_e, json) => {
      const bytes = Buffer.from(json, 'utf8');
      bytes[bytes.indexOf('"') + 1] = 0xff;
      return envelopeWith(bytes);
    },
  ],
  ['BAD_FIELD', 'Envelope header is not JSON', (_e, json) => envelopeWith(json.slice(0, -1))],
  ['BAD_FIELD', 'Envelope header is not canonical JSON', (_e, json) => envelopeWith(`{ ${json.slice(1)}`)],
  ['BAD_FIELD', 'Envelope header has an unknown field', changed((h) => (h.zz = 'x'))],
  ['BAD_FIELD', 'Envelope id is not base64', changed((h) => (h.id = '!!!!'))],
  [
    'BAD_FIELD',
    'Envelope id must be 16 bytes',
    changed((h) => (h.id = Buffer.alloc(15, 7).toString('base64'))),
  ],
  ['BAD_FIELD', 'Envelope authority type is not supported', changed((h) => (h.authorities[0].type = 'pgp'))],
  [
    'BAD_FIELD',
    'Envelope authority ids must be unique',
    changed((h) => (h.authorities[1].id = h.authorities[0].id)),
  ],
  [
    'BAD_FIELD',
    'Envelope context key starts with symbolon:',
    changed((h) => (h.context = { 'symbolon:part': 'x' })),
  ],
  ['BAD_FIELD', 'Envelope chain index is out of range', changed((h) => (firstChain(h).chain[0] = 16))],
  ['BAD_FIELD', 'Envelope wrapped key is not base64', changed((h) => (firstChain(h).wrapped = '***'))],
];

const refusalCases: RefusalCase[] = headersFile.vectors.flatMap((v) =>
  MUTATIONS.map(([code, message, mutate]) => ({
    id: `${v.name} / ${message}`,
    envelopeHex: hexOf(mutate(Buffer.from(v.envelopeHex, 'hex'), v.headerJson)),
    code,
    message,
  })),
);

/** How Node's parseEnvelope answers a case: `code: message`, or `accepted`. */
function nodeRefusal(envelopeHex: string): string {
  try {
    parseEnvelope(new Uint8Array(Buffer.from(envelopeHex, 'hex')));
    return 'accepted';
  } catch (e) {
    const { code, message } = e as { code?: string; message?: string };
    return `${code}: ${message}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tampered copies, for the test that proves the runner can fail
// ---------------------------------------------------------------------------------------------------------------

const flipHexDigit = (text: string, at: number): string =>
  `${text.slice(0, at)}${(parseInt(text[at]!, 16) ^ 0x1).toString(16)}${text.slice(at + 1)}`;

const tamperedChunked = (() => {
  const byId = (id: number) => structuredClone(chunkedTests.find((t) => t.tcId === id)!);
  const tagFlipped = byId(2);
  const sealed = inflateSync(Buffer.from(tagFlipped.ct, 'hex'));
  sealed[sealed.length - 1]! ^= 0x01; // the last byte of the final chunk's tag
  tagFlipped.ct = deflateSync(sealed).toString('hex');
  const wrongDigest = byId(9);
  wrongDigest.msgSha512 = flipHexDigit(wrongDigest.msgSha512!, 0);
  const validCalledInvalid = byId(1);
  validCalledInvalid.result = 'invalid';
  validCalledInvalid.flags = ['ModifiedCiphertext'];
  const tests = [tagFlipped, wrongDigest, validCalledInvalid, byId(10)];
  return {
    file: {
      ...chunkedFile,
      numberOfTests: tests.length,
      testGroups: [{ ...chunkedFile.testGroups[0]!, tests }],
    },
    failing: ['tc1', 'tc2', 'tc9'],
    ran: ['file', 'tc2', 'tc9', 'tc1', 'tc10'],
  };
})();

const tamperedHeaders = (() => {
  const [first, second] = headersFile.vectors as [HeaderVector, HeaderVector];
  // A byte in the middle of the header JSON changes: neither the serializer nor the parser can reproduce it.
  const middle = 18 + 2 * Math.floor(first.headerJson.length / 2);
  return {
    ...headersFile,
    vectors: [{ ...first, envelopeHex: flipHexDigit(first.envelopeHex, middle) }, second],
  };
})();

const tamperedRefusals: RefusalCase[] = [
  { ...refusalCases[0]!, id: 'wrong message', message: 'Envelope header is not JSON' },
  { ...refusalCases[0]!, id: 'a valid envelope', envelopeHex: headersFile.vectors[0]!.envelopeHex },
  { ...refusalCases[1]!, id: 'control' },
];

const tamperedFixtures = (() => {
  const [first, second] = fixturesFile.fixtures as [FixturesFile['fixtures'][0], FixturesFile['fixtures'][0]];
  const wrong = {
    ...first,
    plaintext: { ...first.plaintext, sha256: flipHexDigit(first.plaintext.sha256, 5) },
  };
  return {
    file: { ...fixturesFile, fixtures: [wrong, second] },
    failing: [first.name],
    ran: ['file', first.name, second.name],
  };
})();

// ---------------------------------------------------------------------------------------------------------------
// The server and the browser
// ---------------------------------------------------------------------------------------------------------------

type Route = { type: string; body: string | Buffer };
const routes = new Map<string, Route>();
const json = (value: unknown): Route => ({ type: 'application/json', body: JSON.stringify(value) });
const file = (path: string, type: string): Route => ({ type, body: readFileSync(path) });

routes.set('/', {
  type: 'text/html; charset=utf-8',
  body: '<!doctype html><meta charset="utf-8"><title>vectors</title><script type="module" src="/runner.js"></script>',
});
routes.set(`/wycheproof/${CHUNKED_FILE}`, file(CHUNKED_PATH, 'application/json'));
routes.set(
  '/vectors/envelope-v1-headers.json',
  file(join(VECTORS_DIR, 'envelope-v1-headers.json'), 'application/json'),
);
routes.set('/vectors/envelopes-v1.json', file(join(VECTORS_DIR, 'envelopes-v1.json'), 'application/json'));
for (const f of fixturesFile.fixtures) {
  routes.set(`/vectors/${f.file}`, file(join(VECTORS_DIR, f.file), 'application/octet-stream'));
}
routes.set('/tampered/chunked.json', json(tamperedChunked.file));
routes.set('/tampered/headers.json', json(tamperedHeaders));
// Beside the real manifest, so that the fixtures' relative .syme paths resolve to the committed files.
routes.set('/vectors/tampered-envelopes-v1.json', json(tamperedFixtures.file));

let server: Server;
let origin: string;
let bundle: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  const built = await build({
    entryPoints: [ENTRY],
    tsconfig: join(ROOT, 'tsconfig.base.json'),
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    legalComments: 'none',
    logLevel: 'silent',
  });
  bundle = built.outputFiles[0]!.text;
  routes.set('/runner.js', { type: 'text/javascript; charset=utf-8', body: bundle });

  server = createServer((req, res) => {
    const route = req.method === 'GET' ? routes.get(new URL(req.url ?? '/', 'http://x').pathname) : undefined;
    res.writeHead(route ? 200 : 404, {
      'content-type': route?.type ?? 'text/plain',
      'cache-control': 'no-store',
    });
    res.end(route?.body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  expect((await page.goto(`${origin}/`))!.status()).toBe(200);
  await page.waitForFunction(() => window.symbolonVectors !== undefined, undefined, { timeout: 10_000 });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

/** Runs one suite of the page's runner (the functions of VectorsApi) and answers its summary. */
function inPage<K extends Exclude<keyof VectorsApi, 'environment'>>(
  suite: K,
  arg: Parameters<VectorsApi[K]>[0],
): Promise<SuiteSummary> {
  return page.evaluate(([s, a]) => (window.symbolonVectors![s] as (x: unknown) => Promise<SuiteSummary>)(a), [
    suite,
    arg,
  ] as const);
}

const failedIds = (s: SuiteSummary): string[] => [...new Set(s.failed.map((f) => f.id))].sort();

describe('the browser vector runner bundle', () => {
  it('should import no node: module and no AWS SDK when bundled for browsers', () => {
    expect(bundle.length).toBeGreaterThan(10_000);
    expect(bundle).not.toMatch(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*["'`]node:/);
    expect(bundle).not.toMatch(/\brequire\(\s*["'`](?:fs|crypto|path|stream|os|zlib)["'`]\s*\)/);
    expect(bundle).not.toContain('@aws-sdk');
  });

  it('should run in Chromium on the page WebCrypto with no Node globals when the page is loaded', async () => {
    const env = await page.evaluate(() => window.symbolonVectors!.environment());
    expect(env).toMatchObject({ secureContext: true, subtle: true, decompression: true, nodeGlobals: [] });
    expect(env.userAgent).toMatch(/Chrome\/\d+/);
  });
});

describe('the known-answer vectors in Chromium', () => {
  it('should pass every Wycheproof chunked-encryption vector when run in the page', async () => {
    expect(chunkedTests).toHaveLength(chunkedFile.numberOfTests);
    const summary = await inPage('chunked', `${origin}/wycheproof/${CHUNKED_FILE}`);
    expect(summary.failed).toEqual([]);
    expect(summary.ran).toEqual(['file', ...chunkedIds]);
    expect(summary.kinds).toEqual(expectedChunkedKinds);
    expect(summary.checks).toBeGreaterThan(chunkedTests.length * 5);
  }, 40_000);

  it('should pass every envelope header vector when run in the page', async () => {
    const summary = await inPage('headers', `${origin}/vectors/envelope-v1-headers.json`);
    expect(summary.failed).toEqual([]);
    expect(summary.ran).toEqual(['file', ...headersFile.vectors.map((v) => v.name)]);
    expect(summary.kinds).toEqual({ file: 1, header: headersFile.vectors.length });
  });

  it('should refuse every changed header vector by its name under Node and in the page', async () => {
    expect(refusalCases).toHaveLength(MUTATIONS.length * headersFile.vectors.length);
    expect(refusalCases.map((c) => nodeRefusal(c.envelopeHex))).toEqual(
      refusalCases.map((c) => `${c.code}: ${c.message}`),
    );
    const summary = await inPage('refusals', refusalCases);
    expect(summary.failed).toEqual([]);
    expect(summary.ran).toEqual(refusalCases.map((c) => c.id));
    expect(summary.checks).toBe(refusalCases.length);
  });

  it('should decrypt every committed SDK envelope fixture with its test-only keys when run in the page', async () => {
    const summary = await inPage('fixtures', `${origin}/vectors/envelopes-v1.json`);
    expect(summary.failed).toEqual([]);
    expect(summary.ran).toEqual(['file', ...fixturesFile.fixtures.map((f) => f.name)]);
    expect(summary.kinds).toEqual({ file: 1, fixture: fixturesFile.fixtures.length });
    expect(pageErrors).toEqual([]);
  }, 20_000);
});

describe('the browser vector runner', () => {
  it('should report exactly the tampered vectors as failed when given changed copies of the files', async () => {
    const chunked = await inPage('chunked', `${origin}/tampered/chunked.json`);
    expect(chunked.ran).toEqual(tamperedChunked.ran);
    expect(failedIds(chunked)).toEqual(tamperedChunked.failing);
    const checksOf = (id: string) => chunked.failed.filter((f) => f.id === id).map((f) => f.check);
    expect(checksOf('tc2')).toEqual(['threw']);
    expect(checksOf('tc9')).toContain('decrypt whole: SHA-512');
    expect(checksOf('tc9')).not.toContain('decrypt whole: length');
    expect(chunked.failed).toContainEqual({ id: 'tc1', check: 'decrypt whole fails', detail: 'accepted' });

    const headers = await inPage('headers', `${origin}/tampered/headers.json`);
    expect(failedIds(headers)).toEqual([headersFile.vectors[0]!.name]);

    const refusals = await inPage('refusals', tamperedRefusals);
    expect(failedIds(refusals)).toEqual(['a valid envelope', 'wrong message']);
    expect(refusals.failed).toContainEqual({
      id: 'wrong message',
      check: 'Envelope header is not JSON',
      detail: `EnvelopeError ${refusalCases[0]!.code}: ${refusalCases[0]!.message}`,
    });

    const fixtures = await inPage('fixtures', `${origin}/vectors/tampered-envelopes-v1.json`);
    expect(fixtures.ran).toEqual(tamperedFixtures.ran);
    expect(failedIds(fixtures)).toEqual(tamperedFixtures.failing);
    expect(fixtures.failed.map((f) => f.check)).toEqual([
      'whole: plaintext SHA-256',
      'streamed: plaintext SHA-256',
    ]);
    expect(pageErrors).toEqual([]);
  }, 20_000);
});
