/**
 * Records per second of `verifyAuditExport` (libs/evidence) over an audit export file, against reading the same file
 * line by line and hashing each line with SHA-256. Writes an export of 1,000,000 links (every record the tenant's
 * own, about 400 bytes of record JSON each, one Ed25519-signed digest per 10,000 records) to a temporary file,
 * times both (median of 3 rounds) and deletes it. Needs no platform. See bench/README.md.
 *   node dist/bench/audit-verify.js
 */
import {
  type ChainLink,
  GENESIS_HASH,
  auditDigest,
  chainHash,
  formatDigest,
  formatExportHeader,
  formatLink,
  readLines,
  signingBytes,
  verifyAuditExport,
} from '@symbolon/evidence';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The target of issue 6. */
export const AUDIT_VERIFY_TARGET_PER_S = 100_000;
const ROUNDS = 3;
const DIGEST_EVERY = 10_000;
const TENANT = '123456789012';
const KEY_ARN = `arn:aws:kms:eu-west-1:${TENANT}:key/0f8a3c52-5d1e-4b7a-9c21-6e0d4b2a9f10`;

export interface AuditVerifyRow {
  name: string;
  recordsPerSec: number;
  usPerRecord: number;
  roundsPerSec: number[];
}

export interface AuditVerifyBenchResult {
  links: number;
  digests: number;
  fileMiB: number;
  recordBytes: number;
  verify: AuditVerifyRow;
  baseline: AuditVerifyRow;
  /** verify / baseline records/s. */
  ratio: number;
  /** Highest heap in use sampled during the verify rounds (streaming: it must not grow with the file). */
  verifyMaxHeapMiB: number;
  targetPerSec: number;
  met: boolean;
}

/** A RequestHandledEvent as the gateway publishes it (about 400 bytes of JSON). */
function record(sequence: number): string {
  return JSON.stringify({
    requestId: `7f0c9a52-3e1b-4d8f-a6c2-${String(sequence).padStart(12, '0')}`,
    time: new Date(Date.UTC(2025, 0, 1) + sequence * 37).toISOString(),
    tenantId: TENANT,
    principal: `arn:aws:iam::${TENANT}:role/billing`,
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    sourceIp: `10.0.${sequence % 256}.${(sequence >> 8) % 256}`,
    operation: sequence % 3 === 0 ? 'Decrypt' : 'GenerateDataKey',
    keyArn: KEY_ARN,
    keyVersion: 1 + (sequence % 4),
    encryptionContext: { purpose: 'invoices' },
    decision: { effect: 'ALLOW', reason: 'key policy' },
    outcome: 'ok',
    httpStatus: 200,
  });
}

/** Writes the export as the exporter would; returns the average record length. */
async function writeExport(file: string, links: number): Promise<{ digests: number; recordBytes: number }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyB64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(
    `${formatExportHeader({ tenantId: TENANT, keyArn: KEY_ARN, fromSequence: 1, toSequence: links, exportedAt: new Date().toISOString() })}\n`,
  );
  let prevHash = GENESIS_HASH;
  let recordBytes = 0;
  let digests = 0;
  let batch = '';
  for (let sequence = 1; sequence <= links; sequence++) {
    const r = record(sequence);
    recordBytes += r.length;
    const link: ChainLink = { sequence, record: r, prevHash, hash: chainHash(prevHash, sequence, r) };
    batch += `${formatLink(link, true)}\n`;
    prevHash = link.hash;
    if (sequence % DIGEST_EVERY === 0) {
      const document = auditDigest({
        sequence,
        hash: link.hash,
        time: new Date().toISOString(),
        nodeId: 'hsm-1',
      });
      const signature = sign(null, signingBytes(document), privateKey).toString('base64');
      batch += `${formatDigest({ document, signature, publicKey: publicKeyB64 })}\n`;
      digests++;
    }
    if (batch.length > 1 << 20) {
      await write(batch);
      batch = '';
    }
  }
  await write(batch);
  out.end();
  await once(out, 'finish');
  return { digests, recordBytes: Math.round(recordBytes / links) };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeRounds(records: number, run: () => Promise<void>): Promise<number[]> {
  const perSec: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = process.hrtime.bigint();
    await run();
    perSec.push(records / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return perSec;
}

function row(name: string, perSec: number[]): AuditVerifyRow {
  const m = median(perSec);
  return {
    name,
    recordsPerSec: Math.round(m),
    usPerRecord: Math.round(1e8 / m) / 100,
    roundsPerSec: perSec.map(Math.round),
  };
}

function positiveInt(name: string, def: number): number {
  const v = Number(process.env[name] ?? def);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer`);
  return v;
}

/** Writes the export, times verification and the read + SHA-256 baseline, prints the report and returns it. */
export async function benchAuditVerify(): Promise<AuditVerifyBenchResult> {
  const links = positiveInt('BENCH_AUDIT_LINKS', 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'symbolon-bench-audit-'));
  try {
    const file = join(dir, 'audit-export.jsonl');
    const { digests, recordBytes } = await writeExport(file, links);
    const fileMiB = Math.round(statSync(file).size / 2 ** 20);

    let maxHeap = 0;
    const sampler = setInterval(() => (maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed)), 50);
    const verifyRounds = await timeRounds(links, async () => {
      const report = await verifyAuditExport(readLines(file));
      if (
        !report.ok ||
        report.links !== links ||
        report.digests !== digests ||
        report.unanchoredLinks !== 0
      ) {
        throw new Error(`the bench export does not verify: ${JSON.stringify(report.firstBreak ?? report)}`);
      }
    });
    clearInterval(sampler);
    const baselineRounds = await timeRounds(links, async () => {
      let n = 0;
      for await (const line of readLines(file)) {
        createHash('sha256').update(line).digest('hex');
        n++;
      }
      if (n !== links + digests + 1) throw new Error(`read ${n} lines, wrote ${links + digests + 1}`);
    });

    const verify = row('verifyAuditExport(readLines(file))', verifyRounds);
    const baseline = row('readLines(file) + SHA-256 per line', baselineRounds);
    const result: AuditVerifyBenchResult = {
      links,
      digests,
      fileMiB,
      recordBytes,
      verify,
      baseline,
      ratio: Math.round((100 * verify.recordsPerSec) / baseline.recordsPerSec) / 100,
      verifyMaxHeapMiB: Math.round(maxHeap / 2 ** 20),
      targetPerSec: AUDIT_VERIFY_TARGET_PER_S,
      met: verify.recordsPerSec >= AUDIT_VERIFY_TARGET_PER_S,
    };
    printAuditVerify(result);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report, in the style of run.ts's tables. */
export function printAuditVerify(r: AuditVerifyBenchResult): void {
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(
    `\nAudit export verification, one core: ${r.links.toLocaleString('en-US')} links (all own records, ~${r.recordBytes} bytes of ` +
      `record JSON each), ${r.digests} Ed25519-signed digests, ${r.fileMiB} MiB file; median of ${r.verify.roundsPerSec.length} rounds\n`,
  );
  console.log(`${'reader'.padEnd(40)}${pad('records/s', 11)}${pad('us/record', 11)}  rounds (records/s)`);
  for (const d of [r.verify, r.baseline]) {
    console.log(
      `${d.name.padEnd(40)}${pad(d.recordsPerSec, 11)}${pad(d.usPerRecord, 11)}  ${d.roundsPerSec.join(' ')}`,
    );
  }
  console.log(`\nverify/baseline records/s: ${r.ratio}`);
  console.log(`heap in use during verification: at most ${r.verifyMaxHeapMiB} MiB`);
  console.log(
    `target "audit verify >= ${r.targetPerSec.toLocaleString('en-US')} records/s": ${r.met ? 'MET' : 'NOT MET'}`,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchAuditVerify();
}
