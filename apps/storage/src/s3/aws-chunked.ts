/**
 * Decoder for `Content-Encoding: aws-chunked` request bodies (AWS docs: "Transferring Payload in Multiple Chunks" and
 * "Including Trailing Headers"):
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n <size bytes>\r\n  ...  0[;chunk-signature=<sig>]\r\n
 *   [<trailer name>:<value>\r\n ...] [x-amz-trailer-signature:<sig>\r\n] \r\n
 *
 * Constant memory: chunk data is passed on as it arrives (subarrays of the input, never copied or gathered) and
 * hashed incrementally; only a header or trailer line is held, capped at MAX_LINE_BYTES. A chunk's bytes therefore
 * leave the decoder BEFORE its signature is checked: consumers must commit nothing until the stream ends without
 * an error (the storage backends write to a temporary file and rename only then).
 *
 * Signed mode (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]): every chunk header carries `;chunk-signature=`, chained
 * from the seed signature; a non-final data chunk under 8 KiB is refused (as S3 does); with trailers, the line
 * `x-amz-trailer-signature:` signs them. Unsigned mode (STREAMING-UNSIGNED-PAYLOAD-TRAILER): no chunk extensions.
 * Errors are S3Errors the stream is destroyed with: IncompleteBody, SignatureDoesNotMatch, InvalidChunkSizeError,
 * MalformedTrailerError, InvalidRequest (data after the end, or more data than x-amz-decoded-content-length).
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

import { S3Error, incompleteBody as incomplete } from './errors.js';
import { needs } from './needs.js';
import {
  EMPTY_SHA256_HEX,
  HEX_64,
  type VerifiedS3Request,
  chunkStringToSign,
  signString,
  signaturesEqual,
  SIGNATURE_MISMATCH_MESSAGE,
  trailerStringToSign,
} from './sigv4.js';

/** Longest chunk-header or trailer line accepted, CRLF excluded (a signed header needs 16 + 17 + 64 = 97). */
export const MAX_LINE_BYTES = 256;
/** S3: only the last data chunk of a signed body may be smaller. */
export const MIN_SIGNED_CHUNK_BYTES = 8192;
export const TRAILER_SIGNATURE = 'x-amz-trailer-signature';

export interface AwsChunkedSigning {
  signingKey: Buffer;
  /** The Authorization header's signature. */
  seedSignature: string;
  amzDate: string;
  /** `yyyymmdd/region/s3/aws4_request`. */
  scope: string;
}

export interface AwsChunkedOptions {
  /** Present for STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]; absent for STREAMING-UNSIGNED-PAYLOAD-TRAILER. */
  signed?: AwsChunkedSigning;
  /** Lower-case names from x-amz-trailer; each must arrive in the trailer. Signed with trailers: a trailer signature. */
  trailer: string[];
  /** x-amz-decoded-content-length: the decoded body must be exactly this long. */
  decodedLength?: number;
}

export type AwsChunkedDecoder = Transform & {
  /** The trailer values by lower-case name (complete once the stream has ended). */
  trailers(): Record<string, string>;
};

const CR = 0x0d;
const LF = 0x0a;
const HEX_SIZE = /^[0-9a-fA-F]{1,16}$/;
const SIGNATURE_EXTENSION = /^chunk-signature=([0-9a-fA-F]{64})$/;
const TRAILER_LINE = /^([A-Za-z0-9-]+):(.*)$/;

type State = 'header' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';

const badChunk = (detail: string) =>
  new S3Error('InvalidChunkSizeError', `Invalid aws-chunked body: ${detail}`);
const badTrailer = () =>
  new S3Error(
    'MalformedTrailerError',
    'The request contained trailing data that was not well-formed or did not conform to our published schema.',
  );
const badSignature = () => new S3Error('SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);

class Decoder extends Transform {
  private state: State = 'header';
  /** Bytes of the current header / trailer line (without the LF) gathered across input chunks. */
  private line: Buffer[] = [];
  private lineLength = 0;
  /** Bytes of the current chunk still to pass on. */
  private remaining = 0;
  private chunkSignature = '';
  private previousSignature: string;
  private hash: Hash | undefined;
  /** Size of the last data chunk, to enforce the 8 KiB minimum on the ones before it. */
  private lastDataChunk = -1;
  private total = 0;
  private readonly received = new Map<string, string>();
  private trailerSignature: string | undefined;

  constructor(private readonly options: AwsChunkedOptions) {
    super();
    this.previousSignature = options.signed?.seedSignature ?? '';
  }

  trailers(): Record<string, string> {
    return Object.fromEntries(this.received);
  }

  override _transform(input: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(input);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.state === 'done' ? undefined : incomplete());
  }

  private consume(input: Buffer): void {
    let pos = 0;
    while (pos < input.length) {
      switch (this.state) {
        case 'header':
        case 'trailer': {
          const lf = input.indexOf(LF, pos);
          const end = lf < 0 ? input.length : lf;
          this.lineLength += end - pos;
          if (this.lineLength > MAX_LINE_BYTES + 1) {
            throw this.state === 'header' ? badChunk('chunk header line too long') : badTrailer();
          }
          this.line.push(input.subarray(pos, end));
          pos = end;
          if (lf >= 0) {
            pos = lf + 1;
            const line = Buffer.concat(this.line, this.lineLength);
            this.line = [];
            this.lineLength = 0;
            if (line.length === 0 || line[line.length - 1] !== CR) {
              throw this.state === 'header' ? badChunk('lines must end with CRLF') : badTrailer();
            }
            const text = line.toString('latin1', 0, line.length - 1);
            if (this.state === 'header') {
              this.onHeader(text);
            } else {
              this.onTrailerLine(text);
            }
          }
          break;
        }
        case 'data': {
          const take = Math.min(this.remaining, input.length - pos);
          const slice = input.subarray(pos, pos + take);
          this.hash?.update(slice);
          this.remaining -= take;
          this.total += take;
          pos += take;
          this.push(slice);
          if (this.remaining === 0) {
            this.state = 'data-cr';
          }
          break;
        }
        case 'data-cr':
        case 'data-lf': {
          const expected = this.state === 'data-cr' ? CR : LF;
          if (input[pos] !== expected) {
            throw badChunk('chunk data is not followed by CRLF');
          }
          pos += 1;
          if (this.state === 'data-cr') {
            this.state = 'data-lf';
          } else {
            this.endOfChunkData();
          }
          break;
        }
        case 'done':
          throw new S3Error('InvalidRequest', 'The aws-chunked body continues after its end.');
      }
    }
  }

  private onHeader(text: string): void {
    const semi = text.indexOf(';');
    const sizeText = semi < 0 ? text : text.slice(0, semi);
    const extension = semi < 0 ? undefined : text.slice(semi + 1);
    if (!HEX_SIZE.test(sizeText)) {
      throw badChunk('the chunk size is not hexadecimal');
    }
    const size = parseInt(sizeText, 16);
    if (!Number.isSafeInteger(size)) {
      throw badChunk('the chunk size is too large');
    }
    const signed = this.options.signed;
    if (signed === undefined) {
      if (extension !== undefined) {
        throw badChunk('chunk extensions are not allowed in an unsigned body');
      }
    } else {
      const m = extension === undefined ? null : SIGNATURE_EXTENSION.exec(extension);
      if (m === null) {
        throw badSignature();
      }
      this.chunkSignature = (m[1] as string).toLowerCase();
      if (size > 0 && this.lastDataChunk >= 0 && this.lastDataChunk < MIN_SIGNED_CHUNK_BYTES) {
        throw new S3Error(
          'InvalidChunkSizeError',
          'Only the last chunk is allowed to have a size less than 8192 bytes',
        );
      }
    }
    const limit = this.options.decodedLength;
    if (limit !== undefined && this.total + size > limit) {
      throw new S3Error('InvalidRequest', 'The decoded body is longer than x-amz-decoded-content-length.');
    }
    if (size === 0) {
      this.verifyChunk(EMPTY_SHA256_HEX);
      if (limit !== undefined && this.total !== limit) {
        throw incomplete();
      }
      this.state = 'trailer';
      return;
    }
    this.lastDataChunk = size;
    this.remaining = size;
    this.hash = signed === undefined ? undefined : createHash('sha256');
    this.state = 'data';
  }

  private endOfChunkData(): void {
    if (this.hash !== undefined) {
      this.verifyChunk(this.hash.digest('hex'));
      this.hash = undefined;
    }
    this.state = 'header';
  }

  private verifyChunk(dataSha256Hex: string): void {
    const signed = this.options.signed;
    if (signed === undefined) {
      return;
    }
    const expected = signString(
      signed.signingKey,
      chunkStringToSign(signed.amzDate, signed.scope, this.previousSignature, dataSha256Hex),
    );
    if (!signaturesEqual(expected, this.chunkSignature)) {
      throw badSignature();
    }
    this.previousSignature = expected;
  }

  private get expectsTrailerSignature(): boolean {
    return this.options.signed !== undefined && this.options.trailer.length > 0;
  }

  private onTrailerLine(text: string): void {
    if (text === '') {
      this.endOfTrailer();
      return;
    }
    const m = TRAILER_LINE.exec(text);
    if (m === null || this.trailerSignature !== undefined) {
      throw badTrailer();
    }
    const name = (m[1] as string).toLowerCase();
    const value = (m[2] as string).trim();
    if (name === TRAILER_SIGNATURE && this.expectsTrailerSignature) {
      if (!HEX_64.test(value)) {
        throw badSignature();
      }
      this.trailerSignature = value.toLowerCase();
      return;
    }
    if (!this.options.trailer.includes(name) || this.received.has(name)) {
      throw badTrailer();
    }
    this.received.set(name, value);
  }

  private endOfTrailer(): void {
    if (this.options.trailer.some((name) => !this.received.has(name))) {
      throw badTrailer();
    }
    const signed = this.options.signed;
    if (this.expectsTrailerSignature && signed !== undefined) {
      if (this.trailerSignature === undefined) {
        throw badSignature();
      }
      const expected = signString(
        signed.signingKey,
        trailerStringToSign(signed.amzDate, signed.scope, this.previousSignature, this.trailers()),
      );
      if (!signaturesEqual(expected, this.trailerSignature)) {
        throw badSignature();
      }
    }
    this.state = 'done';
  }
}

/** A Transform from an aws-chunked body to the object bytes, verifying framing, signatures and trailers. */
export function awsChunkedDecoder(options: AwsChunkedOptions): AwsChunkedDecoder {
  /* Precondition: decodedLength must be a non-negative safe integer. */
  needs(
    options.decodedLength === undefined ||
      (Number.isSafeInteger(options.decodedLength) && options.decodedLength >= 0),
    'decodedLength must be a non-negative safe integer',
  );
  /* Precondition: trailer names must be lower-case and distinct. */
  needs(
    options.trailer.every((n) => n === n.toLowerCase() && n !== TRAILER_SIGNATURE) &&
      new Set(options.trailer).size === options.trailer.length,
    'trailer names must be lower-case and distinct',
  );
  /* Precondition: a signed body needs a 32-byte signing key and a 64-hex seed signature. */
  needs(
    options.signed === undefined ||
      (options.signed.signingKey.length === 32 && HEX_64.test(options.signed.seedSignature)),
    'a signed body needs a 32-byte signing key and a 64-hex seed signature',
  );
  return new Decoder(options);
}

/**
 * The decoder options for a verified request, or undefined when its body is not aws-chunked (a `sha256` or
 * `unsigned` payload is read as is).
 */
export function awsChunkedOptionsFor(
  verified: VerifiedS3Request,
  signingKey: Buffer,
): AwsChunkedOptions | undefined {
  const payload = verified.payload;
  if (payload.kind === 'streaming-signed') {
    return {
      signed: {
        signingKey,
        seedSignature: verified.seedSignature,
        amzDate: verified.amzDate,
        scope: verified.scope,
      },
      trailer: payload.trailers,
      decodedLength: payload.decodedLength,
    };
  }
  if (payload.kind === 'streaming-unsigned-trailer') {
    return { trailer: payload.trailers, decodedLength: payload.decodedLength };
  }
  return undefined;
}
