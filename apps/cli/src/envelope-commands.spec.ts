import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';

import { type EnvelopeIo, runEnvelope } from './envelope-commands.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'symbolon-cli-envelope-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A configuration of customer key files named `ids` (each a new random key unless it exists) and a scheme. */
function config(name: string, scheme: object, ids: string[], context?: Record<string, string>): string {
  const authorities: Record<string, object> = {};
  for (const id of ids) {
    const file = join(dir, `${id}.key`);
    if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'));
    authorities[id] = { type: 'key-file', path: `${id}.key` };
  }
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ scheme, authorities, ...(context ? { context } : {}) }));
  return path;
}

async function symbolon(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runEnvelope(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const file = (name: string, bytes?: Buffer) => {
  const path = join(dir, name);
  if (bytes) writeFileSync(path, bytes);
  return path;
};

describe('symbolon encrypt | decrypt | inspect | rewrap', () => {
  it('should round-trip a file through a split of two key files and print where it wrote', async () => {
    const cfg = config('c.json', { split: [{ chain: ['a'] }, { chain: ['b'] }] }, ['a', 'b'], {
      app: 'test',
    });
    const data = randomBytes(100_000);
    const enc = await symbolon('encrypt', '--config', cfg, '--in', file('p', data), '--out', file('p.sym'));
    expect(enc).toMatchObject({ code: 0, out: `{"Encrypted":"${file('p.sym')}"}\n` });
    const dec = await symbolon('decrypt', '--config', cfg, '--in', file('p.sym'), '--out', file('p.out'));
    expect(dec.code).toBe(0);
    expect(readFileSync(file('p.out'))).toEqual(data);
  });

  it('should fail naming the missing authority and leave no output file when one authority is not configured', async () => {
    const both = config('both.json', { chain: ['a', 'b'] }, ['a', 'b']);
    await symbolon('encrypt', '--config', both, '--in', file('p', randomBytes(10)), '--out', file('p.sym'));
    const onlyA = config('a.json', { chain: ['a'] }, ['a']);
    const r = await symbolon('decrypt', '--config', onlyA, '--in', file('p.sym'), '--out', file('p.out'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('decrypt failed (authority b)');
    expect(readdirSync(dir).filter((f) => f.startsWith('p.out'))).toEqual([]);
  });

  it('should refuse a tampered envelope and leave no partial plaintext', async () => {
    const cfg = config('c.json', { chain: ['a'] }, ['a']);
    await symbolon(
      'encrypt',
      '--config',
      cfg,
      '--in',
      file('p', randomBytes(50_000)),
      '--out',
      file('p.sym'),
    );
    const bytes = readFileSync(file('p.sym'));
    bytes[bytes.length - 10]! ^= 0x40;
    const r = await symbolon(
      'decrypt',
      '--config',
      cfg,
      '--in',
      file('bad.sym', bytes),
      '--out',
      file('p.out'),
    );
    expect([r.code, r.err]).toEqual([1, expect.stringContaining('decrypt failed')]);
    expect(readdirSync(dir).filter((f) => f.startsWith('p.out'))).toEqual([]);
  });

  it('should print the header without any key when inspecting', async () => {
    const cfg = config('c.json', { chain: ['a', 'b'] }, ['a', 'b'], { purpose: 'backup' });
    await symbolon(
      'encrypt',
      '--config',
      cfg,
      '--in',
      file('p', randomBytes(20_000)),
      '--out',
      file('p.sym'),
    );
    rmSync(join(dir, 'a.key'));
    rmSync(join(dir, 'b.key'));
    const r = await symbolon('inspect', '--in', file('p.sym'));
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.out) as Record<string, unknown>;
    expect(shown).toMatchObject({
      Format: 'symbolon envelope v1',
      Key: { Chain: ['a', 'b'] },
      Context: { purpose: 'backup' },
      PlaintextBytes: 20_000,
    });
    expect((shown['Authorities'] as { type: string }[]).map((a) => a.type)).toEqual([
      'customer-key',
      'customer-key',
    ]);
  });

  it('should move the outer layer to a new key with rewrap, keeping the body bytes', async () => {
    const cfg = config('all.json', { chain: ['inner', 'outer'] }, ['inner', 'outer', 'outer-2']);
    const data = randomBytes(30_000);
    await symbolon('encrypt', '--config', cfg, '--in', file('p', data), '--out', file('p.sym'));
    const r = await symbolon(
      'rewrap',
      '--config',
      cfg,
      '--from',
      'outer',
      '--to',
      'outer-2',
      '--in',
      file('p.sym'),
      '--out',
      file('q.sym'),
    );
    expect(r).toMatchObject({ code: 0 });
    const before = readFileSync(file('p.sym'));
    const after = readFileSync(file('q.sym'));
    const tail = 30_000 + 56 + 2 * 16;
    expect(after.subarray(after.length - tail)).toEqual(before.subarray(before.length - tail));
    const newOnly = config('new.json', { chain: ['inner'] }, ['inner', 'outer-2']);
    await symbolon('decrypt', '--config', newOnly, '--in', file('q.sym'), '--out', file('q.out'));
    expect(readFileSync(file('q.out'))).toEqual(data);
  });

  it('should read stdin and write stdout when no files are named', async () => {
    const cfg = config('c.json', { chain: ['a'] }, ['a']);
    const data = randomBytes(40_000);
    const pipe = async (command: string, input: Buffer) => {
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      const parts: Buffer[] = [];
      stdout.on('data', (d: Buffer) => parts.push(d));
      stdin.end(input);
      const io: EnvelopeIo = { out: () => undefined, err: () => undefined, stdin, stdout };
      expect(await runEnvelope([command, '--config', cfg], io)).toBe(0);
      return Buffer.concat(parts);
    };
    expect(await pipe('decrypt', await pipe('encrypt', data))).toEqual(data);
  });

  it.each([
    [['encrypt', '--in', 'x'], 'encrypt needs --config <file>'],
    [['encrypt', '--config', 'c', '--from', 'a'], 'encrypt takes no --from'],
    [['decrypt', '--config', 'c', '--bogus'], "Unknown option '--bogus'"],
    [['inspect'], 'inspect needs --in <file>'],
    [['rewrap', '--config', 'c', '--from', 'a'], 'rewrap needs --from, --to, --in and --out'],
    [['encrypt', 'stray'], 'unexpected argument stray'],
  ])('should answer a usage error (exit 2) when given %j', async (argv, message) => {
    const r = await symbolon(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('should refuse a malformed --context pair and a configuration that is not JSON', async () => {
    const cfg = config('c.json', { chain: ['a'] }, ['a']);
    const bad = await symbolon(
      'encrypt',
      '--config',
      cfg,
      '--context',
      'novalue',
      '--in',
      file('p', Buffer.from('x')),
      '--out',
      file('o'),
    );
    expect([bad.code, bad.err]).toEqual([2, expect.stringContaining('--context takes key=value')]);
    writeFileSync(join(dir, 'broken.json'), '{');
    const broken = await symbolon(
      'encrypt',
      '--config',
      join(dir, 'broken.json'),
      '--in',
      file('p'),
      '--out',
      file('o'),
    );
    expect([broken.code, broken.err]).toEqual([
      1,
      expect.stringContaining('is not a readable JSON configuration'),
    ]);
  });
});
