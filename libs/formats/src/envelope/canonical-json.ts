import { needs } from '../needs.js';
import { isWellFormedUnicode } from '../unicode.js';

/** A value canonical JSON can hold here: strings, safe integers, arrays and objects (no null, booleans or floats). */
export type CanonicalJsonValue =
  string | number | readonly CanonicalJsonValue[] | { readonly [key: string]: CanonicalJsonValue };

/** Compares by UTF-16 code units, as the specification orders object keys. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Canonical JSON of the envelope's values: object keys sorted by UTF-16 code units, no whitespace, strings as
 * `JSON.stringify` writes them. Local to the envelope module (not exported by the library): it covers only the
 * value shapes of the envelope header and bindings.
 */
export function canonicalJson(value: CanonicalJsonValue): string {
  if (typeof value === 'string') {
    /* Precondition: strings have a UTF-8 form, so that two different strings never encode alike. */
    needs(isWellFormedUnicode(value), 'Envelope strings must be well-formed Unicode');
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    /* Precondition: numbers are integers that JSON carries exactly. */
    needs(Number.isSafeInteger(value), 'Canonical JSON numbers must be safe integers');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${(value as readonly CanonicalJsonValue[]).map(canonicalJson).join(',')}]`;
  }
  /* Precondition: anything else is an object of canonical values (no null, booleans or undefined). */
  needs(
    typeof value === 'object' && value !== null && !(value instanceof Uint8Array),
    'Canonical JSON holds only strings, integers, arrays and objects',
  );
  const record = value as { readonly [key: string]: CanonicalJsonValue };
  const keys = Object.keys(record).sort(compareCodeUnits);
  return `{${keys.map((k) => `${canonicalJson(k)}:${canonicalJson(record[k] as CanonicalJsonValue)}`).join(',')}}`;
}

/** UTF-8 bytes of `canonicalJson(value)`. */
export function canonicalJsonBytes(value: CanonicalJsonValue): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(canonicalJson(value));
}
