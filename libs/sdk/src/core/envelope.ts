import {
  type ChunkAeadFactory,
  EnvelopeError,
  type EnvelopeAuthority,
  type EnvelopeHeader,
  chunkedDecryptRange,
  type ByteTransformer,
  type EmitBytes,
  byteTransformStream,
  chunkedDecryptor,
  chunkedEncryptor,
  concatBytes,
  chunkedPlaintextLength,
  decryptChunked,
  encryptChunked,
  envelopeHeaderLength,
  parseEnvelope,
  recipeParts,
  sealedHeader,
  serializeEnvelopeHeader,
  withAuthority,
  withWrapped,
  wrapBinding,
  bufferSource,
} from '@symbolon/formats';

import type { Authority } from './authority.js';
import { SdkError, causeOf, needs } from './errors.js';
import { type Scheme, protectDataKey, recoverDataKey } from './recipe.js';

export interface EncryptOptions {
  scheme: Scheme;
  /** Every authority the scheme names (others are ignored). */
  authorities: readonly Authority[];
  /** The encryption context: bound by every wrap, readable in the header. */
  context?: Record<string, string>;
  /** The chunks' AEAD (default WebCrypto; the Node binding passes node:crypto's). */
  aead?: ChunkAeadFactory;
}

export interface DecryptOptions {
  /** The authorities the reader holds, by the ids the envelope's header gives them. */
  authorities: readonly Authority[];
  /**
   * What the envelope must be: with `scheme`, its recipe by authority ids (chain order, shares in order) must be exactly
   * that; with `context`, it must carry every pair given. Without `expect`, every authority given must take part. So
   * nobody holding only some of the authorities can hand the reader a weaker envelope of their own making.
   */
  expect?: { scheme?: Scheme; context?: Record<string, string> };
  aead?: ChunkAeadFactory;
}

/** The header and data key of a new envelope, and the body's context. */
async function newEnvelope(
  opts: EncryptOptions,
): Promise<{ headerBytes: Uint8Array; dataKey: Uint8Array; bodyContext: Uint8Array }> {
  const byId = new Map(opts.authorities.map((a) => [a.id, a]));
  const id = crypto.getRandomValues(new Uint8Array(16));
  const context = opts.context ?? {};
  try {
    const { authorities, key, dataKey } = await protectDataKey(opts.scheme, byId, (part, layer) =>
      wrapBinding({ id, context }, part, layer),
    );
    const header: EnvelopeHeader = { id, authorities, context, key };
    return { headerBytes: serializeEnvelopeHeader(header), dataKey, bodyContext: await bodyContext(header) };
  } catch (e) {
    // The format's refusal of what the writer asked for (a context over the limits, too many authorities...).
    if (e instanceof EnvelopeError) throw new SdkError('CONFIG', e.message);
    throw e;
  }
}

/** The body's chunked-encryption context: SHA-256 of the sealed header (id and encryption context). */
async function bodyContext(header: EnvelopeHeader): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bufferSource(sealedHeader(header))));
}

/** Matches each authority the header names with the reader's authority of that id, of the same kind and key. */
function resolver(given: readonly Authority[]): (described: EnvelopeAuthority) => Authority {
  const byId = new Map(given.map((a) => [a.id, a]));
  return (described) => {
    const a = byId.get(described.id);
    if (!a) {
      throw new SdkError(
        'AUTHORITY_MISSING',
        `the envelope needs authority ${described.id}, which was not given`,
        described.id,
      );
    }
    const mine = a.describe();
    // A KMS key is compared by ARN and endpoint when the reader knows them: a header's (unauthenticated) ARN or
    // endpoint that differs from the reader's own configuration is refused, never followed.
    const same =
      mine.type === described.type &&
      (mine.type !== 'customer-key' || described.type !== 'customer-key' || mine.keyId === described.keyId) &&
      (mine.type !== 'kms' ||
        described.type !== 'kms' ||
        ((!mine.keyArn.startsWith('arn:') || mine.keyArn === described.keyArn) &&
          (mine.endpoint === undefined ||
            described.endpoint === undefined ||
            mine.endpoint === described.endpoint)));
    if (!same) {
      throw new SdkError(
        'AUTHORITY_MISSING',
        `authority ${described.id} given is not the one the envelope names (${described.type}${
          described.type === 'customer-key' ? ` ${described.keyId}` : ''
        })`,
        described.id,
      );
    }
    return a;
  };
}

/** The scheme a header's recipe is, by authority ids. */
function schemeOf(header: EnvelopeHeader): Scheme {
  const ids = (chain: readonly number[]) => chain.map((i) => header.authorities[i]!.id);
  return 'chain' in header.key
    ? { chain: ids(header.key.chain) }
    : { split: header.key.split.map((part) => ({ chain: ids(part.chain) })) };
}

const schemeText = (scheme: Scheme): string =>
  'chain' in scheme
    ? `chain [${scheme.chain.join(', ')}]`
    : `split [${scheme.split.map((p) => `[${p.chain.join(', ')}]`).join(', ')}]`;

/**
 * The reader's authorities for `header`, once the envelope is what the reader expects (DecryptOptions.expect), each
 * matched before any is asked: a reader that lacks one contacts none.
 */
function readerFor(
  header: EnvelopeHeader,
  opts: DecryptOptions,
): (described: EnvelopeAuthority) => Authority {
  const found = schemeOf(header);
  const expected = opts.expect?.scheme;
  if (expected !== undefined && schemeText(found) !== schemeText(expected)) {
    throw new SdkError(
      'UNEXPECTED_ENVELOPE',
      `the envelope is ${schemeText(found)}, not the scheme expected (${schemeText(expected)})`,
    );
  }
  for (const [k, v] of Object.entries(opts.expect?.context ?? {})) {
    if (!Object.hasOwn(header.context, k) || header.context[k] !== v) {
      throw new SdkError(
        'UNEXPECTED_ENVELOPE',
        `the envelope's encryption context does not have ${k} as expected`,
      );
    }
  }
  const resolve = resolver(opts.authorities);
  for (const described of header.authorities) resolve(described);
  if (opts.expect === undefined) {
    const used = new Set(header.authorities.map((a) => a.id));
    const unused = opts.authorities.find((a) => !used.has(a.id));
    if (unused) {
      throw new SdkError(
        'UNEXPECTED_ENVELOPE',
        `the envelope (${schemeText(found)}) does not use authority ${unused.id}: give the scheme expected, or only the authorities it needs`,
        unused.id,
      );
    }
  }
  return resolve;
}

function parsed(bytes: Uint8Array): { header: EnvelopeHeader; bodyOffset: number } {
  try {
    return parseEnvelope(bytes);
  } catch (e) {
    if (e instanceof EnvelopeError) throw new SdkError('INVALID_ENVELOPE', e.message);
    throw e;
  }
}

async function openBody<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw asSdkError(e);
  }
}

/** Any failure while reading an envelope, as the SdkError the caller sees. */
function asSdkError(e: unknown): SdkError {
  if (e instanceof SdkError) return e;
  if (e instanceof EnvelopeError) return new SdkError('INVALID_ENVELOPE', e.message);
  return new SdkError('INVALID_ENVELOPE', `the body does not decrypt: ${causeOf(e)}`);
}

/** Encrypts `plaintext` into one envelope (header || body) in memory. */
export async function encryptEnvelope(plaintext: Uint8Array, opts: EncryptOptions): Promise<Uint8Array> {
  const { headerBytes, dataKey, bodyContext: ctx } = await newEnvelope(opts);
  const body = await encryptChunked(dataKey, ctx, plaintext, opts);
  const out = new Uint8Array(headerBytes.length + body.length);
  out.set(headerBytes);
  out.set(body, headerBytes.length);
  return out;
}

/** Decrypts a whole envelope in memory. Every authority of its header must take part; a failure names the one. */
export async function decryptEnvelope(envelope: Uint8Array, opts: DecryptOptions): Promise<Uint8Array> {
  const { header, bodyOffset } = parsed(envelope);
  const dataKey = await recoverDataKey(header, readerFor(header, opts));
  const ctx = await bodyContext(header);
  return openBody(() => decryptChunked(dataKey, ctx, envelope.subarray(bodyOffset), opts));
}

/**
 * Envelope encryption as a `ByteTransformer` maker (for a stream API to wrap): the authorities wrap the data key now;
 * the transformer emits the header first, then the body chunk by chunk as the plaintext is written.
 */
export async function envelopeEncryptor(opts: EncryptOptions): Promise<(emit: EmitBytes) => ByteTransformer> {
  const { headerBytes, dataKey, bodyContext: ctx } = await newEnvelope(opts);
  return (emit) => {
    const body = chunkedEncryptor(dataKey, ctx, opts, emit);
    return {
      async start() {
        emit([headerBytes]);
        await body.start();
      },
      write: (input) => body.write(input),
      end: () => body.end(),
    };
  };
}

/**
 * Envelope decryption as a `ByteTransformer`: reads the header, has every authority take part, then emits the
 * plaintext chunk by chunk, each only once it authenticated. Every failure is an SdkError.
 */
export function envelopeDecryptor(opts: DecryptOptions, emit: EmitBytes): ByteTransformer {
  // The bytes before the header is whole: one owned copy (the caller may reuse what it wrote).
  let prefix = new Uint8Array(0);
  let body: ByteTransformer | undefined;

  const write = async (input: Uint8Array): Promise<void> => {
    if (body) return body.write(input);
    prefix = concatBytes(prefix, input);
    const needed = envelopeHeaderLength(prefix);
    if (needed === undefined || prefix.length < needed) return;
    const { header, bodyOffset } = parsed(prefix);
    const dataKey = await recoverDataKey(header, readerFor(header, opts));
    body = chunkedDecryptor(dataKey, await bodyContext(header), opts, emit);
    const rest = prefix.subarray(bodyOffset);
    prefix = new Uint8Array(0);
    if (rest.length > 0) await body.write(rest);
  };
  const sdkErrors =
    <A extends unknown[]>(f: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await f(...args);
      } catch (e) {
        throw asSdkError(e);
      }
    };
  return {
    start: async () => undefined,
    write: sdkErrors(write),
    end: sdkErrors(async () => {
      if (!body) throw new SdkError('INVALID_ENVELOPE', 'the envelope ends before its header does');
      await body.end();
    }),
  };
}

/**
 * Streaming encryption in constant memory: the header comes out first, then the body chunk by chunk as the plaintext
 * is written.
 */
export async function encryptEnvelopeStream(
  opts: EncryptOptions,
): Promise<ReadableWritablePair<Uint8Array, Uint8Array>> {
  return byteTransformStream(await envelopeEncryptor(opts));
}

/**
 * Streaming decryption in constant memory: reads the header, has every authority take part, then releases the
 * plaintext chunk by chunk, each only once it authenticated. Any failure errors the stream.
 */
export function decryptEnvelopeStream(opts: DecryptOptions): TransformStream<Uint8Array, Uint8Array> {
  return byteTransformStream((emit) => envelopeDecryptor(opts, emit));
}

/**
 * Plaintext bytes [start, end) of an envelope read by ranges (a file, an object store): only the header and the chunks
 * covering the range are read and decrypted.
 */
export async function decryptEnvelopeRange(
  read: (offset: number, length: number) => Promise<Uint8Array>,
  envelopeLength: number,
  start: number,
  end: number,
  opts: DecryptOptions,
): Promise<Uint8Array> {
  const prefix = await read(0, Math.min(envelopeLength, 9));
  const needed = envelopeHeaderLength(prefix);
  /* Precondition: an envelope is long enough for its header. */
  needs(
    needed !== undefined && needed <= envelopeLength,
    'an envelope is long enough for its header',
    'INVALID_ENVELOPE',
  );
  const { header, bodyOffset } = parsed(await read(0, needed));
  const dataKey = await recoverDataKey(header, readerFor(header, opts));
  const ctx = await bodyContext(header);
  return openBody(() =>
    chunkedDecryptRange(
      dataKey,
      ctx,
      (offset, length) => read(bodyOffset + offset, length),
      envelopeLength - bodyOffset,
      start,
      end,
      opts,
    ),
  );
}

/** What an envelope's header says (no authority asked, nothing decrypted), and its plaintext length. */
export function inspectEnvelope(
  prefix: Uint8Array,
  envelopeLength?: number,
): { header: EnvelopeHeader; bodyOffset: number; plaintextLength?: number } {
  const { header, bodyOffset } = parsed(prefix);
  return {
    header,
    bodyOffset,
    ...(envelopeLength !== undefined
      ? { plaintextLength: chunkedPlaintextLength(envelopeLength - bodyOffset) }
      : {}),
  };
}

/**
 * Replaces the outermost layer of one part (`part`, default the only one) from authority `from` to `to`, without the
 * data key: `from` unwraps to the layer below (still wrapped) and `to` wraps it again under the same binding, or a KMS
 * moves it itself (ReEncrypt) when both are keys of the same endpoint. Answers the new header bytes; the body is
 * unchanged (new envelope = new header || old body).
 */
export async function rewrapEnvelope(
  prefix: Uint8Array,
  change: { from: Authority; to: Authority; part?: string },
): Promise<{ headerBytes: Uint8Array; bodyOffset: number }> {
  const { header, bodyOffset } = parsed(prefix);
  const parts = recipeParts(header);
  const target =
    change.part === undefined && parts.length === 1 ? parts[0] : parts.find((p) => p.part === change.part);
  if (!target)
    throw new SdkError('CONFIG', `the envelope has no part ${change.part ?? '(name one of the split)'}`);
  const outer = target.chain.length - 1;
  const index = target.chain[outer]!;
  const current = header.authorities[index]!;
  /* Precondition: a re-wrap replaces the outermost authority of the part. */
  needs(current.id === change.from.id, 'a re-wrap replaces the outermost authority of the part');
  resolver([change.from])(current);
  /* Precondition: the new authority's id is not another authority's of the envelope. */
  needs(
    header.authorities.every((a, i) => i === index || a.id !== change.to.id),
    "the new authority's id is not another authority's of the envelope",
  );
  const binding = wrapBinding(header, target.part, outer);
  const moved =
    (await change.from.reEncrypt?.(target.wrapped, binding, change.to)) ??
    (await change.to.wrap(await change.from.unwrap(target.wrapped, binding), binding));
  const rewrapped = withWrapped(withAuthority(header, index, change.to.describe()), target.part, moved);
  return { headerBytes: serializeEnvelopeHeader(rewrapped), bodyOffset };
}
