/**
 * Searches bytes for a secret in the encodings a leak would take: raw bytes, hex (both cases), base64 (standard and
 * url-safe, at each of the three byte alignments, so a secret inside a longer base64 string is found too) and the
 * comma-separated decimal list that JSON.stringify makes of a Buffer or Uint8Array.
 *
 * Hits name the source and the encoding, never the secret or its surroundings.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Needle {
  /** What the needle is (e.g. `known key as hex`): safe to print. */
  name: string;
  bytes: Buffer;
}

export interface Haystack {
  /** Where the bytes came from (a file path, a NATS subject): safe to print. */
  source: string;
  data: Buffer;
}

export interface Hit {
  source: string;
  needle: string;
}

/**
 * The base64 characters that depend only on `secret` when it sits at byte offset `shift` (0, 1 or 2) modulo 3 of a
 * longer encoded value: the characters touched by neighbouring bytes are dropped.
 */
function base64Core(secret: Buffer, shift: number, urlSafe: boolean): string {
  const padded = Buffer.concat([Buffer.alloc(shift), secret, Buffer.alloc(2)]);
  const text = padded.toString(urlSafe ? 'base64url' : 'base64');
  const first = Math.ceil((shift * 8) / 6);
  const last = Math.floor(((shift + secret.length) * 8) / 6);
  return text.slice(first, last);
}

/** Every encoding of `secret` that the scan looks for; `label` names the secret in hit reports. */
export function needlesFor(label: string, secret: Uint8Array): Needle[] {
  const s = Buffer.from(secret);
  const needles: Needle[] = [
    { name: `${label} as raw bytes`, bytes: s },
    { name: `${label} as lower-case hex`, bytes: Buffer.from(s.toString('hex').toLowerCase(), 'latin1') },
    { name: `${label} as upper-case hex`, bytes: Buffer.from(s.toString('hex').toUpperCase(), 'latin1') },
    { name: `${label} as a decimal byte list`, bytes: Buffer.from([...s].join(','), 'latin1') },
  ];
  for (const urlSafe of [false, true]) {
    for (const shift of [0, 1, 2]) {
      needles.push({
        name: `${label} as ${urlSafe ? 'url-safe' : 'standard'} base64 at alignment ${shift}`,
        bytes: Buffer.from(base64Core(s, shift, urlSafe), 'latin1'),
      });
    }
  }
  return needles;
}

/** Needles for a text secret (a PIN, a secret access key): its UTF-8 bytes plus the encodings above. */
export function textNeedles(label: string, secret: string): Needle[] {
  return needlesFor(label, Buffer.from(secret, 'utf8'));
}

export function scan(haystacks: readonly Haystack[], needles: readonly Needle[]): Hit[] {
  const hits: Hit[] = [];
  for (const h of haystacks) {
    for (const n of needles) {
      if (n.bytes.length > 0 && h.data.includes(n.bytes)) hits.push({ source: h.source, needle: n.name });
    }
  }
  return hits;
}

/** Every regular file under `dir`, recursively, as one haystack each. */
export function readTree(dir: string): Haystack[] {
  const out: Haystack[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...readTree(path));
    else if (entry.isFile() || statSync(path).isFile()) out.push({ source: path, data: readFileSync(path) });
  }
  return out;
}
