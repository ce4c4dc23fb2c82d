import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  AUDIT_DIGEST_TYPE,
  type AuditDigest,
  GENESIS_HASH,
  type Signed,
  chainHash,
  readLines,
  verifyAuditExport,
} from '@symbolon/evidence';

import { type StepsCommand, parseArgs } from './args.js';
import { CHAIN_PAGE_SIZE } from './audit-chain.js';
import { runSteps } from './main.js';
import { FakePlatform, type TestSigner, ed25519Signer, ok, refused } from './steps.test-helper.js';

const CONNECT = ['--endpoint', 'http://127.0.0.1:1', '--credentials', '/nonexistent/creds.json'];
const ACCOUNT = '123456789012';
const ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

interface WireLink {
  s: number;
  p: string;
  h: string;
  r?: string;
}

function steps(argv: string[]): StepsCommand {
  const parsed = parseArgs(argv);
  if (!('run' in parsed)) throw new Error(`${argv.slice(0, 2).join(' ')} is not made of steps`);
  return parsed;
}

/** A chain of `n` records; every third one is the exporting tenant's own (sent with its record). */
function makeChain(n: number): WireLink[] {
  const links: WireLink[] = [];
  let prev = GENESIS_HASH;
  for (let s = 1; s <= n; s++) {
    const own = s % 3 === 0;
    const record = JSON.stringify({ sequence: s, tenant: own ? ACCOUNT : '999999999999' });
    const h = chainHash(prev, s, record);
    links.push({ s, p: prev, h, ...(own ? { r: record } : {}) });
    prev = h;
  }
  return links;
}

function digestAt(signer: TestSigner, chain: WireLink[], sequence: number): Signed<AuditDigest> {
  return signer.sign({
    type: AUDIT_DIGEST_TYPE,
    sequence,
    hash: chain[sequence - 1]!.h,
    time: '2025-01-31T12:00:00.000Z',
    nodeId: 'hsm-1',
  });
}

/**
 * Plays ExportAuditChain over `chain`: the links from FromSequence, at most Limit, the digests among them, and
 * HeadSequence from `head` (by call number, so a test can make the chain grow during the export).
 */
function chainPlatform(
  chain: WireLink[],
  digests: Signed<AuditDigest>[],
  head: (call: number) => number = () => chain.length,
) {
  let calls = 0;
  return new FakePlatform({
    ExportAuditChain: (body) => {
      const from = body['FromSequence'] as number;
      const limit = body['Limit'] as number;
      const links = chain.slice(from - 1, from - 1 + limit);
      return ok({
        ...(body['KeyId'] !== undefined ? { KeyId: ARN } : {}),
        Links: links,
        Digests: digests.filter((d) => d.document.sequence >= from && d.document.sequence < from + limit),
        HeadSequence: head(calls++),
      });
    },
  });
}

let dir: string;
let out: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'symbolon-chain-'));
  out = join(dir, 'chain.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fromSequences = (p: FakePlatform) => p.requests.map((r) => r.body['FromSequence']);

describe('audit export-chain', () => {
  const signer = ed25519Signer();
  const chain = makeChain(25_000);
  const ownRecords = chain.filter((l) => l.r !== undefined).length;

  it('should page to the end and write a file that verifies when the chain is 2.5 pages long', async () => {
    const digests = [10_000, 12_345, 25_000].map((s) => digestAt(signer, chain, s));
    const p = chainPlatform(chain, digests);
    const code = await runSteps(
      steps(['audit', 'export-chain', '--out', out, ...CONNECT]),
      p.context(ACCOUNT),
    );
    expect(p.err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(p.out)).toEqual({ Links: 25_000, OwnRecords: ownRecords, Digests: 3, Out: out });
    expect(p.requests.map((r) => r.body)).toEqual([
      { FromSequence: 1, Limit: CHAIN_PAGE_SIZE },
      { FromSequence: 10_001, Limit: CHAIN_PAGE_SIZE },
      { FromSequence: 20_001, Limit: CHAIN_PAGE_SIZE },
    ]);
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(1 + 25_000 + 3);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      format: 'symbolon.audit-export.v1',
      tenantId: ACCOUNT,
      keyArn: null,
      fromSequence: 1,
      toSequence: 25_000,
    });
    // Each digest line comes right after the link it covers.
    const at = lines.findIndex((l) => l.startsWith('{"s":12345,'));
    expect(JSON.parse(lines[at + 1]!)).toEqual({ digest: digests[1] });
    expect(lines[at + 2]).toMatch(/^\{"s":12346,/);

    const report = await verifyAuditExport(readLines(out), { publicKey: signer.publicKey });
    expect(report).toMatchObject({
      ok: true,
      links: 25_000,
      ownRecords,
      digests: 3,
      lastAnchoredSequence: 25_000,
    });
  });

  it('should stop at the HeadSequence of the first page when the chain grows during the export', async () => {
    const digests = [15_000, 25_000].map((s) => digestAt(signer, chain, s));
    const p = chainPlatform(chain, digests, (call) => (call === 0 ? 15_000 : 25_000));
    const code = await runSteps(
      steps(['audit', 'export-chain', '--out', out, ...CONNECT]),
      p.context(ACCOUNT),
    );
    expect(code).toBe(0);
    expect(fromSequences(p)).toEqual([1, 10_001]);
    expect(JSON.parse(p.out)).toMatchObject({ Links: 15_000, Digests: 1 });
    const report = await verifyAuditExport(readLines(out));
    expect(report).toMatchObject({ ok: true, links: 15_000, lastAnchoredSequence: 15_000 });
    expect(report.header).toMatchObject({ fromSequence: 1, toSequence: 15_000 });
  });

  it('should name the key and start at --from-sequence when both are given', async () => {
    const short = chain.slice(0, 10_010);
    const p = chainPlatform(short, [digestAt(signer, short, 10_000)]);
    const argv = ['audit', 'export-chain', '--key-id', 'k1', '--from-sequence', '9995', '--out', out];
    expect(await runSteps(steps([...argv, ...CONNECT]), p.context(ACCOUNT))).toBe(0);
    expect(p.requests.map((r) => r.body)).toEqual([
      { KeyId: 'k1', FromSequence: 9995, Limit: CHAIN_PAGE_SIZE },
    ]);
    const report = await verifyAuditExport(readLines(out), { publicKey: signer.publicKey });
    expect(report).toMatchObject({ ok: true, links: 16, digests: 1, unanchoredLinks: 10 });
    expect(report.header).toMatchObject({
      keyArn: ARN,
      tenantId: ACCOUNT,
      fromSequence: 9995,
      toSequence: 10_010,
    });
  });

  it('should remove the partial file and exit 1 when a later page is refused', async () => {
    let calls = 0;
    const p = new FakePlatform({
      ExportAuditChain: () =>
        calls++ === 0
          ? ok({ Links: chain.slice(0, CHAIN_PAGE_SIZE), Digests: [], HeadSequence: 25_000 })
          : refused('ThrottlingException', 'slow down'),
    });
    expect(
      await runSteps(steps(['audit', 'export-chain', '--out', out, ...CONNECT]), p.context(ACCOUNT)),
    ).toBe(1);
    expect(JSON.parse(p.err)).toEqual({ __type: 'ThrottlingException', message: 'slow down' });
    expect(p.out).toBe('');
    expect(fromSequences(p)).toEqual([1, 10_001]);
    expect(existsSync(out)).toBe(false);
  });

  /** `audit verify` of `out` (offline): its exit code and report. */
  async function verifyOut(): Promise<{ code: number; report: Record<string, unknown> }> {
    const v = new FakePlatform({});
    const code = await runSteps(steps(['audit', 'verify', '--in', out]), v.context());
    return { code, report: JSON.parse(v.out) as Record<string, unknown> };
  }

  it('should export what the platform holds when the chain ends before its HeadSequence, for verify to name', async () => {
    const p = chainPlatform(chain.slice(0, 15_000), [], () => 25_000);
    expect(
      await runSteps(steps(['audit', 'export-chain', '--out', out, ...CONNECT]), p.context(ACCOUNT)),
    ).toBe(0);
    expect(p.requests.length).toBe(3);
    const { code, report } = await verifyOut();
    expect(code).toBe(1);
    expect(report['FirstBreak']).toMatchObject({ Sequence: 15_001 });
  });

  it('should export a page with a record missing, for verify to name it', async () => {
    const gap = [...chain.slice(0, 5), ...chain.slice(6, 10)];
    const p = chainPlatform(gap, [], () => 10);
    expect(
      await runSteps(steps(['audit', 'export-chain', '--out', out, ...CONNECT]), p.context(ACCOUNT)),
    ).toBe(0);
    const { code, report } = await verifyOut();
    expect(code).toBe(1);
    expect(report['FirstBreak']).toMatchObject({ Sequence: 6, Reason: 'record 6 is missing' });
  });

  it('should remove the file and exit 1 with an InvalidResponse when a page is out of order or has a bad hash', async () => {
    const reordered = [chain[1]!, chain[0]!];
    const p = chainPlatform(reordered, [], () => 2);
    expect(
      await runSteps(steps(['audit', 'export-chain', '--out', out, ...CONNECT]), p.context(ACCOUNT)),
    ).toBe(1);
    expect(JSON.parse(p.err)).toEqual({
      __type: 'InvalidResponse',
      message: 'an ExportAuditChain page asked from 1 has a malformed link at position 1',
    });
    expect(existsSync(out)).toBe(false);

    const badHash = [{ ...chain[0]!, h: 'XY' }];
    const q = chainPlatform(badHash, [], () => 1);
    expect(
      await runSteps(steps(['audit', 'export-chain', '--out', out, ...CONNECT]), q.context(ACCOUNT)),
    ).toBe(1);
    expect(JSON.parse(q.err)).toEqual({
      __type: 'InvalidResponse',
      message: 'ExportAuditChain gave audit export link hashes must be 64 lowercase hex digits',
    });
    expect(existsSync(out)).toBe(false);
  });

  it('should exit 1 and leave no file when the chain has no record from --from-sequence on', async () => {
    const p = chainPlatform(chain.slice(0, 50), []);
    const argv = ['audit', 'export-chain', '--from-sequence', '100', '--out', out, ...CONNECT];
    expect(await runSteps(steps(argv), p.context(ACCOUNT))).toBe(1);
    expect(p.err).toBe('symbolon: the audit chain has no record from 100 on: it ends at 50\n');
    expect(existsSync(out)).toBe(false);
  });

  it('should exit 2 before sending when the credentials have no accountId or --out exists', async () => {
    const p = chainPlatform(chain, []);
    expect(await runSteps(steps(['audit', 'export-chain', '--out', out, ...CONNECT]), p.context())).toBe(2);
    expect(p.err).toBe(
      'symbolon: the --credentials file has no accountId (12 digits): the export names the account it is for\n',
    );
    expect(existsSync(out)).toBe(false);
    writeFileSync(out, 'keep');
    expect(
      await runSteps(steps(['audit', 'export-chain', '--out', out, ...CONNECT]), p.context(ACCOUNT)),
    ).toBe(2);
    expect(p.err).toContain(`cannot create --out ${out}: it already exists (not overwriting)`);
    expect(readFileSync(out, 'utf8')).toBe('keep');
    expect(p.requests).toEqual([]);
  });
});

describe('audit verify', () => {
  const signer = ed25519Signer();
  const chain = makeChain(30);

  /** Exports `chain` with digests at 10 and 30 into `out`. */
  async function exported(): Promise<void> {
    const p = chainPlatform(
      chain,
      [10, 30].map((s) => digestAt(signer, chain, s)),
    );
    expect(
      await runSteps(steps(['audit', 'export-chain', '--out', out, ...CONNECT]), p.context(ACCOUNT)),
    ).toBe(0);
  }

  async function verify(extra: string[] = []) {
    const p = new FakePlatform({});
    const code = await runSteps(steps(['audit', 'verify', '--in', out, ...extra]), p.context());
    expect(p.requests).toEqual([]);
    return { code, out: p.out, err: p.err };
  }

  it('should print the report and exit 0 when the export verifies against the pinned key', async () => {
    await exported();
    const key = join(dir, 'signing.pem');
    writeFileSync(key, signer.publicKeyPem);
    const r = await verify(['--public-key', key]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as Record<string, unknown>;
    expect(report).toEqual({
      Valid: true,
      Header: expect.objectContaining({ tenantId: ACCOUNT, fromSequence: 1, toSequence: 30 }),
      Links: 30,
      OwnRecords: 10,
      Digests: 2,
      LastAnchoredSequence: 30,
      UnanchoredLinks: 0,
      Signers: [expect.stringMatching(/^SHA256:/)],
    });
  });

  it('should print the report with FirstBreak and exit 1 when a record was changed', async () => {
    await exported();
    const text = readFileSync(out, 'utf8').replace('"sequence\\":12,', '"sequence\\":13,');
    writeFileSync(out, text);
    const r = await verify();
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({
      Valid: false,
      Links: 11,
      FirstBreak: { Sequence: 12, Line: 14, Reason: 'record 12 was altered' },
    });
    expect(r.err).toBe(`symbolon: ${out} does not verify: line 14: record 12 was altered\n`);
  });

  it('should exit 1 when the digests were signed by another key than the pinned one', async () => {
    await exported();
    const key = join(dir, 'other.b64');
    writeFileSync(key, ed25519Signer().publicKey);
    const r = await verify(['--public-key', key]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ Valid: false, FirstBreak: { Sequence: 10 } });
    expect(r.err).toContain('not the pinned key');
  });

  it('should exit 2 when the file cannot be read', async () => {
    expect(await verify()).toEqual({
      code: 2,
      out: '',
      err: `symbolon: cannot read --in ${out}: no such file\n`,
    });
  });
});
