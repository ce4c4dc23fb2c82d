import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { CustomerKey, SdkError, decryptNodeStream, encryptNodeStream, keyFile, loadConfig } from './index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'symbolon-sdk-node-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The next base64 digit: a canonical final digit before `=` made non-canonical (its low two bits are padding). */
const nudge = (c: string): string => {
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  return digits[digits.indexOf(c) + 1]!;
};

const sink = (parts: Buffer[]) =>
  new Writable({
    write(chunk: Buffer, _e, done) {
      parts.push(chunk);
      done();
    },
  });

describe('SDK for Node', () => {
  it('should encrypt and decrypt through Node streams in pieces of any size', async () => {
    const key = await CustomerKey.fromBytes('me', randomBytes(32));
    const data = randomBytes(200_000);
    const envelope: Buffer[] = [];
    const pieces = [1, 5000, 70_000, 124_999].map((n, i, all) => {
      const start = all.slice(0, i).reduce((a, b) => a + b, 0);
      return data.subarray(start, start + n);
    });
    await pipeline(
      Readable.from(pieces),
      await encryptNodeStream({ scheme: { chain: ['me'] }, authorities: [key] }),
      sink(envelope),
    );
    const plain: Buffer[] = [];
    await pipeline(
      Readable.from([Buffer.concat(envelope)]),
      decryptNodeStream({ authorities: [key] }),
      sink(plain),
    );
    expect(createHash('sha256').update(Buffer.concat(plain)).digest()).toEqual(
      createHash('sha256').update(data).digest(),
    );
  });

  it('should fail the Node stream with an SdkError naming the authority when its key is another', async () => {
    const key = await CustomerKey.fromBytes('me', randomBytes(32));
    const envelope: Buffer[] = [];
    await pipeline(
      Readable.from([Buffer.from('x')]),
      await encryptNodeStream({ scheme: { chain: ['me'] }, authorities: [key] }),
      sink(envelope),
    );
    const other = await CustomerKey.fromBytes('me', randomBytes(32));
    const failure = await pipeline(
      Readable.from([Buffer.concat(envelope)]),
      decryptNodeStream({ authorities: [other] }),
      sink([]),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SdkError);
    expect(failure).toMatchObject({ authorityId: 'me' });
  });

  it('should read a key file as raw bytes, hex or base64, and refuse any other length', async () => {
    // Raw bytes with at least one that is not text (a random 32 are all text with probability about 1e-13).
    const raw = Buffer.concat([Buffer.from([0]), randomBytes(31)]);
    const id = (await CustomerKey.fromBytes('x', raw)).describe();
    for (const [name, content] of [
      ['raw', raw],
      ['hex', Buffer.from(raw.toString('hex'))],
      ['hex-upper', Buffer.from(`  ${raw.toString('hex').toUpperCase()}\r\n`)],
      ['b64', Buffer.from(`${raw.toString('base64')}\n`)],
    ] as const) {
      writeFileSync(join(dir, name), content);
      expect((await keyFile('x', join(dir, name))).describe()).toEqual(id);
    }
    writeFileSync(join(dir, 'short'), randomBytes(16));
    await expect(keyFile('x', join(dir, 'short'))).rejects.toMatchObject({ code: 'CONFIG' });
  });

  it.each([
    ['a 32-character passphrase', 'correct horse battery staple 123'],
    ['32 hex digits (16 bytes)', randomBytes(16).toString('hex')],
    ['31 characters and a newline', `${'p'.repeat(31)}\n`],
  ])('should refuse %s as raw key bytes and say how to write a key file', async (_what, content) => {
    expect(Buffer.byteLength(content)).toBe(32);
    writeFileSync(join(dir, 'text.key'), content);
    const e = await keyFile('me', join(dir, 'text.key')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SdkError);
    expect(e).toMatchObject({ code: 'CONFIG' });
    expect((e as Error).message).toContain('key file of me holds 32 characters of text');
    expect((e as Error).message).toContain('openssl rand -out <file> 32');
    expect((e as Error).message).not.toContain(content.trim());
  });

  it.each([
    ['base64 without its padding', (k: Buffer) => k.toString('base64').slice(0, -1)],
    ['base64url', (k: Buffer) => k.toString('base64url')],
    ['base64 of 33 bytes', (k: Buffer) => Buffer.concat([k, Buffer.from([1])]).toString('base64')],
    [
      'non-canonical base64 (padding bits set)',
      (k: Buffer) => k.toString('base64').replace(/(.)=$/, (_m, c: string) => `${nudge(c)}=`),
    ],
    [
      'base64 with a space inside',
      (k: Buffer) => `${k.toString('base64').slice(0, 20)} ${k.toString('base64').slice(20)}`,
    ],
    ['63 hex digits', (k: Buffer) => k.toString('hex').slice(1)],
    ['65 hex digits', (k: Buffer) => `${k.toString('hex')}0`],
    ['64 hex digits with a stray character', (k: Buffer) => `${k.toString('hex').slice(0, 63)}g`],
    ['33 raw bytes', (k: Buffer) => Buffer.concat([k, Buffer.from([0xff])]).toString('latin1')],
  ])('should refuse a key file of %s', async (_what, form) => {
    const key = Buffer.concat([Buffer.from([0xff]), randomBytes(31)]);
    writeFileSync(join(dir, 'bad.key'), Buffer.from(form(key), 'latin1'));
    await expect(keyFile('me', join(dir, 'bad.key'))).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('key file of me does not hold a 32-byte key') as unknown,
    });
  });

  it('should refuse a configuration or credentials file that is not JSON without quoting any of it', async () => {
    writeFileSync(join(dir, 'broken.json'), '{"scheme": wJalrXUtnFEMIbroken}');
    const config = await loadConfig(join(dir, 'broken.json')).catch((e: unknown) => e);
    expect(config).toMatchObject({
      code: 'CONFIG',
      message: `configuration ${join(dir, 'broken.json')} is not valid JSON`,
    });
    writeFileSync(
      join(dir, 'creds.json'),
      '{"accessKeyId":"AKIAEXAMPLE","secretAccessKey":wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY}',
    );
    writeFileSync(
      join(dir, 'kms.json'),
      JSON.stringify({
        scheme: { chain: ['corp'] },
        authorities: { corp: { type: 'kms', keyId: 'k', credentialsFile: 'creds.json' } },
      }),
    );
    const creds = await loadConfig(join(dir, 'kms.json')).catch((e: unknown) => e);
    expect(creds).toBeInstanceOf(SdkError);
    expect(creds).toMatchObject({ code: 'CONFIG' });
    expect((creds as Error).message).toBe(
      `credentials file ${join(dir, 'creds.json')} of authority corp is not valid JSON`,
    );
    expect((creds as Error).message).not.toContain('wJalr');
    expect((creds as Error).message).not.toContain('AKIA');
  });

  it('should refuse a credentials file without string keys and a configuration it cannot read', async () => {
    writeFileSync(
      join(dir, 'creds.json'),
      JSON.stringify({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 42 }),
    );
    writeFileSync(
      join(dir, 'kms.json'),
      JSON.stringify({
        scheme: { chain: ['corp'] },
        authorities: { corp: { type: 'kms', keyId: 'k', credentialsFile: 'creds.json' } },
      }),
    );
    await expect(loadConfig(join(dir, 'kms.json'))).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('needs "accessKeyId" and "secretAccessKey" strings') as unknown,
    });
    await expect(loadConfig(join(dir, 'none.json'))).rejects.toMatchObject({
      code: 'CONFIG',
      message: `configuration ${join(dir, 'none.json')} cannot be read (ENOENT)`,
    });
  });

  it('should refuse a configuration without scheme or with an authority of no known type', async () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ authorities: {} }));
    await expect(loadConfig(join(dir, 'a.json'))).rejects.toMatchObject({ code: 'CONFIG' });
    writeFileSync(
      join(dir, 'b.json'),
      JSON.stringify({ scheme: { chain: ['x'] }, authorities: { x: { type: 'vault' } } }),
    );
    await expect(loadConfig(join(dir, 'b.json'))).rejects.toMatchObject({
      message: `authority x in ${join(dir, 'b.json')} has no known type (key-file, kms, pkcs11)`,
    });
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toContain('vault');
  });

  describe('pkcs11 authorities', () => {
    const token = { type: 'pkcs11', module: '/no/such/module.so', tokenLabel: 't', keyLabel: 'k' };
    const configWith = (authority: Record<string, unknown>): string => {
      const file = join(dir, 'token.json');
      writeFileSync(file, JSON.stringify({ scheme: { chain: ['mine'] }, authorities: { mine: authority } }));
      return file;
    };

    it('should refuse a pkcs11 authority without module, token label or key label', async () => {
      for (const field of ['module', 'tokenLabel', 'keyLabel']) {
        const file = configWith({ ...token, [field]: undefined, pinEnv: 'SOME_PIN' });
        await expect(loadConfig(file)).rejects.toMatchObject({
          code: 'CONFIG',
          message: `authority mine in ${file} (pkcs11) needs "module", "tokenLabel" and "keyLabel" strings`,
        });
      }
      const file = configWith({ ...token, keyLabel: '', pinEnv: 'SOME_PIN' });
      await expect(loadConfig(file)).rejects.toMatchObject({ code: 'CONFIG' });
    });

    it('should refuse a pkcs11 authority with both PIN sources, with neither, or with an empty one', async () => {
      for (const pins of [{ pinFile: 'pin', pinEnv: 'SOME_PIN' }, {}, { pinFile: '' }, { pinEnv: 7 }]) {
        const file = configWith({ ...token, ...pins });
        await expect(loadConfig(file)).rejects.toMatchObject({
          code: 'CONFIG',
          message: `authority mine in ${file} (pkcs11) needs exactly one of "pinFile" and "pinEnv" (a non-empty string)`,
        });
      }
    });

    it('should refuse a PIN file it cannot read or that is empty, and a PIN variable that is not set', async () => {
      const missing = configWith({ ...token, pinFile: 'no-such-pin' });
      await expect(loadConfig(missing)).rejects.toMatchObject({
        code: 'CONFIG',
        message: `PIN file ${join(dir, 'no-such-pin')} of authority mine cannot be read (ENOENT)`,
      });
      writeFileSync(join(dir, 'empty-pin'), '\n');
      await expect(loadConfig(configWith({ ...token, pinFile: 'empty-pin' }))).rejects.toMatchObject({
        code: 'CONFIG',
        message: `PIN file ${join(dir, 'empty-pin')} of authority mine is empty`,
      });
      const variable = `SYMBOLON_TEST_PIN_${process.pid}`;
      delete process.env[variable];
      await expect(loadConfig(configWith({ ...token, pinEnv: variable }))).rejects.toMatchObject({
        code: 'CONFIG',
        message: `environment variable ${variable} (the PIN of authority mine) is not set`,
      });
    });
  });
});
