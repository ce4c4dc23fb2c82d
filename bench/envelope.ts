/**
 * Streaming envelope encryption (issue 7): the SDK encrypts and decrypts BENCH_ENVELOPE_MIB (default 1024) MiB read
 * from a file (the output counted, not written), next to plain node:crypto AES-256-GCM over the same bytes and the
 * AWS Encryption SDK for JavaScript (raw AES keyring, default frame size) in the same run, with each case's peak RSS. Every case runs in its own child
 * process (so its peak RSS is its own, and it loads only the libraries it uses), one after the other; the files are in
 * /dev/shm when there is one. Also alone: `node dist/bench/envelope.js`.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const MIB = 1024 * 1024;
/** Each case reads its input in pieces of this size (the same for every case). */
const READ_SIZE = 256 * 1024;
const SIZE_MIB = Number(process.env['BENCH_ENVELOPE_MIB'] ?? 1024);
const AES_TARGET = 0.8;
const ESDK_TARGET = 5;
const RSS_TARGET_MIB = 100;
/** Fixed test keys: the bench measures, it protects nothing. */
const KEY = Buffer.alloc(32, 7);
const IV = Buffer.alloc(12, 1);

const CASES = [
  'aes-gcm encrypt',
  'aes-gcm decrypt',
  'sdk encrypt',
  'sdk decrypt',
  'sdk webcrypto encrypt',
  'sdk webcrypto decrypt',
  'esdk encrypt',
  'esdk decrypt',
] as const;
type Case = (typeof CASES)[number];

export interface CaseResult {
  name: Case;
  mibPerSec: number;
  peakRssMib: number;
}

export interface EnvelopeResult {
  sizeMib: number;
  cases: CaseResult[];
}

/** Counts what passes, to check each case read or wrote the whole size. */
function counter(): { stream: Transform; bytes: () => number } {
  let n = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _e, done) {
      n += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, bytes: () => n };
}

const discard = () =>
  new Writable({
    write(_c, _e, done) {
      done();
    },
  });

/** The SDK, loaded by the cases that use it only: each case's peak RSS counts only what it loads. */
const sdk = () => import('@symbolon/sdk/node');

/**
 * The SDK's streams: with node:crypto's AEAD, the Node binding's Node streams (what a Node program uses); with
 * WebCrypto's, the core's WHATWG streams (what a browser uses), bridged to the file.
 */
async function sdkThrough(
  dir: string,
  direction: 'encrypt' | 'decrypt',
  webCrypto: boolean,
  tag: string,
): Promise<number> {
  const { CustomerKey, decryptEnvelopeStream, decryptNodeStream, encryptEnvelopeStream, encryptNodeStream } =
    await sdk();
  const key = await CustomerKey.fromBytes('bench', KEY);
  const scheme = { chain: ['bench'] };
  const source = createReadStream(join(dir, direction === 'encrypt' ? 'plain' : `${tag}.sym`), {
    highWaterMark: READ_SIZE,
  });
  let through: Duplex;
  if (webCrypto) {
    const pair =
      direction === 'encrypt'
        ? await encryptEnvelopeStream({ authorities: [key], scheme })
        : decryptEnvelopeStream({ authorities: [key] });
    through = Duplex.fromWeb(pair as never);
  } else {
    through =
      direction === 'encrypt'
        ? await encryptNodeStream({ authorities: [key], scheme })
        : decryptNodeStream({ authorities: [key] });
  }
  const c = counter();
  await pipeline(
    source,
    through,
    c.stream,
    direction === 'encrypt' ? sinkFor(join(dir, `${tag}.sym`)) : discard(),
  );
  return c.bytes();
}

/**
 * Where an encrypt case writes: nowhere when timed (the crypto and the framing are measured, not how fast a file
 * system takes new pages, which varied 3 x between runs), to the file when preparing a decrypt case's input.
 */
let writeFiles = false;
const sinkFor = (path: string): Writable =>
  writeFiles ? createWriteStream(path, { highWaterMark: READ_SIZE }) : discard();

/** One case, in this (child) process: the bytes it produced. */
async function runCase(name: Case, dir: string): Promise<number> {
  const plain = join(dir, 'plain');
  switch (name) {
    case 'aes-gcm encrypt': {
      const cipher = createCipheriv('aes-256-gcm', KEY, IV);
      const c = counter();
      const out = sinkFor(join(dir, 'gcm'));
      await pipeline(createReadStream(plain, { highWaterMark: READ_SIZE }), cipher, c.stream, out);
      const tag = openSync(join(dir, 'gcm.tag'), 'w');
      writeSync(tag, cipher.getAuthTag());
      closeSync(tag);
      return c.bytes();
    }
    case 'aes-gcm decrypt': {
      const decipher = createDecipheriv('aes-256-gcm', KEY, IV);
      decipher.setAuthTag(readFileSync(join(dir, 'gcm.tag')));
      const c = counter();
      await pipeline(
        createReadStream(join(dir, 'gcm'), { highWaterMark: READ_SIZE }),
        decipher,
        c.stream,
        discard(),
      );
      return c.bytes();
    }
    case 'sdk encrypt':
      return sdkThrough(dir, 'encrypt', false, 'sdk');
    case 'sdk decrypt':
      return sdkThrough(dir, 'decrypt', false, 'sdk');
    case 'sdk webcrypto encrypt':
      return sdkThrough(dir, 'encrypt', true, 'sdk-webcrypto');
    case 'sdk webcrypto decrypt':
      return sdkThrough(dir, 'decrypt', true, 'sdk-webcrypto');
    case 'esdk encrypt':
    case 'esdk decrypt': {
      const { RawAesKeyringNode, RawAesWrappingSuiteIdentifier, buildClient, CommitmentPolicy } =
        await import('@aws-crypto/client-node');
      const keyring = new RawAesKeyringNode({
        keyName: 'bench',
        keyNamespace: 'bench',
        unencryptedMasterKey: new Uint8Array(KEY),
        wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
      });
      const { encryptStream, decryptStream } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
      const c = counter();
      if (name === 'esdk encrypt') {
        await pipeline(
          createReadStream(plain, { highWaterMark: READ_SIZE }),
          encryptStream(keyring),
          c.stream,
          sinkFor(join(dir, 'esdk')),
        );
      } else {
        await pipeline(
          createReadStream(join(dir, 'esdk'), { highWaterMark: READ_SIZE }),
          decryptStream(keyring),
          c.stream,
          discard(),
        );
      }
      return c.bytes();
    }
  }
}

/** Runs `name` in a child process: throughput over the plaintext size, and the child's peak RSS. */
function childCase(name: Case, dir: string, prepare = false): CaseResult {
  const args = [fileURLToPath(import.meta.url), 'case', name, dir, ...(prepare ? ['write'] : [])];
  const out = execFileSync(process.execPath, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const r = JSON.parse(out.trim().split('\n').pop()!) as {
    seconds: number;
    bytes: number;
    maxRssKib: number;
  };
  const plainBytes = SIZE_MIB * MIB;
  if (name.endsWith('decrypt') ? r.bytes !== plainBytes : r.bytes < plainBytes) {
    throw new Error(`${name} gave ${r.bytes} bytes for ${plainBytes} of plaintext`);
  }
  return { name, mibPerSec: SIZE_MIB / r.seconds, peakRssMib: r.maxRssKib / 1024 };
}

export function benchEnvelope(): EnvelopeResult {
  // In memory (tmpfs) when the machine has one: the cases then measure the crypto, not the disk's write-back.
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'symbolon-bench-envelope-'));
  try {
    // The plaintext: a 64 MiB random block repeated (AES does not care; the disk write is done once).
    const block = randomBytes(64 * MIB);
    const fd = openSync(join(dir, 'plain'), 'w');
    for (let i = 0; i < SIZE_MIB; i += 64) writeSync(fd, block, 0, Math.min(64, SIZE_MIB - i) * MIB);
    closeSync(fd);
    const cases = CASES.map((name) => {
      // A decrypt case reads what its encrypt case wrote, in an untimed run before it.
      if (name.endsWith('decrypt')) childCase(name.replace('decrypt', 'encrypt') as Case, dir, true);
      return childCase(name, dir);
    });
    return { sizeMib: SIZE_MIB, cases };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printEnvelope(r: EnvelopeResult): void {
  const by = (name: Case) => r.cases.find((c) => c.name === name)!;
  console.log('');
  console.log(
    `Envelope streaming: ${r.sizeMib} MiB read from a file, output counted, one process per case (${availableParallelism()} cores)`,
  );
  for (const c of r.cases) {
    console.log(
      `  ${c.name.padEnd(24)} ${c.mibPerSec.toFixed(0).padStart(6)} MiB/s   peak RSS ${c.peakRssMib.toFixed(0)} MiB`,
    );
  }
  for (const d of ['encrypt', 'decrypt'] as const) {
    const sdk = by(`sdk ${d}`);
    const vsAes = sdk.mibPerSec / by(`aes-gcm ${d}`).mibPerSec;
    const vsEsdk = sdk.mibPerSec / by(`esdk ${d}`).mibPerSec;
    console.log(`sdk/aes-gcm ${d}: ${vsAes.toFixed(3)}   sdk/esdk ${d}: ${vsEsdk.toFixed(2)}`);
    console.log(`target "sdk ${d} >= ${AES_TARGET} x aes-gcm": ${vsAes >= AES_TARGET ? 'MET' : 'NOT MET'}`);
    console.log(`target "sdk ${d} >= ${ESDK_TARGET} x esdk": ${vsEsdk >= ESDK_TARGET ? 'MET' : 'NOT MET'}`);
    console.log(
      `target "sdk ${d} peak RSS < ${RSS_TARGET_MIB} MiB": ${sdk.peakRssMib < RSS_TARGET_MIB ? 'MET' : 'NOT MET'}`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'case') {
    const name = process.argv[3] as Case;
    writeFiles = process.argv[5] === 'write';
    // The libraries a case uses are loaded before its clock starts (the AES-GCM cases load none).
    const loaded = name.startsWith('sdk')
      ? Promise.all([sdk(), import('@symbolon/formats')])
      : name.startsWith('esdk')
        ? import('@aws-crypto/client-node')
        : Promise.resolve();
    let t0 = 0n;
    loaded
      .then(() => {
        t0 = process.hrtime.bigint();
        return runCase(name, process.argv[4]!);
      })
      .then(
        (bytes) => {
          const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
          console.log(JSON.stringify({ seconds, bytes, maxRssKib: process.resourceUsage().maxRSS }));
        },
        (e: unknown) => {
          console.error(e);
          process.exitCode = 1;
        },
      );
  } else {
    printEnvelope(benchEnvelope());
  }
}
