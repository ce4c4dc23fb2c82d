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
    const raw = randomBytes(32);
    const id = (await CustomerKey.fromBytes('x', raw)).describe();
    for (const [name, content] of [
      ['raw', raw],
      ['hex', Buffer.from(raw.toString('hex'))],
      ['b64', Buffer.from(`${raw.toString('base64')}\n`)],
    ] as const) {
      writeFileSync(join(dir, name), content);
      expect((await keyFile('x', join(dir, name))).describe()).toEqual(id);
    }
    writeFileSync(join(dir, 'short'), randomBytes(16));
    await expect(keyFile('x', join(dir, 'short'))).rejects.toMatchObject({ code: 'CONFIG' });
  });

  it('should refuse a configuration without scheme or with an authority of no known type', async () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ authorities: {} }));
    await expect(loadConfig(join(dir, 'a.json'))).rejects.toMatchObject({ code: 'CONFIG' });
    writeFileSync(
      join(dir, 'b.json'),
      JSON.stringify({ scheme: { chain: ['x'] }, authorities: { x: { type: 'vault' } } }),
    );
    await expect(loadConfig(join(dir, 'b.json'))).rejects.toMatchObject({
      message: expect.stringContaining('has no known type') as unknown,
    });
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toContain('vault');
  });
});
