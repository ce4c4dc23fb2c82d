// Field shapes shared by the signed documents and the audit export.

/** arn:<partition>:kms:<region>:<account>:key/<id>, as contracts' KEY_ARN_PATTERN. */
export const KEY_ARN = /^arn:[a-z-]{1,32}:kms:[a-z0-9-]{0,32}:\d{12}:key\/[A-Za-z0-9-]{1,64}$/;
export const HASH_HEX = /^[0-9a-f]{64}$/;
/** UTC with seconds, optional fraction, Z; further checked to be a real instant. */
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
export const MAX_TEXT = 256;

export function isIsoUtc(v: unknown): v is string {
  if (typeof v !== 'string' || !ISO_UTC.test(v)) return false;
  const ms = Date.parse(v);
  // Date.parse accepts 2025-02-30; the round trip of the date and time fields does not.
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === v.slice(0, 19);
}

export function isCount(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
}

export function isText(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT;
}
