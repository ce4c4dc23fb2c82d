/**
 * The page side of e2e/browser-vectors.e2e-spec.ts (STYLE.md, "SDK": known-answer vectors run under Node AND a browser
 * runner). That test bundles this file with esbuild (format esm, platform browser), serves it with the vector files
 * and opens it in Chromium, where it sets `window.symbolonVectors`. Every run fetches its vector file from the page's
 * origin, checks each vector with @symbolon/formats (and the SDK core) on the browser's own WebCrypto, and answers a
 * summary: the ids it ran and every failed check with the vector's id. A run never throws for a bad vector; it
 * reports it. Failure details are error names, codes and fixed messages or lengths, never key or plaintext bytes.
 *
 * The checks mirror the Node specs: libs/formats/src/chunked/test-vectors.spec.ts (WebCrypto AEAD only: the browser
 * has no synchronous one), libs/formats/src/envelope/test-vectors.spec.ts and libs/sdk/src/core/fixtures.spec.ts.
 * Test code only: nothing here is product code.
 */
import {
  CHUNKED_CHUNK_SIZE,
  CHUNKED_HEADER_LENGTH,
  CHUNKED_SEALED_CHUNK_SIZE,
  type ChainRecipe,
  chunkNonce,
  chunkedDecryptRange,
  chunkedDecryptStream,
  chunkedEncryptStream,
  chunkedPlaintextLength,
  decryptChunked,
  deriveChunkKeys,
  encryptChunked,
  EnvelopeError,
  type EnvelopeHeader,
  bindingAad,
  envelopeHeaderLength,
  hazmatRawChunkedDecrypt,
  hazmatRawChunkedEncrypt,
  parseEnvelope,
  sealedHeader,
  serializeEnvelopeHeader,
  webCryptoAead,
  wrapBinding,
} from '@symbolon/formats';

import type { Authority } from '../../libs/sdk/src/core/authority.js';
import {
  decryptEnvelope,
  decryptEnvelopeRange,
  decryptEnvelopeStream,
  inspectEnvelope,
} from '../../libs/sdk/src/core/envelope.js';
import { SdkError } from '../../libs/sdk/src/core/errors.js';
import {
  type FixtureAuthority,
  fixtureAuthorities,
} from '../../libs/sdk/src/core/fixture-kms.test-helper.js';

/** One check that did not hold, or a vector whose checks threw (check `threw`). */
export interface VectorFailure {
  readonly id: string;
  readonly check: string;
  readonly detail: string;
}

/** What one run answers to Node. */
export interface SuiteSummary {
  readonly suite: 'chunked' | 'headers' | 'refusals' | 'fixtures';
  /** The ids of the vectors run, in file order. */
  readonly ran: string[];
  /** How many vectors of each kind were run (the kinds of the Node spec's describe blocks). */
  readonly kinds: Record<string, number>;
  /** How many checks were made in all. */
  checks: number;
  readonly failed: VectorFailure[];
}

/** An envelope that parseEnvelope must refuse with exactly this code and message (the refusal's name). */
export interface RefusalCase {
  readonly id: string;
  readonly envelopeHex: string;
  readonly code: string;
  readonly message: string;
}

/** What the page can tell about itself: where its WebCrypto comes from. */
export interface PageEnvironment {
  readonly userAgent: string;
  readonly secureContext: boolean;
  readonly subtle: boolean;
  readonly decompression: boolean;
  readonly nodeGlobals: string[];
}

export interface VectorsApi {
  environment(): PageEnvironment;
  /** The c2sp chunked-encryption Wycheproof file at `url`. */
  chunked(url: string): Promise<SuiteSummary>;
  /** The envelope header vectors (envelope-v1-headers.json) at `url`. */
  headers(url: string): Promise<SuiteSummary>;
  refusals(cases: readonly RefusalCase[]): Promise<SuiteSummary>;
  /** The SDK fixtures (envelopes-v1.json) at `url`; the .syme files are fetched relative to it. */
  fixtures(url: string): Promise<SuiteSummary>;
}

declare global {
  interface Window {
    symbolonVectors?: VectorsApi;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

type Check = (name: string, ok: boolean, detail?: string) => void;

function newSummary(suite: SuiteSummary['suite']): SuiteSummary {
  return { suite, ran: [], kinds: {}, checks: 0, failed: [] };
}

/** What an error is, for a report: its name, its code if it has one, and its (fixed-text) message, cut short. */
function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}`.slice(0, 200);
  }
  return `non-error ${typeof error}`;
}

/** Runs the checks of one vector; anything they throw is a failure of that vector, never of the run. */
async function runVector(
  summary: SuiteSummary,
  id: string,
  kind: string,
  body: (check: Check) => Promise<void>,
): Promise<void> {
  summary.ran.push(id);
  summary.kinds[kind] = (summary.kinds[kind] ?? 0) + 1;
  const check: Check = (name, ok, detail = '') => {
    summary.checks++;
    if (!ok) summary.failed.push({ id, check: name, detail });
  };
  try {
    await body(check);
  } catch (error: unknown) {
    summary.failed.push({ id, check: 'threw', detail: describeError(error) });
  }
}

async function fetchBytes(url: string | URL): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${String(url)}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function fetchJson<T>(url: string | URL): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await fetchBytes(url))) as T;
}

function fromHex(text: string): Uint8Array<ArrayBuffer> {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) throw new Error('not hex');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Base64 with the browser's atob, independently of the module's decoder. */
function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  if (b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Structural equality of parsed headers: bytes by value, arrays in order, objects by their own keys. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && sameBytes(a, b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]))
    );
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      sameValue(ka, kb) &&
      ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

async function digestHex(algorithm: 'SHA-256' | 'SHA-512', bytes: Uint8Array): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest(algorithm, new Uint8Array(bytes))));
}

/** zlib (RFC 1950) with the browser's DecompressionStream('deflate'). */
async function inflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The outcome of a call: its value or what it threw. */
async function attempt<T>(run: () => T | Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await run() };
  } catch (error: unknown) {
    return { error };
  }
}

const isEnvelopeError = (e: unknown): e is EnvelopeError => e instanceof EnvelopeError;

/** Checks that `outcome` is an EnvelopeError, with this code and message when given. */
function checkRefused(
  check: Check,
  name: string,
  outcome: { value?: unknown; error?: unknown },
  code?: string,
  message?: string,
): void {
  const e = outcome.error;
  if (!isEnvelopeError(e)) {
    check(name, false, e === undefined ? 'accepted' : describeError(e));
    return;
  }
  const ok = (code === undefined || e.code === code) && (message === undefined || e.message === message);
  check(name, ok, ok ? '' : describeError(e));
}

interface StreamRun {
  output: Uint8Array;
  error: unknown;
  errorAfterwards: unknown;
}

/** Writes `input` into `stream` in slices of `sliceSize` bytes while reading its output; one more read after an error. */
async function runStream(
  stream: TransformStream<Uint8Array, Uint8Array>,
  input: Uint8Array,
  sliceSize: number,
  firstSlice = sliceSize,
): Promise<StreamRun> {
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const writing = (async () => {
    try {
      let at = 0;
      for (let size = firstSlice; at < input.length; size = sliceSize) {
        await writer.write(input.slice(at, at + size));
        at += size;
      }
      await writer.close();
    } catch {
      // The readable side reports the error.
    }
  })();
  const parts: Uint8Array[] = [];
  let error: unknown;
  let errorAfterwards: unknown;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
    }
  } catch (caught: unknown) {
    error = caught;
    try {
      errorAfterwards = await reader.read();
    } catch (again: unknown) {
      errorAfterwards = again;
    }
  }
  await writing;
  return { output: concat(parts), error, errorAfterwards };
}

const memoryReader =
  (bytes: Uint8Array) =>
  async (offset: number, length: number): Promise<Uint8Array> =>
    bytes.slice(offset, offset + length);

// ---------------------------------------------------------------------------------------------------------------
// c2sp chunked encryption, Wycheproof
// ---------------------------------------------------------------------------------------------------------------

interface ChunkedVector {
  tcId: number;
  comment: string;
  key: string;
  ctx: string;
  ct: string;
  aeadKey?: string;
  baseNonce?: string;
  msgLength?: number;
  msgSha512?: string;
  result: 'valid' | 'invalid';
  flags: string[];
}

interface ChunkedFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: { aead: string; sha: string; tests: ChunkedVector[] }[];
}

const KEY_SIZE_MESSAGE = 'Chunked encryption input key must be 32 bytes';

/** The Node spec's slice sizes: 1-byte writes only for short ciphertexts. */
function sliceSizes(length: number): number[] {
  const sizes = [4093, 16399, 16400, 16401, 65536, 1 << 20, length + 1];
  return length < 100_000 ? [1, 7, 56, ...sizes] : sizes;
}

async function validChunked(
  check: Check,
  v: ChunkedVector,
  key: Uint8Array,
  ctx: Uint8Array,
  ct: Uint8Array,
) {
  const want = { length: v.msgLength, sha: v.msgSha512 };
  const plaintext = await decryptChunked(key, ctx, ct);
  check('decrypt whole: length', plaintext.length === want.length, `${plaintext.length}`);
  check('decrypt whole: SHA-512', (await digestHex('SHA-512', plaintext)) === want.sha);

  for (const size of sliceSizes(ct.length)) {
    const run = await runStream(chunkedDecryptStream(key, ctx), ct, size);
    check(`stream ${size}: no error`, run.error === undefined, describeError(run.error));
    check(`stream ${size}: length`, run.output.length === want.length, `${run.output.length}`);
    check(`stream ${size}: SHA-512`, (await digestHex('SHA-512', run.output)) === want.sha);
  }

  const length = chunkedPlaintextLength(ct.length);
  check('range: plaintext length', length === want.length, `${length}`);
  const whole = await chunkedDecryptRange(key, ctx, memoryReader(ct), ct.length, 0, length);
  check('range: whole SHA-512', (await digestHex('SHA-512', whole)) === want.sha);
  const lengthOnly = await chunkedDecryptRange(key, ctx, memoryReader(ct), ct.length, 0, 0, {
    authenticateLength: true,
  });
  check('range: authenticated length only', lengthOnly.length === 0);

  const keys = await deriveChunkKeys(key, ct.subarray(0, 24), ctx);
  check('kdf: aeadKey', hex(keys.key) === v.aeadKey);
  check('kdf: baseNonce', hex(keys.baseNonce) === v.baseNonce);
  check('kdf: commitment', sameBytes(keys.commitment, ct.slice(24, CHUNKED_HEADER_LENGTH)));

  const body = ct.subarray(CHUNKED_HEADER_LENGTH);
  const aeadKey = fromHex(v.aeadKey ?? '');
  const baseNonce = fromHex(v.baseNonce ?? '');
  check(
    'raw: encrypt gives ct',
    sameBytes(await hazmatRawChunkedEncrypt(aeadKey, baseNonce, plaintext), body),
  );
  check(
    'raw: decrypt gives message',
    sameBytes(await hazmatRawChunkedDecrypt(aeadKey, baseNonce, body), plaintext),
  );
  const salt = ct.slice(0, 24);
  check('encrypt with salt gives ct', sameBytes(await encryptChunked(key, ctx, plaintext, { salt }), ct));
  const encrypted = await runStream(chunkedEncryptStream(key, ctx, { salt }), plaintext, 5000);
  check('encrypt stream gives ct', encrypted.error === undefined && sameBytes(encrypted.output, ct));
}

async function badKeySizeChunked(check: Check, key: Uint8Array, ctx: Uint8Array, ct: Uint8Array) {
  const refused = (name: string, outcome: { value?: unknown; error?: unknown }) =>
    checkRefused(check, name, outcome, 'BAD_FIELD', KEY_SIZE_MESSAGE);
  refused('decrypt whole', await attempt(() => decryptChunked(key, ctx, ct)));
  refused('range', await attempt(() => chunkedDecryptRange(key, ctx, memoryReader(ct), ct.length, 0, 1)));
  refused('encrypt', await attempt(() => encryptChunked(key, ctx, new Uint8Array(1))));
  refused('decrypt stream', await attempt(() => chunkedDecryptStream(key, ctx)));
  refused('encrypt stream', await attempt(() => chunkedEncryptStream(key, ctx)));
}

async function invalidChunked(
  check: Check,
  v: ChunkedVector,
  key: Uint8Array,
  ctx: Uint8Array,
  ct: Uint8Array,
) {
  const partial = v.flags.includes('PartialPlaintext');
  checkRefused(check, 'decrypt whole fails', await attempt(() => decryptChunked(key, ctx, ct)));

  const reference = v.aeadKey === undefined ? undefined : await webCryptoAead(fromHex(v.aeadKey));
  for (const size of sliceSizes(ct.length)) {
    const run = await runStream(chunkedDecryptStream(key, ctx), ct, size);
    checkRefused(check, `stream ${size}: ends with an EnvelopeError`, { error: run.error });
    check(`stream ${size}: the error stays`, run.errorAfterwards === run.error);
    if (!partial) {
      check(`stream ${size}: nothing released`, run.output.length === 0, `${run.output.length} bytes`);
      continue;
    }
    const prefix = v.msgLength ?? 0;
    check(
      `stream ${size}: within the valid prefix`,
      run.output.length <= prefix,
      `${run.output.length} bytes`,
    );
    check(`stream ${size}: whole chunks only`, run.output.length % CHUNKED_CHUNK_SIZE === 0);
    if (run.output.length === prefix) {
      check(`stream ${size}: prefix SHA-512`, (await digestHex('SHA-512', run.output)) === v.msgSha512);
    }
    // Every released chunk is the one sealed at its index.
    for (let k = 0; k * CHUNKED_CHUNK_SIZE < run.output.length; k++) {
      const at = CHUNKED_HEADER_LENGTH + k * CHUNKED_SEALED_CHUNK_SIZE;
      const nonce = chunkNonce(fromHex(v.baseNonce ?? ''), k);
      const expected = await reference?.open(nonce, ct.slice(at, at + CHUNKED_SEALED_CHUNK_SIZE));
      const emitted = run.output.subarray(k * CHUNKED_CHUNK_SIZE, (k + 1) * CHUNKED_CHUNK_SIZE);
      check(`stream ${size}: chunk ${k} is the sealed one`, sameBytes(emitted, expected));
    }
  }

  checkRefused(
    check,
    'range: whole fails',
    await attempt(() =>
      chunkedDecryptRange(key, ctx, memoryReader(ct), ct.length, 0, chunkedPlaintextLength(ct.length)),
    ),
  );
  const lengthOnly = await attempt(() =>
    chunkedDecryptRange(key, ctx, memoryReader(ct), ct.length, 0, 0, { authenticateLength: true }),
  );
  if (v.flags.includes('ValidFinalChunk')) {
    check(
      'range: length authenticated (ValidFinalChunk)',
      lengthOnly.error === undefined,
      describeError(lengthOnly.error),
    );
  } else {
    checkRefused(check, 'range: length not authenticated', lengthOnly);
  }
}

async function runChunked(url: string): Promise<SuiteSummary> {
  const summary = newSummary('chunked');
  const file = await fetchJson<ChunkedFile>(url);
  const tests = file.testGroups.flatMap((g) => g.tests);
  await runVector(summary, 'file', 'file', async (check) => {
    check('algorithm', file.algorithm === 'Cobblestone-256', file.algorithm);
    check(
      'groups',
      file.testGroups.every((g) => g.aead === 'AEAD_AES_256_GCM' && g.sha === 'SHA-512'),
    );
    check('numberOfTests', tests.length === file.numberOfTests, `${tests.length} of ${file.numberOfTests}`);
  });
  for (const v of tests) {
    const badKeySize = v.flags.includes('InvalidKeySize');
    const kind = v.result === 'valid' ? 'valid' : badKeySize ? 'invalidKeySize' : 'invalid';
    await runVector(summary, `tc${v.tcId}`, kind, async (check) => {
      const key = fromHex(v.key);
      const ctx = fromHex(v.ctx);
      const ct = await inflate(fromHex(v.ct));
      if (v.result === 'valid') return validChunked(check, v, key, ctx, ct);
      if (badKeySize) return badKeySizeChunked(check, key, ctx, ct);
      await invalidChunked(check, v, key, ctx, ct);
      if (!v.flags.includes('HeaderFailure')) {
        summary.kinds['rawInvalid'] = (summary.kinds['rawInvalid'] ?? 0) + 1;
        const raw = await attempt(() =>
          hazmatRawChunkedDecrypt(
            fromHex(v.aeadKey ?? ''),
            fromHex(v.baseNonce ?? ''),
            ct.subarray(CHUNKED_HEADER_LENGTH),
          ),
        );
        checkRefused(check, 'raw: decrypt fails', raw);
      }
    });
  }
  return summary;
}

// ---------------------------------------------------------------------------------------------------------------
// Envelope header vectors and refusals
// ---------------------------------------------------------------------------------------------------------------

interface HeaderVector {
  name: string;
  headerJson: string;
  envelopeHex: string;
  sealedHeader: string;
  sealedHeaderHex: string;
  binding: { part: string; layer: number; aad: string; aadHex: string };
}

/** The header the vector's JSON describes, its base64 decoded with atob. */
function expectedHeader(json: string): EnvelopeHeader {
  type ChainJson = { chain: number[]; wrapped: string };
  const raw = JSON.parse(json) as {
    id: string;
    authorities: EnvelopeHeader['authorities'];
    context?: Record<string, string>;
    key: ChainJson | { split: ChainJson[] };
  };
  const chain = (c: ChainJson): ChainRecipe => ({ chain: c.chain, wrapped: fromBase64(c.wrapped) });
  return {
    id: fromBase64(raw.id),
    authorities: raw.authorities,
    context: raw.context ?? {},
    key: 'split' in raw.key ? { split: raw.key.split.map(chain) } : chain(raw.key),
  };
}

async function runHeaders(url: string): Promise<SuiteSummary> {
  const summary = newSummary('headers');
  const file = await fetchJson<{ format: string; version: number; vectors: HeaderVector[] }>(url);
  await runVector(summary, 'file', 'file', async (check) => {
    check('format', file.format === 'symbolon-envelope-header' && file.version === 1);
  });
  const utf8 = new TextEncoder();
  for (const v of file.vectors) {
    await runVector(summary, v.name, 'header', async (check) => {
      const header = expectedHeader(v.headerJson);
      const envelope = fromHex(v.envelopeHex);
      const written = serializeEnvelopeHeader(header);
      check('serialize: exact bytes', hex(written) === v.envelopeHex);
      check('serialize: header is the JSON', hex(written.subarray(9)) === hex(utf8.encode(v.headerJson)));

      const withBody = concat([envelope, new Uint8Array([1, 2, 3])]);
      const parsed = parseEnvelope(withBody);
      check('parse: header', sameValue(parsed.header, header));
      check('parse: body offset', parsed.bodyOffset === envelope.length, `${parsed.bodyOffset}`);
      check('parse: header length', parsed.headerLength === envelope.length - 9, `${parsed.headerLength}`);
      check(
        'parse: header length from the prefix',
        envelopeHeaderLength(envelope.subarray(0, 9)) === envelope.length,
      );
      check(
        'round trip: parse then serialize',
        hex(serializeEnvelopeHeader(parsed.header)) === v.envelopeHex,
      );

      check('sealed header', hex(sealedHeader(header)) === v.sealedHeaderHex);
      check('sealed header text', new TextDecoder().decode(fromHex(v.sealedHeaderHex)) === v.sealedHeader);
      const aad = bindingAad(wrapBinding(header, v.binding.part, v.binding.layer));
      check('binding AAD', hex(aad) === v.binding.aadHex);
      check('binding AAD text', new TextDecoder().decode(fromHex(v.binding.aadHex)) === v.binding.aad);
    });
  }
  return summary;
}

async function runRefusals(cases: readonly RefusalCase[]): Promise<SuiteSummary> {
  const summary = newSummary('refusals');
  for (const c of cases) {
    await runVector(summary, c.id, 'refusal', async (check) => {
      const outcome = await attempt(() => parseEnvelope(fromHex(c.envelopeHex)));
      checkRefused(check, c.message, outcome, c.code, c.message);
    });
  }
  return summary;
}

// ---------------------------------------------------------------------------------------------------------------
// SDK fixtures (envelopes-v1.json): FixtureKms (an insecure test double) and customer keys, all test-only keys
// ---------------------------------------------------------------------------------------------------------------

type Recipe = { chain: string[] } | { split: { chain: string[] }[] };

interface EnvelopeDescription {
  recipe: Recipe;
  context: Record<string, string>;
  headerLength: number;
  envelopeLength: number;
  envelopeSha256: string;
}

interface Fixture extends EnvelopeDescription {
  name: string;
  file: string;
  inner?: EnvelopeDescription;
  plaintext: { seed: string; length: number; sha256: string };
}

const authorityIds = (recipe: Recipe): string[] =>
  'chain' in recipe ? [...recipe.chain] : recipe.split.flatMap((s) => [...s.chain]);

type Reader = (envelope: Uint8Array, authorities: readonly Authority[]) => Promise<Uint8Array>;

const whole: Reader = (envelope, authorities) => decryptEnvelope(envelope, { authorities, expect: {} });

/** decryptEnvelopeStream fed a 5-byte first slice (inside the magic), then 4093-byte ones, as the Node spec does. */
const streamed: Reader = async (envelope, authorities) => {
  const run = await runStream(decryptEnvelopeStream({ authorities, expect: {} }), envelope, 4093, 5);
  if (run.error !== undefined) throw run.error;
  return run.output;
};

function sdkCode(outcome: { error?: unknown }): string {
  return outcome.error instanceof SdkError
    ? `${outcome.error.code}${outcome.error.authorityId === undefined ? '' : ` ${outcome.error.authorityId}`}`
    : outcome.error === undefined
      ? 'accepted'
      : describeError(outcome.error);
}

async function runFixtures(url: string): Promise<SuiteSummary> {
  const summary = newSummary('fixtures');
  const file = await fetchJson<{
    format: string;
    version: number;
    authorities: FixtureAuthority[];
    fixtures: Fixture[];
  }>(url);
  const readers = await fixtureAuthorities(file.authorities);
  const byId = new Map(file.authorities.map((a) => [a.id, a]));
  await runVector(summary, 'file', 'file', async (check) => {
    check('format', file.format === 'symbolon-envelope' && file.version === 1);
  });

  for (const f of file.fixtures) {
    await runVector(summary, f.name, 'fixture', async (check) => {
      const envelope = await fetchBytes(new URL(f.file, url));
      check('committed bytes: length', envelope.length === f.envelopeLength, `${envelope.length}`);
      check('committed bytes: SHA-256', (await digestHex('SHA-256', envelope)) === f.envelopeSha256);

      const outerLength = f.inner ? f.inner.envelopeLength : f.plaintext.length;
      const inspected = inspectEnvelope(envelope, envelope.length);
      check('inspect: body offset', inspected.bodyOffset === f.headerLength, `${inspected.bodyOffset}`);
      check(
        'inspect: plaintext length',
        inspected.plaintextLength === outerLength,
        `${inspected.plaintextLength}`,
      );
      check('inspect: context', sameValue(inspected.header.context, f.context));
      const described = authorityIds(f.recipe).map((id) => {
        const a = byId.get(id);
        return a?.type === 'kms'
          ? { id, type: 'kms', keyArn: a.keyArn }
          : { id, type: 'customer-key', keyId: a?.keyId };
      });
      check('inspect: authorities in recipe order', sameValue(inspected.header.authorities, described));

      for (const [name, read] of [
        ['whole', whole],
        ['streamed', streamed],
      ] as const) {
        const outer = await read(envelope, readers);
        let plaintext = outer;
        if (f.inner) {
          check(
            `${name}: inner envelope SHA-256`,
            (await digestHex('SHA-256', outer)) === f.inner.envelopeSha256,
          );
          plaintext = await read(outer, readers);
        }
        check(`${name}: plaintext length`, plaintext.length === f.plaintext.length, `${plaintext.length}`);
        check(`${name}: plaintext SHA-256`, (await digestHex('SHA-256', plaintext)) === f.plaintext.sha256);
      }

      const outer = await whole(envelope, readers);
      const start = Math.floor(outerLength / 3);
      const end = Math.min(outerLength, start + 100);
      const range = await decryptEnvelopeRange(memoryReader(envelope), envelope.length, start, end, {
        authorities: readers,
        expect: {},
      });
      check('range', sameBytes(range, outer.subarray(start, end)));

      const flipped = envelope.slice();
      flipped[f.headerLength + Math.floor((flipped.length - f.headerLength) / 2)]! ^= 0x01;
      for (const [name, read] of [
        ['whole', whole],
        ['streamed', streamed],
      ] as const) {
        const outcome = await attempt(() => read(flipped, readers));
        check(`flipped body byte refused ${name}`, sdkCode(outcome) === 'INVALID_ENVELOPE', sdkCode(outcome));
      }

      const ids = [...authorityIds(f.recipe), ...(f.inner ? authorityIds(f.inner.recipe) : [])];
      for (const missing of ids) {
        const without = readers.filter((a) => a.id !== missing);
        const outcome = await attempt(async () => {
          const got = await whole(envelope, without);
          return f.inner ? whole(got, without) : got;
        });
        check(
          `fails naming ${missing} when it is missing`,
          sdkCode(outcome) === `AUTHORITY_MISSING ${missing}`,
          sdkCode(outcome),
        );
      }
    });
  }
  return summary;
}

// ---------------------------------------------------------------------------------------------------------------

function environment(): PageEnvironment {
  const g = globalThis as Record<string, unknown>;
  return {
    userAgent: navigator.userAgent,
    secureContext: isSecureContext,
    subtle: typeof crypto.subtle?.decrypt === 'function',
    decompression: typeof DecompressionStream === 'function',
    nodeGlobals: ['process', 'Buffer', 'require', 'global', 'setImmediate'].filter((n) => g[n] !== undefined),
  };
}

window.symbolonVectors = {
  environment,
  chunked: runChunked,
  headers: runHeaders,
  refusals: runRefusals,
  fixtures: runFixtures,
};
