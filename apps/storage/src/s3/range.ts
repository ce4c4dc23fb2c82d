/**
 * GetObject's `Range` header and the `partNumber` query parameter, as S3 reads them.
 *
 * S3 serves one byte range per request (RFC 9110 `bytes=` ranges). A header it cannot use is not an error: a
 * syntactically invalid header, another unit, or several ranges are ignored and the whole object is sent (200). A
 * well-formed range that selects no byte of the object is refused with 416 InvalidRange.
 */
import { S3Error } from './errors.js';

/** A byte range; `end` is inclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/i;

function unsatisfiable(header: string, size: number): S3Error {
  return new S3Error('InvalidRange', 'The requested range is not satisfiable', undefined, {
    RangeRequested: header,
    ActualObjectSize: String(size),
  });
}

/**
 * The range `header` selects in an object of `size` bytes, or undefined for the whole object.
 *
 * - `bytes=a-b`: bytes a to b; b past the end is cut to the last byte; a > b is invalid, hence ignored.
 * - `bytes=a-`: from a to the end.
 * - `bytes=-n`: the last n bytes (the whole object when n >= size).
 *
 * @throws S3Error InvalidRange when the start is at or past the end of the object, for `bytes=-0`, and for any range
 *   of an empty object
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = SINGLE_RANGE.exec(header.trim());
  if (match === null) return undefined;
  // Both groups always take part in a match (possibly empty).
  const first = match[1]!;
  const last = match[2]!;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw unsatisfiable(header, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last);
  if (end < start) return undefined;
  if (start >= size) throw unsatisfiable(header, size);
  return { start, end: Math.min(end, size - 1) };
}

/** The Content-Range header value for `range` of an object of `size` bytes: `bytes 0-99/1234`. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

export const MAX_PART_NUMBER = 10_000;

/**
 * The `partNumber` query parameter (GetObject, HeadObject, UploadPart): undefined when absent, else an integer
 * 1..10000 written in decimal digits.
 *
 * @throws S3Error InvalidArgument for anything else (empty, signed, fractional, out of range)
 */
export function parsePartNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[0-9]{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_PART_NUMBER)) {
    throw new S3Error(
      'InvalidArgument',
      'Part number must be an integer between 1 and 10000, inclusive',
      undefined,
      {
        ArgumentName: 'partNumber',
        ArgumentValue: value,
      },
    );
  }
  return n;
}
