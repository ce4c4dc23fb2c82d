/**
 * Canonical JSON of a signed document: object keys sorted by UTF-16 code unit order (JavaScript's default sort), no
 * whitespace, strings escaped as JSON.stringify does. Only strings, safe integers, booleans, null, arrays and plain
 * objects have a canonical form here; anything else (fractions, NaN, undefined, bigint, dates, maps, cycles...)
 * throws a TypeError, so two parties can never disagree on the bytes of a document.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set<object>(), '$');
}

/** The bytes a signature covers: UTF-8 of canonicalJson(doc). */
export function signingBytes(doc: unknown): Buffer {
  return Buffer.from(canonicalJson(doc), 'utf8');
}

function write(value: unknown, ancestors: Set<object>, path: string): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw new TypeError(`canonical JSON: ${path} is not a safe integer`);
      }
      return String(value === 0 ? 0 : value); // -0 is written 0
    case 'object': {
      if (value === null) return 'null';
      if (ancestors.has(value)) throw new TypeError(`canonical JSON: ${path} is a cycle`);
      ancestors.add(value);
      const out = Array.isArray(value)
        ? writeArray(value, ancestors, path)
        : writeObject(value, ancestors, path);
      ancestors.delete(value);
      return out;
    }
    default:
      throw new TypeError(`canonical JSON: ${path} is a ${typeof value}`);
  }
}

function writeArray(value: unknown[], ancestors: Set<object>, path: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) throw new TypeError(`canonical JSON: ${path}[${i}] is a hole`);
    parts.push(write(value[i], ancestors, `${path}[${i}]`));
  }
  return `[${parts.join(',')}]`;
}

function writeObject(value: object, ancestors: Set<object>, path: string): string {
  const proto = Object.getPrototypeOf(value) as object | null;
  // A plain object of any realm (structuredClone and vm contexts make objects whose Object.prototype is another one).
  if (proto !== null && Object.getPrototypeOf(proto) !== null) {
    throw new TypeError(`canonical JSON: ${path} is not a plain object`);
  }
  if (Object.getOwnPropertySymbols(value).length > 0) {
    throw new TypeError(`canonical JSON: ${path} has symbol keys`);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  const parts = keys.map((k) => `${JSON.stringify(k)}:${write(record[k], ancestors, `${path}.${k}`)}`);
  return `{${parts.join(',')}}`;
}
