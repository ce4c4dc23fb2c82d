import type { IncomingMessage } from 'node:http';
import { type Readable, pipeline } from 'node:stream';

import type { BlobStore } from '../blobs/blob-store.js';
import { awsChunkedDecoder, awsChunkedOptionsFor } from '../s3/aws-chunked.js';
import {
  type ChecksumAlgorithm,
  checkContentMd5Header,
  checksumTap,
  expectedChecksums,
  requestedChecksumAlgorithm,
  verifyDigests,
} from '../s3/checksums.js';
import { S3Error, incompleteBody as incomplete } from '../s3/errors.js';
import { XML_BODY_LIMITS } from '../s3/xml.js';
import type { S3Request } from './s3-server.js';

/** A body stored as a blob, checked against every digest the client gave. */
export interface ReceivedBody {
  blobId: string;
  size: number;
  /** Quoted hex MD5: the object's or the part's ETag. */
  etag: string;
  /** The flexible checksum the client asked for (x-amz-checksum-<alg>), lower-case algorithm and base64 value. */
  checksum?: { algorithm: string; value: string };
}

/** Content-Length as a number, or undefined when absent. */
function contentLength(req: IncomingMessage): number | undefined {
  const value = req.headers['content-length'];
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value)) throw new S3Error('InvalidArgument', 'Content-Length is not a number.');
  return Number(value);
}

/**
 * Request bodies into blobs, in constant memory: the body (decoded from aws-chunked when it is) flows through the
 * digests into the blob store, which makes it durable; only then are the digests compared, and a body that fails is
 * deleted before the error is answered. Nothing is recorded here: the caller records the blob once this resolves.
 */
export class Ingest {
  constructor(
    private readonly store: BlobStore,
    /** The largest body (one PUT or part) and copy source. */
    readonly maxBytes: number,
  ) {}

  async receive(r: S3Request): Promise<ReceivedBody> {
    const { req, verified } = r;
    const payload = verified.payload;
    const headers = req.headersDistinct;
    const contentMd5 = checkContentMd5Header(req.headers['content-md5']);
    const chunked = awsChunkedOptionsFor(verified, r.caller.signingKey);
    const streaming = chunked !== undefined;
    const trailerNames = chunked?.trailer ?? [];
    const algorithm = requestedChecksumAlgorithm(headers, trailerNames);
    const declared = chunked ? chunked.decodedLength : contentLength(req);
    if (declared === undefined) {
      throw new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.');
    }
    if (declared > this.maxBytes) {
      throw new S3Error(
        'EntityTooLarge',
        'Your proposed upload exceeds the maximum allowed size.',
        undefined,
        {
          ProposedSize: String(declared),
          MaxSizeAllowed: String(this.maxBytes),
        },
      );
    }
    const tap = checksumTap({ sha256: payload.kind === 'sha256', checksums: algorithm ? [algorithm] : [] });
    const decoder = chunked && awsChunkedDecoder(chunked);
    // The store reads from the tap; every stage before it is piped so that an error anywhere reaches it.
    const stages: (NodeJS.ReadableStream | NodeJS.WritableStream)[] = decoder
      ? [req, decoder, tap]
      : [req, tap];
    let failure: unknown;
    pipeline(stages as never, (e: unknown) => {
      if (e) failure ??= e;
    });
    // A client that hangs up mid-body: node:http ends the request without an error on some paths.
    req.once('aborted', () => {
      // The pipeline destroys the request when a stage fails (a chunk signature): that stage's error is the answer.
      failure ??= decoder?.errored ?? tap.errored ?? incomplete();
      tap.destroy(incomplete());
    });
    let stored: { blobId: string; size: number };
    try {
      stored = await this.store.put(tap);
    } catch (e) {
      throw asBodyError(failure ?? e);
    }
    try {
      if (failure !== undefined) throw asBodyError(failure);
      if (stored.size !== declared || (!streaming && !req.complete)) throw incomplete();
      const fromTrailer = decoder ? expectedChecksums(decoder.trailers()) : undefined;
      const checksum = expectedChecksums(headers) ?? fromTrailer;
      verifyDigests(tap.digests(), {
        ...(contentMd5 ? { contentMd5 } : {}),
        ...(payload.kind === 'sha256' ? { sha256Hex: payload.hash } : {}),
        ...(checksum ? { checksum } : {}),
      });
      return {
        blobId: stored.blobId,
        size: stored.size,
        etag: tap.etag(),
        ...(algorithm ? { checksum: responseChecksum(algorithm, tap.checksumBase64(algorithm)) } : {}),
      };
    } catch (e) {
      await this.discard(stored.blobId);
      throw e;
    }
  }

  /** Stores bytes this service already holds (CopyObject): no client digests, the ETag from the MD5. */
  async storeCopy(body: Readable): Promise<{ blobId: string; size: number; etag: string }> {
    const tap = checksumTap();
    body.once('error', (e) => tap.destroy(e));
    const stored = await this.store.put(body.pipe(tap));
    return { ...stored, etag: tap.etag() };
  }

  /** Deletes a blob that will not be recorded; a failure leaves it to the orphan sweep. */
  async discard(blobId: string): Promise<void> {
    await this.store.delete(blobId).catch(() => undefined);
  }
}

function responseChecksum(algorithm: ChecksumAlgorithm, value: string): { algorithm: string; value: string } {
  return { algorithm: algorithm.toLowerCase(), value };
}

/** A body failure as the client should read it: an S3Error as is, a cut connection as IncompleteBody. */
function asBodyError(e: unknown): unknown {
  if (e instanceof S3Error) return e;
  return incomplete();
}

/**
 * A small XML request body (CreateBucket, CompleteMultipartUpload, DeleteObjects), refused past its limit before it is
 * all read, and checked against what the signature covers (x-amz-content-sha256) and Content-MD5: the body of a signed
 * request cannot be swapped. aws-chunked bodies are refused here (no client sends them for these operations).
 */
export async function readSmallBody(r: S3Request, kind: keyof typeof XML_BODY_LIMITS): Promise<string> {
  const { req, verified } = r;
  const limit = XML_BODY_LIMITS[kind];
  const declared = contentLength(req);
  if (declared !== undefined && declared > limit) {
    throw new S3Error('MaxMessageLengthExceeded', 'Your request was too big.');
  }
  const payload = verified.payload;
  if (payload.kind !== 'sha256' && payload.kind !== 'unsigned') {
    throw new S3Error('InvalidRequest', 'This operation takes its body whole, not aws-chunked.');
  }
  const contentMd5 = checkContentMd5Header(req.headers['content-md5']);
  const tap = checksumTap({ sha256: payload.kind === 'sha256' });
  const pieces: Buffer[] = [];
  let length = 0;
  try {
    for await (const piece of req) {
      length += (piece as Buffer).length;
      if (length > limit) throw new S3Error('MaxMessageLengthExceeded', 'Your request was too big.');
      pieces.push(piece as Buffer);
      tap.update(piece as Buffer);
    }
  } catch (e) {
    throw asBodyError(e);
  }
  if (!req.complete) throw incomplete();
  tap.finish();
  verifyDigests(tap.digests(), {
    ...(contentMd5 ? { contentMd5 } : {}),
    ...(payload.kind === 'sha256' ? { sha256Hex: payload.hash } : {}),
  });
  return Buffer.concat(pieces).toString('utf8');
}
