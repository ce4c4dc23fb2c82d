import { ErrorCodes, KmsError } from '@symbolon/contracts';

/**
 * Opaque pagination markers: base64url of `v1:<last item shown>`. Anything that is not exactly such a marker is
 * INVALID_MARKER. A marker only says where to continue: every page is still read within the caller's own account.
 */
export function encodeMarker(after: string): string {
  return Buffer.from(`v1:${after}`, 'utf8').toString('base64url');
}

export function decodeMarker(marker: string): string {
  const text = Buffer.from(marker, 'base64url').toString('utf8');
  if (!text.startsWith('v1:') || text.length < 4 || encodeMarker(text.slice(3)) !== marker) {
    throw new KmsError(ErrorCodes.INVALID_MARKER, 'The marker is not valid.');
  }
  return text.slice(3);
}

/** One page of `limit` items from `rows` (read with limit + 1) and the marker of the next page, if any. */
export function page<T>(
  rows: T[],
  limit: number,
  markerOf: (last: T) => string,
): { items: T[]; nextMarker?: string } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return rows.length > limit && last !== undefined
    ? { items, nextMarker: encodeMarker(markerOf(last)) }
    : { items };
}
