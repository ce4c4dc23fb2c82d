/**
 * S3's rules for names: general purpose bucket names, object keys, and user metadata (`x-amz-meta-*` headers).
 * Each check throws the S3Error S3 answers with; none of them touches storage.
 */
import { S3Error } from './errors.js';

const BUCKET_CHARS = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const IPV4_LIKE = /^\d{1,3}(\.\d{1,3}){3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'] as const;
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'] as const;

/**
 * S3's naming rules for general purpose buckets: 3 to 63 characters of lower-case letters, digits, dots and hyphens;
 * a letter or digit first and last; no two adjacent dots; not shaped like an IPv4 address (`192.168.5.4`); none of
 * the reserved prefixes (`xn--`, `sthree-`, `amzn-s3-demo-`) or suffixes (`-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`,
 * `--table-s3`).
 *
 * @throws S3Error InvalidBucketName, with the name as BucketName
 */
export function checkBucketName(name: string): void {
  const valid =
    name.length >= 3 &&
    name.length <= 63 &&
    BUCKET_CHARS.test(name) &&
    !name.includes('..') &&
    !IPV4_LIKE.test(name) &&
    !RESERVED_PREFIXES.some((p) => name.startsWith(p)) &&
    !RESERVED_SUFFIXES.some((s) => name.endsWith(s));
  if (!valid) {
    throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', undefined, {
      BucketName: name,
    });
  }
}

export const MAX_KEY_BYTES = 1024;

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * An object key: not empty, well-formed Unicode (no lone surrogate: such a key has no UTF-8 form), at most 1,024
 * bytes of UTF-8. Any other character is allowed, as S3 allows it.
 *
 * @throws S3Error InvalidArgument (empty, or not well-formed), KeyTooLongError (over 1,024 bytes)
 */
export function checkObjectKey(key: string): void {
  if (key.length === 0) throw new S3Error('InvalidArgument', 'The object key must not be empty.');
  if (LONE_SURROGATE.test(key)) throw new S3Error('InvalidArgument', 'The object key is not valid UTF-8.');
  // PostgreSQL's text cannot hold U+0000: refused for every database alike.
  if (key.includes('\u0000')) throw new S3Error('InvalidArgument', 'The object key must not contain U+0000.');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', 'Your key is too long.', undefined, {
      Size: String(Buffer.byteLength(key, 'utf8')),
      MaxSizeAllowed: String(MAX_KEY_BYTES),
    });
  }
}

export const USER_METADATA_PREFIX = 'x-amz-meta-';
export const MAX_USER_METADATA_BYTES = 2048;

/**
 * Bytes of a header name or value. node:http hands header text over as latin1 (one character per byte received), so
 * such text counts one byte per character; text holding characters above U+00FF was decoded by the caller and counts
 * as its UTF-8 encoding.
 */
function headerBytes(text: string): number {
  return /[\u0100-\uFFFF]/.test(text) ? Buffer.byteLength(text, 'utf8') : text.length;
}

/**
 * The user metadata of a request: every `x-amz-meta-*` header, its name lower-cased (prefix kept: `x-amz-meta-color`),
 * its value as given (repeated headers joined with `,`, as S3 joins them). S3 limits user metadata to 2 KB, counted as
 * the bytes of each metadata name (the part after `x-amz-meta-`) plus the bytes of each value.
 *
 * @throws S3Error MetadataTooLarge when that count exceeds 2,048 bytes
 */
export function checkUserMetadata(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const metadata: Record<string, string> = {};
  let bytes = 0;
  for (const [rawName, rawValue] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (!name.startsWith(USER_METADATA_PREFIX) || rawValue === undefined) continue;
    const value = Array.isArray(rawValue) ? rawValue.join(',') : rawValue;
    // Two spellings of one name (`X-Amz-Meta-A`, `x-amz-meta-a`) are one header: join them.
    const previous = metadata[name];
    if (previous !== undefined) bytes -= headerBytes(previous);
    else bytes += headerBytes(name.slice(USER_METADATA_PREFIX.length));
    metadata[name] = previous === undefined ? value : `${previous},${value}`;
    bytes += headerBytes(metadata[name]);
  }
  if (bytes > MAX_USER_METADATA_BYTES) {
    throw new S3Error(
      'MetadataTooLarge',
      'Your metadata headers exceed the maximum allowed metadata size.',
      undefined,
      {
        Size: String(bytes),
        MaxSizeAllowed: String(MAX_USER_METADATA_BYTES),
      },
    );
  }
  return metadata;
}
