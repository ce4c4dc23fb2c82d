/**
 * Digests of an object body computed while it flows (one pass, constant memory), and S3's checks on them:
 * - MD5 always: the ETag of a single-part object and the Content-MD5 check;
 * - SHA-256 when x-amz-content-sha256 is a hex hash (XAmzContentSHA256Mismatch);
 * - the flexible checksums of x-amz-checksum-<alg> / x-amz-trailer / x-amz-sdk-checksum-algorithm: CRC32 (node:zlib),
 *   CRC32C (slicing-by-8 tables below), SHA-1, SHA-256. The same tap gives the value a client asks to get back
 *   (PutObject's x-amz-checksum-crc32 response header): ChecksumTap.checksumBase64.
 * CRC64NVME is refused with NotImplemented (501): no implementation here yet, and answering InvalidRequest would tell
 * clients the request is wrong when it is this service that lacks the algorithm.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';

import { S3Error } from './errors.js';
import { needs } from './needs.js';
import type { S3Headers } from './sigv4.js';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256';
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256'];
/** Digest length in bytes of each algorithm. */
export const CHECKSUM_LENGTHS: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC32: 4,
  CRC32C: 4,
  SHA1: 20,
  SHA256: 32,
};

/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8: table k maps a byte k positions ahead. */
const CRC32C_TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    }
    t[i] = c;
  }
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + i] as number;
      t[k * 256 + i] = (prev >>> 8) ^ (t[prev & 0xff] as number);
    }
  }
  return t;
})();

/** CRC-32C of `data`, continuing from `previous` (the CRC of the bytes before; 0 to start). */
export function crc32c(data: Uint8Array, previous = 0): number {
  const t = CRC32C_TABLES;
  let crc = ~previous;
  let i = 0;
  const end8 = data.length - (data.length % 8);
  for (; i < end8; i += 8) {
    crc ^=
      (data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24);
    crc =
      (t[1792 + (crc & 0xff)] as number) ^
      (t[1536 + ((crc >>> 8) & 0xff)] as number) ^
      (t[1280 + ((crc >>> 16) & 0xff)] as number) ^
      (t[1024 + (crc >>> 24)] as number) ^
      (t[768 + (data[i + 4] as number)] as number) ^
      (t[512 + (data[i + 5] as number)] as number) ^
      (t[256 + (data[i + 6] as number)] as number) ^
      (t[data[i + 7] as number] as number);
  }
  for (; i < data.length; i++) {
    crc = (t[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return ~crc >>> 0;
}

function uint32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

/** The checksum header (and trailer) name of an algorithm: `x-amz-checksum-crc32` and so on. */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/**
 * An algorithm name as in x-amz-checksum-algorithm / x-amz-sdk-checksum-algorithm (case-insensitive).
 * CRC64NVME: NotImplemented; anything else unknown: InvalidRequest.
 */
export function parseChecksumAlgorithm(value: string): ChecksumAlgorithm {
  const upper = value.trim().toUpperCase();
  if (upper === 'CRC64NVME') {
    throw new S3Error('NotImplemented', 'The CRC64NVME checksum algorithm is not supported by this service.');
  }
  if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(upper)) {
    throw new S3Error(
      'InvalidRequest',
      'Checksum algorithm provided is unsupported. Please try again with any of the valid types: ' +
        '[CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
    );
  }
  return upper as ChecksumAlgorithm;
}

export interface ChecksumTapOptions {
  /** Compute SHA-256 for x-amz-content-sha256 (shared with a SHA256 checksum when both are asked). */
  sha256?: boolean;
  /** Flexible checksums to compute. */
  checksums?: readonly ChecksumAlgorithm[];
}

export interface Digests {
  /** Bytes seen. */
  length: number;
  md5: Buffer;
  sha256?: Buffer;
  checksums: Partial<Record<ChecksumAlgorithm, Buffer>>;
}

/** A pass-through Transform computing the digests asked for while bytes flow; digests() once it has ended. */
export class ChecksumTap extends Transform {
  private readonly md5: Hash = createHash('md5');
  private readonly sha256: Hash | undefined;
  private readonly sha1: Hash | undefined;
  private readonly wantCrc32: boolean;
  private readonly wantCrc32c: boolean;
  private crc32 = 0;
  private crc32c = 0;
  private length = 0;
  private result: Digests | undefined;

  constructor(private readonly options: ChecksumTapOptions = {}) {
    super();
    const checksums = options.checksums ?? [];
    this.sha256 = options.sha256 || checksums.includes('SHA256') ? createHash('sha256') : undefined;
    this.sha1 = checksums.includes('SHA1') ? createHash('sha1') : undefined;
    this.wantCrc32 = checksums.includes('CRC32');
    this.wantCrc32c = checksums.includes('CRC32C');
  }

  /** Feeds bytes without the stream (for callers that tap a stream themselves). */
  update(chunk: Buffer): void {
    /* Precondition: no bytes may be added once the digests are final. */
    needs(this.result === undefined, 'no bytes may be added once the digests are final');
    this.md5.update(chunk);
    this.sha256?.update(chunk);
    this.sha1?.update(chunk);
    if (this.wantCrc32) {
      this.crc32 = crc32(chunk, this.crc32);
    }
    if (this.wantCrc32c) {
      this.crc32c = crc32c(chunk, this.crc32c);
    }
    this.length += chunk.length;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.finish();
    callback();
  }

  /** Finalises the digests (called by the stream's end; call it yourself when feeding with update()). */
  finish(): Digests {
    if (this.result === undefined) {
      const checksums: Partial<Record<ChecksumAlgorithm, Buffer>> = {};
      const sha256 = this.sha256?.digest();
      for (const algorithm of this.options.checksums ?? []) {
        checksums[algorithm] =
          algorithm === 'CRC32'
            ? uint32(this.crc32)
            : algorithm === 'CRC32C'
              ? uint32(this.crc32c)
              : algorithm === 'SHA1'
                ? (this.sha1 as Hash).digest()
                : (sha256 as Buffer);
      }
      this.result = {
        length: this.length,
        md5: this.md5.digest(),
        ...(this.options.sha256 ? { sha256 } : {}),
        checksums,
      };
    }
    return this.result;
  }

  /** The digests; available once the stream has ended (or finish() was called). */
  digests(): Digests {
    /* Precondition: digests are available once the stream has ended. */
    needs(this.result !== undefined, 'digests are available once the stream has ended');
    return this.result;
  }

  /** The base64 value of a computed checksum, as the x-amz-checksum-<alg> response header carries it. */
  checksumBase64(algorithm: ChecksumAlgorithm): string {
    const value = this.digests().checksums[algorithm];
    /* Precondition: the checksum must have been asked for when the tap was made. */
    needs(value !== undefined, 'the checksum must have been asked for when the tap was made');
    return value.toString('base64');
  }

  /** The S3 ETag of a single-part object: the quoted hex MD5. */
  etag(): string {
    return `"${this.digests().md5.toString('hex')}"`;
  }
}

export function checksumTap(options: ChecksumTapOptions = {}): ChecksumTap {
  return new ChecksumTap(options);
}

/** Strict base64 (canonical padding, nothing else) to bytes, or undefined. */
function strictBase64(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    return undefined;
  }
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : undefined;
}

/** Content-MD5 to its 16 bytes; undefined when absent; InvalidDigest when not base64 of 16 bytes. */
export function checkContentMd5Header(value: string | string[] | undefined): Buffer | undefined {
  if (value === undefined) {
    return undefined;
  }
  const bytes = typeof value === 'string' ? strictBase64(value.trim()) : undefined;
  if (bytes === undefined || bytes.length !== 16) {
    throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.');
  }
  return bytes;
}

export interface ExpectedChecksum {
  algorithm: ChecksumAlgorithm;
  /** As sent (base64). */
  value: string;
  digest: Buffer;
}

/* x-amz-checksum-* headers that are not checksum values. */
const NOT_CHECKSUM_VALUES = new Set([
  'x-amz-checksum-algorithm',
  'x-amz-checksum-type',
  'x-amz-checksum-mode',
]);
const MULTIPLE_CHECKSUMS =
  'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.';

/**
 * The checksum a client sent in x-amz-checksum-<alg> headers, or in an aws-chunked trailer (pass the decoder's
 * trailers()). At most one; malformed values: InvalidRequest; CRC64NVME: NotImplemented.
 */
export function expectedChecksums(headers: S3Headers): ExpectedChecksum | undefined {
  const found: ExpectedChecksum[] = [];
  for (const [rawName, raw] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (raw === undefined || !name.startsWith('x-amz-checksum-') || NOT_CHECKSUM_VALUES.has(name)) {
      continue;
    }
    const suffix = name.slice('x-amz-checksum-'.length);
    if (suffix === 'crc64nvme') {
      throw new S3Error(
        'NotImplemented',
        'The CRC64NVME checksum algorithm is not supported by this service.',
      );
    }
    const algorithm = CHECKSUM_ALGORITHMS.find((a) => a.toLowerCase() === suffix);
    if (algorithm === undefined) {
      throw new S3Error('InvalidRequest', `The ${name} header is not a supported checksum.`);
    }
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.length !== 1) {
      throw new S3Error('InvalidRequest', MULTIPLE_CHECKSUMS);
    }
    const value = (values[0] as string).trim();
    const digest = strictBase64(value);
    if (digest === undefined || digest.length !== CHECKSUM_LENGTHS[algorithm]) {
      throw new S3Error('InvalidRequest', `Value for ${name} header is invalid.`);
    }
    found.push({ algorithm, value, digest });
  }
  if (found.length > 1) {
    throw new S3Error('InvalidRequest', MULTIPLE_CHECKSUMS);
  }
  return found[0];
}

/**
 * The flexible checksum a request asks for: from its x-amz-checksum-<alg> header, or its announced trailer, checked
 * against x-amz-sdk-checksum-algorithm when present. Undefined when it asks for none.
 */
export function requestedChecksumAlgorithm(
  headers: S3Headers,
  trailerNames: readonly string[] = [],
): ChecksumAlgorithm | undefined {
  const inHeader = expectedChecksums(headers)?.algorithm;
  const inTrailer = trailerNames.map((n) => parseChecksumAlgorithm(n.replace(/^x-amz-checksum-/i, '')));
  if (inTrailer.length > 1 || (inHeader !== undefined && inTrailer.length > 0)) {
    throw new S3Error('InvalidRequest', MULTIPLE_CHECKSUMS);
  }
  const chosen = inHeader ?? inTrailer[0];
  const sdkHeader = Object.entries(headers).find(
    ([n]) => n.toLowerCase() === 'x-amz-sdk-checksum-algorithm',
  )?.[1];
  if (sdkHeader !== undefined) {
    const sdk = parseChecksumAlgorithm(Array.isArray(sdkHeader) ? sdkHeader.join(',') : sdkHeader);
    if (chosen === undefined) {
      throw new S3Error(
        'InvalidRequest',
        'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
      );
    }
    if (sdk !== chosen) {
      throw new S3Error('InvalidRequest', 'Value for x-amz-sdk-checksum-algorithm header is invalid.');
    }
  }
  return chosen;
}

export interface ExpectedDigests {
  /** From checkContentMd5Header. */
  contentMd5?: Buffer;
  /** Lower-case hex from x-amz-content-sha256 (PayloadMode 'sha256'). */
  sha256Hex?: string;
  /** From expectedChecksums (header or trailer). */
  checksum?: ExpectedChecksum;
}

/**
 * Compares what was received with what the client claimed, once the body has ended. In S3's order: the
 * x-amz-content-sha256 hash (XAmzContentSHA256Mismatch), Content-MD5 (BadDigest), then the flexible checksum
 * (BadDigest). A claim whose digest the tap did not compute is a programming error.
 */
export function verifyDigests(digests: Digests, expected: ExpectedDigests): void {
  if (expected.sha256Hex !== undefined) {
    /* Precondition: the tap must compute SHA-256 when x-amz-content-sha256 is checked. */
    needs(digests.sha256 !== undefined, 'the tap must compute SHA-256 when x-amz-content-sha256 is checked');
    const computed = digests.sha256.toString('hex');
    if (computed !== expected.sha256Hex.toLowerCase()) {
      throw new S3Error(
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        undefined,
        { ClientComputedContentSHA256: expected.sha256Hex, S3ComputedContentSHA256: computed },
      );
    }
  }
  if (expected.contentMd5 !== undefined && !expected.contentMd5.equals(digests.md5)) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  if (expected.checksum !== undefined) {
    const computed = digests.checksums[expected.checksum.algorithm];
    /* Precondition: the tap must compute the checksum that is checked. */
    needs(computed !== undefined, 'the tap must compute the checksum that is checked');
    if (!computed.equals(expected.checksum.digest)) {
      throw new S3Error(
        'BadDigest',
        `The ${expected.checksum.algorithm} you specified did not match the calculated checksum.`,
      );
    }
  }
}
