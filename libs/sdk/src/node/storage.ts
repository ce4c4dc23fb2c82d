/**
 * Envelopes as objects in an S3-compatible store (Symbolon's storage service, or any other): `putEnvelope` encrypts a
 * stream into an object, `getEnvelope` streams an object back through decryption. The store only ever sees the
 * envelope (ciphertext). Memory: one part (8 MiB) whatever the size.
 */
import type { S3Client, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { type DecryptOptions, type EncryptOptions, SdkError } from '../core/index.js';
import { causeOf } from '../core/errors.js';
import { decryptNodeStream, encryptNodeStream } from './index.js';

/** Where an envelope object lives. */
export interface ObjectLocation {
  client: S3Client;
  bucket: string;
  key: string;
}

/** Bytes per part of the multipart uploads `putEnvelope` makes (S3's smallest part is 5 MiB): what it holds. */
export const PUT_PART_SIZE = 8 * 1024 * 1024;

/** The object's content type: an SDK envelope (docs/formats/envelope-v1.md). */
export const ENVELOPE_CONTENT_TYPE = 'application/vnd.symbolon.envelope';

/** The client's commands, loaded at the first call (most programs never store objects). */
const commands = () => import('@aws-sdk/client-s3');

const storageError = (what: string, e: unknown) => new SdkError('STORAGE', `${what}: ${causeOf(e)}`);

/** `client.send(command)`, its failure a STORAGE error: `what` (did not happen), then the cause. */
function send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
  client: S3Client,
  command: Parameters<typeof client.send<I, O>>[0],
  what: string,
): Promise<O> {
  return client.send(command).catch((e: unknown) => {
    throw storageError(what, e);
  });
}

/**
 * Encrypts `plaintext` (any length, read as a stream) into the object `to`: one PutObject when the envelope fits in a
 * part, a multipart upload otherwise (aborted if anything fails, so no object appears). The object is replaced only
 * once the whole envelope is stored.
 */
export async function putEnvelope(
  plaintext: Readable,
  to: ObjectLocation,
  opts: EncryptOptions,
): Promise<{ etag: string; size: number }> {
  const s3 = await commands();
  const envelope = await encryptNodeStream(opts);
  const encrypting = pipeline(plaintext, envelope);
  // Its failure is seen through the envelope stream too: observed here so that it is never unhandled.
  encrypting.catch(() => undefined);
  // One part buffer, filled again after each UploadPart: once its await resolves, the SDK has sent the body.
  const part = Buffer.allocUnsafe(PUT_PART_SIZE);
  let filled = 0;
  let size = 0;
  let uploadId: string | undefined;
  const parts: { PartNumber: number; ETag: string }[] = [];
  const target = { Bucket: to.bucket, Key: to.key };
  const uploadPart = async (bytes: Buffer): Promise<void> => {
    uploadId ??= (
      await send(
        to.client,
        new s3.CreateMultipartUploadCommand({ ...target, ContentType: ENVELOPE_CONTENT_TYPE }),
        `cannot start the upload of ${to.bucket}/${to.key}`,
      )
    ).UploadId;
    const PartNumber = parts.length + 1;
    const { ETag } = await send(
      to.client,
      new s3.UploadPartCommand({ ...target, UploadId: uploadId, PartNumber, Body: bytes }),
      `part ${PartNumber} of ${to.bucket}/${to.key} was not stored`,
    );
    parts.push({ PartNumber, ETag: ETag ?? '' });
  };
  try {
    for await (const piece of envelope as AsyncIterable<Buffer>) {
      size += piece.length;
      for (let offset = 0; offset < piece.length;) {
        const take = Math.min(PUT_PART_SIZE - filled, piece.length - offset);
        piece.copy(part, filled, offset, offset + take);
        filled += take;
        offset += take;
        if (filled === PUT_PART_SIZE) {
          await uploadPart(part);
          filled = 0;
        }
      }
    }
    await encrypting;
    if (uploadId === undefined) {
      const { ETag } = await send(
        to.client,
        new s3.PutObjectCommand({
          ...target,
          Body: part.subarray(0, filled),
          ContentType: ENVELOPE_CONTENT_TYPE,
        }),
        `${to.bucket}/${to.key} was not stored`,
      );
      return { etag: ETag ?? '', size };
    }
    if (filled > 0) await uploadPart(part.subarray(0, filled));
    const { ETag } = await send(
      to.client,
      new s3.CompleteMultipartUploadCommand({
        ...target,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
      `the upload of ${to.bucket}/${to.key} did not complete`,
    );
    return { etag: ETag ?? '', size };
  } catch (e) {
    envelope.destroy();
    if (uploadId !== undefined) {
      await to.client
        .send(new s3.AbortMultipartUploadCommand({ ...target, UploadId: uploadId }))
        .catch(() => undefined);
    }
    throw e;
  }
}

/**
 * The plaintext of the envelope object `from`, as a stream released chunk by chunk as each authenticates (an error —
 * an authority that fails, a damaged envelope — comes out as the stream's error). Rejects at once when the object
 * cannot be read.
 */
export async function getEnvelope(from: ObjectLocation, opts: DecryptOptions): Promise<Readable> {
  const s3 = await commands();
  const { Body } = await send(
    from.client,
    new s3.GetObjectCommand({ Bucket: from.bucket, Key: from.key }),
    `${from.bucket}/${from.key} cannot be read`,
  );
  if (Body === undefined) throw new SdkError('STORAGE', `${from.bucket}/${from.key} has no body`);
  const plaintext = decryptNodeStream(opts);
  const body = Body as Readable;
  // The object's stream failing (a cut connection) is the store's error: registered before the pipeline's own
  // handler, so that it is the error the plaintext stream is destroyed with. Decryption errors pass as they are.
  body.once('error', (e: unknown) =>
    plaintext.destroy(storageError(`${from.bucket}/${from.key} was cut`, e)),
  );
  // The failure reaches the caller through the plaintext stream; observed here so that it is never unhandled.
  pipeline(body, plaintext).catch(() => undefined);
  return plaintext;
}
