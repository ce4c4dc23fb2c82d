/**
 * Loader for the Wycheproof AES vectors (C2SP/wycheproof `testvectors_v1/`, Apache-2.0):
 * aes_gcm_test.json (AeadTest), aes_wrap_test.json and aes_kwp_test.json (KeywrapTest).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

/** Where the vector files are: SYMBOLON_WYCHEPROOF_DIR, else the copy kept in the repository (libs/testing/test-vectors). */
export const DEFAULT_WYCHEPROOF_DIR = fileURLToPath(
  new URL('../../test-vectors/wycheproof', import.meta.url),
);

export function wycheproofDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['SYMBOLON_WYCHEPROOF_DIR'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_WYCHEPROOF_DIR;
}

export interface AeadVector {
  tcId: number;
  comment: string;
  flags: string[];
  key: Uint8Array;
  iv: Uint8Array;
  aad: Uint8Array;
  msg: Uint8Array;
  ct: Uint8Array;
  tag: Uint8Array;
  result: WycheproofResult;
}

export interface KeyWrapVector {
  tcId: number;
  comment: string;
  flags: string[];
  key: Uint8Array;
  msg: Uint8Array;
  ct: Uint8Array;
  result: WycheproofResult;
}

export interface VectorFile<V> {
  file: string;
  algorithm: string;
  numberOfTests: number;
  vectors: V[];
}

interface RawFile {
  algorithm: string;
  numberOfTests: number;
  testGroups: { type: string; tests: Record<string, unknown>[] }[];
}

function hex(value: unknown, field: string, tcId: unknown): Uint8Array {
  if (typeof value !== 'string' || !/^(?:[0-9a-f]{2})*$/i.test(value)) {
    throw new Error(`Wycheproof vector ${String(tcId)}: field '${field}' is not hex`);
  }
  return new Uint8Array(Buffer.from(value, 'hex'));
}

function result(value: unknown, tcId: unknown): WycheproofResult {
  if (value === 'valid' || value === 'invalid' || value === 'acceptable') return value;
  throw new Error(`Wycheproof vector ${String(tcId)}: unknown result '${String(value)}'`);
}

function readRaw(file: string, dir: string, groupType: string): RawFile {
  const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as RawFile;
  for (const g of raw.testGroups) {
    if (g.type !== groupType)
      throw new Error(`${file}: expected test groups of type ${groupType}, got ${g.type}`);
  }
  const count = raw.testGroups.reduce((n, g) => n + g.tests.length, 0);
  if (count !== raw.numberOfTests)
    throw new Error(`${file}: numberOfTests says ${raw.numberOfTests}, found ${count}`);
  return raw;
}

function common(t: Record<string, unknown>) {
  return {
    tcId: Number(t['tcId']),
    comment: String(t['comment'] ?? ''),
    flags: Array.isArray(t['flags']) ? t['flags'].map(String) : [],
    result: result(t['result'], t['tcId']),
  };
}

export function loadAeadVectors(file: string, dir = wycheproofDir()): VectorFile<AeadVector> {
  const raw = readRaw(file, dir, 'AeadTest');
  const vectors = raw.testGroups.flatMap((g) =>
    g.tests.map((t) => ({
      ...common(t),
      key: hex(t['key'], 'key', t['tcId']),
      iv: hex(t['iv'], 'iv', t['tcId']),
      aad: hex(t['aad'], 'aad', t['tcId']),
      msg: hex(t['msg'], 'msg', t['tcId']),
      ct: hex(t['ct'], 'ct', t['tcId']),
      tag: hex(t['tag'], 'tag', t['tcId']),
    })),
  );
  return { file, algorithm: raw.algorithm, numberOfTests: raw.numberOfTests, vectors };
}

export function loadKeyWrapVectors(file: string, dir = wycheproofDir()): VectorFile<KeyWrapVector> {
  const raw = readRaw(file, dir, 'KeywrapTest');
  const vectors = raw.testGroups.flatMap((g) =>
    g.tests.map((t) => ({
      ...common(t),
      key: hex(t['key'], 'key', t['tcId']),
      msg: hex(t['msg'], 'msg', t['tcId']),
      ct: hex(t['ct'], 'ct', t['tcId']),
    })),
  );
  return { file, algorithm: raw.algorithm, numberOfTests: raw.numberOfTests, vectors };
}
