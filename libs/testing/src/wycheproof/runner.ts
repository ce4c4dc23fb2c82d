/**
 * Runs Wycheproof vectors through paths and classifies every (vector, path) pair:
 * - passed: a valid vector gave the expected output in both directions (encrypt / wrap gives ct,
 *   decrypt / unwrap gives msg);
 * - rejected: an invalid vector was rejected (decrypt / unwrap threw; encrypt / wrap threw too when the
 *   vector's input itself is invalid, and never reproduced the invalid ct otherwise);
 * - refused: a direction the vector needs has parameters the path declared unsupported up front, and
 *   the path really refused them (RefusedError); the directions it supports still had to be correct;
 * - acceptable: an acceptable vector; any output given in either direction still had to be correct;
 * - failed: anything else (a wrong result, a missed rejection, a refusal that was not declared or a
 *   declaration that was not honoured).
 */
import { concatBytes, RefusedError, type WrapDirection, type WycheproofPath } from './paths.js';
import type { AeadVector, KeyWrapVector, VectorFile } from './vectors.js';

export type Outcome = 'passed' | 'rejected' | 'refused' | 'acceptable' | 'failed';

export interface Counts {
  passed: number;
  rejected: number;
  refused: number;
  acceptable: number;
  failed: number;
}

export interface RunReport {
  file: string;
  path: string;
  /** false: the path does not offer this primitive at all. */
  offered: boolean;
  counts: Counts;
  /** One line per failed vector: file, path, tcId and what went wrong (no key bytes). */
  failures: string[];
}

type Attempt = { kind: 'ok'; value: Uint8Array } | { kind: 'refused' } | { kind: 'error' };

async function attempt(fn: () => Promise<Uint8Array>): Promise<Attempt> {
  try {
    return { kind: 'ok', value: await fn() };
  } catch (err) {
    return err instanceof RefusedError ? { kind: 'refused' } : { kind: 'error' };
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

function emptyCounts(): Counts {
  return { passed: 0, rejected: 0, refused: 0, acceptable: 0, failed: 0 };
}

/** Wycheproof flags whose vectors carry an input that must be refused in the forward direction too. */
const INVALID_INPUT_FLAGS = new Set(['ZeroLengthIv', 'WrongDataSize', 'EmptyKey', 'ShortKey']);

interface Direction {
  name: string;
  supported: boolean;
  result: Attempt;
  expected: Uint8Array;
  /** For invalid vectors: this direction must throw (true) or only never reproduce `expected` (false). */
  mustReject: boolean;
}

/** Classifies one vector from the two directions' results; returns the outcome and a reason if failed. */
export function classify(
  result: AeadVector['result'],
  dirs: Direction[],
): { outcome: Outcome; reason?: string } {
  // A declaration up front must be honoured both ways.
  for (const d of dirs) {
    if (!d.supported && d.result.kind !== 'refused') {
      return { outcome: 'failed', reason: `${d.name}: declared unsupported but did not refuse` };
    }
    if (d.supported && d.result.kind === 'refused') {
      return { outcome: 'failed', reason: `${d.name}: refused parameters it declared supported` };
    }
  }
  // For an invalid vector the forward direction only has to "not reproduce ct" unless its input is
  // itself invalid, so refusing it does not weaken the verdict.
  const refused = dirs.some((d) => !d.supported && (result !== 'invalid' || d.mustReject));
  for (const d of dirs.filter((x) => x.supported)) {
    const r = d.result;
    switch (result) {
      case 'valid':
        if (r.kind !== 'ok') return { outcome: 'failed', reason: `${d.name}: rejected a valid vector` };
        if (!equal(r.value, d.expected)) return { outcome: 'failed', reason: `${d.name}: wrong output` };
        break;
      case 'invalid':
        if (d.mustReject && r.kind === 'ok')
          return { outcome: 'failed', reason: `${d.name}: accepted an invalid vector` };
        if (!d.mustReject && r.kind === 'ok' && equal(r.value, d.expected)) {
          return { outcome: 'failed', reason: `${d.name}: reproduced an invalid vector` };
        }
        break;
      case 'acceptable':
        if (r.kind === 'ok' && !equal(r.value, d.expected))
          return { outcome: 'failed', reason: `${d.name}: wrong output` };
        break;
    }
  }
  if (result === 'acceptable') return { outcome: 'acceptable' };
  if (refused) return { outcome: 'refused' };
  return { outcome: result === 'valid' ? 'passed' : 'rejected' };
}

function record(report: RunReport, tcId: number, c: { outcome: Outcome; reason?: string }): void {
  report.counts[c.outcome] += 1;
  if (c.outcome === 'failed')
    report.failures.push(`${report.file} ${report.path} tcId ${tcId}: ${c.reason ?? ''}`);
}

export async function runAeadFile(file: VectorFile<AeadVector>, path: WycheproofPath): Promise<RunReport> {
  const report: RunReport = {
    file: file.file,
    path: path.name,
    offered: path.aesGcm !== undefined,
    counts: emptyCounts(),
    failures: [],
  };
  const aead = path.aesGcm;
  if (aead === undefined) return report;
  for (const v of file.vectors) {
    const tagLength = v.tag.length;
    const supported = aead.supports({ keyLength: v.key.length, ivLength: v.iv.length, tagLength });
    const sealed = concatBytes(v.ct, v.tag);
    const inputInvalid = v.flags.some((f) => INVALID_INPUT_FLAGS.has(f));
    const enc = await attempt(() => aead.encrypt(v.key, v.iv, v.aad, v.msg, tagLength));
    const dec = await attempt(() => aead.decrypt(v.key, v.iv, v.aad, sealed, tagLength));
    record(
      report,
      v.tcId,
      classify(v.result, [
        { name: 'encrypt', supported, result: enc, expected: sealed, mustReject: inputInvalid },
        { name: 'decrypt', supported, result: dec, expected: v.msg, mustReject: true },
      ]),
    );
  }
  return report;
}

export async function runKeyWrapFile(
  file: VectorFile<KeyWrapVector>,
  path: WycheproofPath,
  variant: 'aesKw' | 'aesKwp',
): Promise<RunReport> {
  const kw = path[variant];
  const report: RunReport = {
    file: file.file,
    path: path.name,
    offered: kw !== undefined,
    counts: emptyCounts(),
    failures: [],
  };
  if (kw === undefined) return report;
  for (const v of file.vectors) {
    const supports = (direction: WrapDirection, dataLength: number) =>
      kw.supports({ keyLength: v.key.length, direction, dataLength });
    const inputInvalid = v.flags.some((f) => INVALID_INPUT_FLAGS.has(f));
    const wrapped = await attempt(() => kw.wrap(v.key, v.msg));
    const unwrapped = await attempt(() => kw.unwrap(v.key, v.ct));
    record(
      report,
      v.tcId,
      classify(v.result, [
        {
          name: 'wrap',
          supported: supports('wrap', v.msg.length),
          result: wrapped,
          expected: v.ct,
          mustReject: inputInvalid,
        },
        {
          name: 'unwrap',
          supported: supports('unwrap', v.ct.length),
          result: unwrapped,
          expected: v.msg,
          mustReject: true,
        },
      ]),
    );
  }
  return report;
}

/** A Markdown table of the reports: one row per file and path. */
export function formatReportTable(reports: RunReport[]): string {
  const head = '| file | path | passed | rejected as expected | refused | acceptable | failed |';
  const rule = '| --- | --- | --: | --: | --: | --: | --: |';
  const rows = reports.map((r) =>
    r.offered
      ? `| ${r.file} | ${r.path} | ${r.counts.passed} | ${r.counts.rejected} | ${r.counts.refused} | ${r.counts.acceptable} | ${r.counts.failed} |`
      : `| ${r.file} | ${r.path} | not offered | | | | |`,
  );
  return [head, rule, ...rows].join('\n');
}
