import { jest } from '@jest/globals';
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

  it('should refuse to overwrite an existing --out and leave it and nothing else behind', async () => {
    const cfg = config('c.json', { chain: ['a'] }, ['a']);
    writeFileSync(file('kept'), 'precious');
    const r = await symbolon(
      'encrypt',
      '--config',
      cfg,
      '--in',
      file('p', randomBytes(10)),
      '--out',
      file('kept'),
    );
    expect([r.code, r.err]).toEqual([2, expect.stringContaining('already exists (not overwriting)')]);
    expect(readFileSync(file('kept'), 'utf8')).toBe('precious');
    expect(readdirSync(dir).filter((f) => f.startsWith('kept'))).toEqual(['kept']);
  });

  it('should fail naming the missing authority and leave no output file when one authority is not configured', async () => {
    const both = config('both.json', { chain: ['a', 'b'] }, ['a', 'b']);
    await symbolon('encrypt', '--config', both, '--in', file('p', randomBytes(10)), '--out', file('p.sym'));
    const onlyA = config('a.json', { chain: ['a', 'b'] }, ['a']);
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
    const newOnly = config('new.json', { chain: ['inner', 'outer-2'] }, ['inner', 'outer-2']);
    const dec = await symbolon('decrypt', '--config', newOnly, '--in', file('q.sym'), '--out', file('q.out'));
    expect(dec.code).toBe(0);
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
      expect.stringContaining(`configuration ${join(dir, 'broken.json')} is not valid JSON`),
    ]);
  });
});

describe('symbolon decrypt: what the configuration expects', () => {
  it('should refuse an envelope of a weaker scheme than the configuration and write nothing when decrypting', async () => {
    const weak = config('weak.json', { chain: ['bob'] }, ['bob']);
    const strong = config('strong.json', { chain: ['alice', 'bob'] }, ['alice', 'bob']);
    await symbolon('encrypt', '--config', weak, '--in', file('p', randomBytes(1000)), '--out', file('p.sym'));
    const r = await symbolon('decrypt', '--config', strong, '--in', file('p.sym'), '--out', file('p.out'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('decrypt refused: the envelope is not what the configuration expects');
    expect(r.err).toContain('chain [bob], not the scheme expected (chain [alice, bob])');
    expect(readdirSync(dir).filter((f) => f.startsWith('p.out'))).toEqual([]);
  });

  it('should refuse an envelope without a --context pair required when decrypting', async () => {
    const cfg = config('c.json', { chain: ['a'] }, ['a'], { app: 'test' });
    const data = randomBytes(1000);
    await symbolon('encrypt', '--config', cfg, '--in', file('p', data), '--out', file('p.sym'));
    const missing = await symbolon(
      'decrypt',
      '--config',
      cfg,
      '--context',
      'tenant=acme',
      '--in',
      file('p.sym'),
      '--out',
      file('p.out'),
    );
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('the envelope is not what the configuration expects');
    expect(missing.err).toContain('does not have tenant');
    expect(existsSync(file('p.out'))).toBe(false);
    const other = config('other.json', { chain: ['a'] }, ['a'], { app: 'other' });
    const wrongValue = await symbolon(
      'decrypt',
      '--config',
      other,
      '--in',
      file('p.sym'),
      '--out',
      file('p.out'),
    );
    expect([wrongValue.code, wrongValue.err]).toEqual([1, expect.stringContaining('does not have app')]);
    const ok = await symbolon(
      'decrypt',
      '--config',
      cfg,
      '--context',
      'app=test',
      '--in',
      file('p.sym'),
      '--out',
      file('p.out'),
    );
    expect(ok.code).toBe(0);
    expect(readFileSync(file('p.out'))).toEqual(data);
  });

  it('should keep a __proto__ context key as a pair and require it back when decrypting', async () => {
    const cfg = config('c.json', { chain: ['a'] }, ['a']);
    const enc = await symbolon(
      'encrypt',
      '--config',
      cfg,
      '--context',
      '__proto__=x',
      '--in',
      file('p', randomBytes(10)),
      '--out',
      file('p.sym'),
    );
    expect(enc.code).toBe(0);
    const shown = await symbolon('inspect', '--in', file('p.sym'));
    expect(shown.out).toContain('"__proto__": "x"');
    const other = config('o.json', { chain: ['a'] }, ['a']);
    await symbolon('encrypt', '--config', other, '--in', file('p'), '--out', file('q.sym'));
    const refused = await symbolon(
      'decrypt',
      '--config',
      cfg,
      '--context',
      '__proto__=x',
      '--in',
      file('q.sym'),
      '--out',
      file('q.out'),
    );
    expect([refused.code, refused.err]).toEqual([1, expect.stringContaining('does not have __proto__')]);
    const ok = await symbolon(
      'decrypt',
      '--config',
      cfg,
      '--context',
      '__proto__=x',
      '--in',
      file('p.sym'),
      '--out',
      file('p.out'),
    );
    expect(ok.code).toBe(0);
  });

  it('should answer a usage error when --context gives a key twice', async () => {
    const cfg = config('c.json', { chain: ['a'] }, ['a']);
    const r = await symbolon(
      'encrypt',
      '--config',
      cfg,
      '--context',
      'k=1',
      '--context',
      'k=2',
      '--in',
      file('p', randomBytes(10)),
      '--out',
      file('p.sym'),
    );
    expect([r.code, r.err]).toEqual([2, expect.stringContaining('--context gives the key k more than once')]);
    expect(readdirSync(dir).filter((f) => f.startsWith('p.sym'))).toEqual([]);
  });
});

describe('symbolon decrypt interrupted', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'should remove the partial output and exit %s-style when the signal arrives mid-stream',
    async (signal, code) => {
      const cfg = config('c.json', { chain: ['a'] }, ['a']);
      await symbolon(
        'encrypt',
        '--config',
        cfg,
        '--in',
        file('p', randomBytes(200_000)),
        '--out',
        file('p.sym'),
      );
      const envelope = readFileSync(file('p.sym'));
      const listeners = process.listenerCount(signal);
      const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
      try {
        const stdin = new PassThrough();
        const running = runEnvelope(['decrypt', '--config', cfg, '--out', file('p.out')], {
          out: () => undefined,
          err: () => undefined,
          stdin,
        });
        stdin.write(envelope.subarray(0, 100_000));
        const partial = () => readdirSync(dir).filter((f) => f.endsWith('.partial'));
        while (partial().length === 0 || process.listenerCount(signal) === listeners) {
          await new Promise((r) => setTimeout(r, 5));
        }
        process.emit(signal);
        expect(exit).toHaveBeenCalledWith(code);
        expect(partial()).toEqual([]);
        stdin.end();
        expect(await running).toBe(1);
        expect(process.listenerCount(signal)).toBe(listeners);
        expect(readdirSync(dir).filter((f) => f.startsWith('p.out'))).toEqual([]);
      } finally {
        exit.mockRestore();
      }
    },
  );
});
