// A customer key in the customer's own PKCS#11 token (ADR 0016), against real SoftHSM2 tokens in a temporary folder.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';

import { concatBytes, parseEnvelope, serializeEnvelopeHeader, withWrapped } from '@symbolon/formats';
import { HsmError, Pkcs11Token } from '@symbolon/pkcs11';
import {
  type Authority,
  CustomerKey,
  SdkError,
  customerKeyId,
  decryptEnvelope,
  decryptNodeStream,
  encryptEnvelope,
  encryptNodeStream,
  loadConfig,
  schemes,
} from '@symbolon/sdk/node';
import {
  Pkcs11CustomerKey,
  type Pkcs11KeyOptions,
  generateKeyInToken,
  importKeyToToken,
} from '@symbolon/sdk/pkcs11';

import { activateSoftHsmConf, initSoftHsmToken } from '../../../platform/src/local/softhsm.js';

const TOKEN = 'symbolon-sdk-it';
/** A second token for keys made directly through libs/pkcs11 (no CKA_ID, two with one label, AES-128). */
const RAW_TOKEN = 'symbolon-sdk-it-raw';
const PIN = '864213';
const SO_PIN = '97531246';
const DOES_NOT_UNWRAP =
  'the value does not unwrap under this key and binding (another key, envelope, place or context)';

let dir: string;
let conf: string;
let modulePath: string;
let deactivate: () => void = () => undefined;
/** The key file's bytes imported into the token as 'imported'. */
const raw = randomBytes(32);
let generatedKeyId: string;

const where = (keyLabel: string, over: Partial<Pkcs11KeyOptions> = {}): Pkcs11KeyOptions => ({
  module: modulePath,
  tokenLabel: TOKEN,
  pin: PIN,
  keyLabel,
  ...over,
});

/** Every authority a test opened, closed after it (a token is open in this process while a key of it is). */
const opened: { close(): void }[] = [];
function open(id: string, keyLabel: string, over: Partial<Pkcs11KeyOptions> = {}): Pkcs11CustomerKey {
  const key = Pkcs11CustomerKey.open(id, where(keyLabel, over));
  opened.push(key);
  return key;
}
afterEach(() => {
  for (const key of opened.splice(0)) key.close();
});

/** Runs `use` on a token opened directly through libs/pkcs11 (no SDK key of that token may be open). */
function direct<T>(label: string, use: (token: Pkcs11Token) => T): T {
  const token = Pkcs11Token.open({ modulePath, tokenLabel: label, pin: PIN });
  try {
    return use(token);
  } finally {
    token.close();
  }
}

function failureOf(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return undefined;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'symbolon-sdk-pkcs11-'));
  const made = await initSoftHsmToken({ dir, label: TOKEN, pin: PIN, soPin: SO_PIN });
  await initSoftHsmToken({ dir, label: RAW_TOKEN, pin: PIN, soPin: SO_PIN });
  conf = made.conf;
  modulePath = made.modulePath;
  deactivate = activateSoftHsmConf(conf);
  generatedKeyId = generateKeyInToken(where('generated'));
  expect(await importKeyToToken({ ...where('imported'), raw })).toBe(await customerKeyId(raw));
  direct(RAW_TOKEN, (token) => {
    const aes = { usage: 'aead' as const, token: true, sensitive: true, extractable: false };
    token.generateAesKey({ ...aes, length: 32, label: 'no-id' });
    token.generateAesKey({ ...aes, length: 32, label: 'twice', id: randomBytes(8) });
    token.generateAesKey({ ...aes, length: 32, label: 'twice', id: randomBytes(8) });
    token.generateAesKey({ ...aes, length: 16, label: 'aes-128', id: randomBytes(8) });
    token.generateAesKey({ ...aes, length: 32, label: 'short-id', id: randomBytes(4) });
    token.generateAesKey({ ...aes, length: 32, label: 'to-delete', id: randomBytes(8) });
  });
});

afterAll(async () => {
  deactivate();
  await rm(dir, { recursive: true, force: true });
});

describe('Pkcs11CustomerKey', () => {
  it('should describe itself as a customer key whose key id is the CKA_ID made when the key was generated', () => {
    expect(generatedKeyId).toMatch(/^[0-9a-f]{16}$/);
    expect(open('mine', 'generated').describe()).toEqual({
      id: 'mine',
      type: 'customer-key',
      keyId: generatedKeyId,
    });
  });

  it('should encrypt and decrypt chains of the token key and a key file, in either order, and a split', async () => {
    const token = open('token', 'generated');
    const file = await CustomerKey.fromBytes('file', randomBytes(32));
    const data = randomBytes(50_000);
    for (const scheme of [
      schemes.customerThenManaged('file', 'token'),
      schemes.managedThenCustomer('token', 'file'),
      schemes.splitKey('token', 'file'),
      { chain: ['token'] },
    ]) {
      const envelope = await encryptEnvelope(data, {
        scheme,
        authorities: [token, file],
        context: { purpose: 'backup' },
      });
      const authorities = 'chain' in scheme && scheme.chain.length === 1 ? [token] : [token, file];
      const plain = await decryptEnvelope(envelope, { authorities, expect: { scheme } });
      expect(sha256(plain)).toBe(sha256(data));
    }
  });

  it('should open with the token key an envelope made with the key file, and the reverse', async () => {
    const fromFile = await CustomerKey.fromBytes('customer', raw);
    const inToken = open('customer', 'imported');
    expect(inToken.describe()).toEqual(fromFile.describe());
    const data = randomBytes(3000);
    const scheme = { chain: ['customer'] };
    const madeWithFile = await encryptEnvelope(data, { scheme, authorities: [fromFile] });
    expect(
      Buffer.from(await decryptEnvelope(madeWithFile, { authorities: [inToken], expect: { scheme } })),
    ).toEqual(data);
    const madeInToken = await encryptEnvelope(data, { scheme, authorities: [inToken] });
    expect(
      Buffer.from(await decryptEnvelope(madeInToken, { authorities: [fromFile], expect: { scheme } })),
    ).toEqual(data);
  });

  it('should fail naming the token authority when it is not given, or is another token key', async () => {
    const token = open('token', 'generated');
    const file = await CustomerKey.fromBytes('file', randomBytes(32));
    const scheme = schemes.customerThenManaged('file', 'token');
    const envelope = await encryptEnvelope(randomBytes(100), { scheme, authorities: [file, token] });
    await expect(
      decryptEnvelope(envelope, { authorities: [file], expect: { scheme } }),
    ).rejects.toMatchObject({
      code: 'AUTHORITY_MISSING',
      authorityId: 'token',
    });
    const other = open('token', 'imported');
    await expect(
      decryptEnvelope(envelope, { authorities: [file, other], expect: { scheme } }),
    ).rejects.toMatchObject({ code: 'AUTHORITY_MISSING', authorityId: 'token' });
  });

  it('should fail with AUTHORITY_FAILED naming the token authority when its wrapped part was tampered with', async () => {
    const token = open('token', 'generated');
    const file = await CustomerKey.fromBytes('file', randomBytes(32));
    const scheme = schemes.customerThenManaged('file', 'token');
    const envelope = await encryptEnvelope(randomBytes(100), { scheme, authorities: [file, token] });
    const { header, bodyOffset } = parseEnvelope(envelope);
    const wrapped = Uint8Array.from((header.key as { wrapped: Uint8Array }).wrapped);
    wrapped[20] = wrapped[20]! ^ 0x01;
    const tampered = concatBytes(
      serializeEnvelopeHeader(withWrapped(header, 'key', wrapped)),
      envelope.subarray(bodyOffset),
    );
    const failure = await decryptEnvelope(tampered, { authorities: [file, token], expect: { scheme } }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(SdkError);
    expect(failure).toMatchObject({
      code: 'AUTHORITY_FAILED',
      authorityId: 'token',
      message: DOES_NOT_UNWRAP,
    });
  });

  it('should refuse a value wrapped under another binding, and one too short, as CustomerKey does', async () => {
    const token = open('token', 'imported');
    const file = await CustomerKey.fromBytes('token', raw);
    const secret = randomBytes(32);
    const wrapped = await token.wrap(secret, { 'symbolon:layer': '0' });
    expect(Buffer.from(await file.unwrap(wrapped, { 'symbolon:layer': '0' }))).toEqual(secret);
    for (const key of [token, file] as Authority[]) {
      await expect(key.unwrap(wrapped, { 'symbolon:layer': '1' })).rejects.toMatchObject({
        code: 'AUTHORITY_FAILED',
        authorityId: 'token',
        message: DOES_NOT_UNWRAP,
      });
      await expect(key.unwrap(wrapped.subarray(0, 27), { 'symbolon:layer': '0' })).rejects.toMatchObject({
        code: 'AUTHORITY_FAILED',
        authorityId: 'token',
        message: 'the wrapped value is too short for AES-GCM',
      });
    }
  });

  it('should fail with AUTHORITY_FAILED naming the authority when the token cannot use the key', async () => {
    const key = open('victim', 'to-delete', { tokenLabel: RAW_TOKEN });
    const wrapped = await key.wrap(randomBytes(32), {});
    // Another process (the customer's own tooling) deletes the key while this one holds it.
    await promisify(execFile)(
      'pkcs11-tool',
      ['--module', modulePath, '--token-label', RAW_TOKEN, '--login', '--pin', PIN].concat([
        '--delete-object',
        '--type',
        'secrkey',
        '--label',
        'to-delete',
      ]),
      { env: { ...process.env, SOFTHSM2_CONF: conf } },
    );
    for (const run of [() => key.wrap(randomBytes(32), {}), () => key.unwrap(wrapped, {})]) {
      const failure = await run().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(SdkError);
      expect(failure).toMatchObject({ code: 'AUTHORITY_FAILED', authorityId: 'victim' });
      expect((failure as Error).message).toMatch(
        /^PKCS#11 token 'symbolon-sdk-it-raw' could not (wrap|unwrap): /,
      );
    }
  });

  it('should fail with AUTHORITY_FAILED naming the authority once it is closed', async () => {
    const key = open('mine', 'generated');
    key.close();
    await expect(key.wrap(randomBytes(32), {})).rejects.toMatchObject({
      code: 'AUTHORITY_FAILED',
      authorityId: 'mine',
      message: 'the PKCS#11 customer key is closed: it cannot wrap',
    });
  });

  it('should refuse a wrong PIN with a CONFIG error that does not hold the PIN', () => {
    const failure = failureOf(() => open('mine', 'generated', { pin: 'wrong-pin-5551' }));
    expect(failure).toBeInstanceOf(SdkError);
    expect(failure).toMatchObject({
      code: 'CONFIG',
      message: `the PIN given for PKCS#11 token '${TOKEN}' is wrong`,
    });
    expect((failure as Error).message).not.toContain('wrong-pin-5551');
    // Nothing is left open: the right PIN opens it.
    expect(open('mine', 'generated').keyId).toBe(generatedKeyId);
  });

  it('should refuse a second PIN for a token already open in this process when it is not the PIN that opened it', async () => {
    open('first', 'generated');
    expect(failureOf(() => open('second', 'imported', { pin: 'wrong-pin-5551' }))).toMatchObject({
      code: 'CONFIG',
      message: `the PIN given for PKCS#11 token '${TOKEN}' is wrong`,
    });
    // Two keys of one token share its session: both open, both usable.
    const second = open('second', 'imported');
    expect(second.keyId).toBe(await customerKeyId(raw));
    expect(await second.unwrap(await second.wrap(raw, {}), {})).toEqual(Uint8Array.from(raw));
  });

  it('should refuse an unknown token label and an unknown key label with CONFIG errors', () => {
    expect(failureOf(() => open('mine', 'generated', { tokenLabel: 'no-such-token' }))).toMatchObject({
      code: 'CONFIG',
      message: `no initialised PKCS#11 token is labelled 'no-such-token' (module ${modulePath})`,
    });
    expect(failureOf(() => open('mine', 'no-such-key'))).toMatchObject({
      code: 'CONFIG',
      message: `no key is labelled 'no-such-key' on PKCS#11 token '${TOKEN}'`,
    });
  });

  it('should refuse a key without an 8-byte CKA_ID, two keys with one label and a key that is not AES-256', () => {
    const raw = { tokenLabel: RAW_TOKEN };
    for (const label of ['no-id', 'short-id']) {
      expect(failureOf(() => open('mine', label, raw))).toMatchObject({
        code: 'CONFIG',
        message: `key '${label}' on PKCS#11 token '${RAW_TOKEN}' has no 8-byte CKA_ID (its key id in envelopes): import or generate it with the SDK, or give it one`,
      });
    }
    expect(failureOf(() => open('mine', 'twice', raw))).toMatchObject({
      code: 'CONFIG',
      message: `2 keys are labelled 'twice' on PKCS#11 token '${RAW_TOKEN}': a label must name one key`,
    });
    expect(failureOf(() => open('mine', 'aes-128', raw))).toMatchObject({
      code: 'CONFIG',
      message: `key 'aes-128' on PKCS#11 token '${RAW_TOKEN}' is not an AES-256 key that may encrypt and decrypt`,
    });
  });

  it('should refuse to generate or import a key under a label the token already has', async () => {
    expect(failureOf(() => generateKeyInToken(where('generated')))).toMatchObject({
      code: 'CONFIG',
      message: `a key labelled 'generated' already exists on PKCS#11 token '${TOKEN}': choose another label`,
    });
    await expect(importKeyToToken({ ...where('generated'), raw: randomBytes(32) })).rejects.toMatchObject({
      code: 'CONFIG',
      message: `a key labelled 'generated' already exists on PKCS#11 token '${TOKEN}': choose another label`,
    });
    expect(direct(TOKEN, (token) => token.findSecretKeys('generated'))).toHaveLength(1);
  });

  it('should keep both keys sensitive and not extractable, usable only to encrypt and decrypt', async () => {
    const importedId = direct(TOKEN, (token) => {
      for (const label of ['generated', 'imported']) {
        const [key] = token.findSecretKeys(label);
        expect(token.getSecretKeyAttributes(key!)).toMatchObject({
          keyType: 'aes',
          token: true,
          private: true,
          sensitive: true,
          extractable: false,
          encrypt: true,
          decrypt: true,
          wrap: false,
          unwrap: false,
          valueLength: 32,
        });
        const read = failureOf(() => token.readKeyValue(key!));
        expect(read).toBeInstanceOf(HsmError);
        expect(read).toMatchObject({ code: 'ATTRIBUTE_SENSITIVE' });
      }
      const [generated] = token.findSecretKeys('generated');
      expect(token.getSecretKeyAttributes(generated!)).toMatchObject({
        neverExtractable: true,
        alwaysSensitive: true,
      });
      const [imported] = token.findSecretKeys('imported');
      return Buffer.from(token.getKeyId(imported!)).toString('hex');
    });
    expect(importedId).toBe(await customerKeyId(raw));
  });
});

describe('loadConfig with a pkcs11 authority', () => {
  it('should read a configuration of a token key (PIN file) and a key file, and encrypt and decrypt with it', async () => {
    await writeFile(join(dir, 'pin'), `${PIN}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'customer.key'), randomBytes(32).toString('hex'));
    const file = join(dir, 'symbolon.json');
    await writeFile(
      file,
      JSON.stringify({
        scheme: { chain: ['file', 'token'] },
        authorities: {
          file: { type: 'key-file', path: 'customer.key' },
          token: {
            type: 'pkcs11',
            module: modulePath,
            tokenLabel: TOKEN,
            keyLabel: 'generated',
            pinFile: 'pin',
          },
        },
        context: { app: 'it' },
      }),
    );
    const { config, authorities } = await loadConfig(file);
    opened.push(...(authorities as unknown as { close(): void }[]).filter((a) => 'close' in a));
    expect(authorities.map((a) => a.describe())).toContainEqual({
      id: 'token',
      type: 'customer-key',
      keyId: generatedKeyId,
    });
    const data = randomBytes(70_000);
    const envelope = await encryptEnvelope(data, {
      scheme: config.scheme,
      authorities,
      context: config.context,
    });
    const plain = await decryptEnvelope(envelope, {
      authorities,
      expect: { scheme: config.scheme, context: config.context ?? {} },
    });
    expect(sha256(plain)).toBe(sha256(data));
  });

  it('should take the PIN from the variable pinEnv names, and refuse a wrong one without showing it', async () => {
    const variable = `SYMBOLON_IT_PIN_${process.pid}`;
    const file = join(dir, 'env.json');
    await writeFile(
      file,
      JSON.stringify({
        scheme: { chain: ['token'] },
        authorities: {
          token: {
            type: 'pkcs11',
            module: modulePath,
            tokenLabel: TOKEN,
            keyLabel: 'imported',
            pinEnv: variable,
          },
        },
      }),
    );
    process.env[variable] = PIN;
    try {
      const { authorities } = await loadConfig(file);
      opened.push(authorities[0] as Pkcs11CustomerKey);
      expect(authorities[0]!.describe()).toEqual({
        id: 'token',
        type: 'customer-key',
        keyId: await customerKeyId(raw),
      });
      (authorities[0] as Pkcs11CustomerKey).close();
      process.env[variable] = 'wrong-pin-7777';
      const failure = await loadConfig(file).catch((e: unknown) => e);
      expect(failure).toMatchObject({
        code: 'CONFIG',
        message: `the PIN given for PKCS#11 token '${TOKEN}' is wrong`,
      });
      expect((failure as Error).message).not.toContain('wrong-pin-7777');
    } finally {
      delete process.env[variable];
    }
  });

  it('should close the token again when an authority after the token key fails to load', async () => {
    const file = join(dir, 'half.json');
    await writeFile(
      file,
      JSON.stringify({
        scheme: { chain: ['token', 'file'] },
        authorities: {
          token: {
            type: 'pkcs11',
            module: modulePath,
            tokenLabel: TOKEN,
            keyLabel: 'generated',
            pinFile: 'pin',
          },
          file: { type: 'key-file', path: 'no-such.key' },
        },
      }),
    );
    await expect(loadConfig(file)).rejects.toThrow();
    // Closed: libs/pkcs11 can open the token itself (it refuses a token already open in this process).
    expect(direct(TOKEN, (token) => token.findSecretKeys('generated'))).toHaveLength(1);
  });
});

describe('Node streams with a token key', () => {
  it('should encrypt and decrypt 1 MiB through Node streams with a chain of a key file and the token key', async () => {
    const token = open('token', 'generated');
    const file = await CustomerKey.fromBytes('file', randomBytes(32));
    const scheme = schemes.customerThenManaged('file', 'token');
    const data = randomBytes(1024 * 1024);
    const collect = (into: Buffer[]) =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          into.push(chunk);
          done();
        },
      });
    const envelope: Buffer[] = [];
    await pipeline(
      Readable.from([data.subarray(0, 300_000), data.subarray(300_000)]),
      await encryptNodeStream({ scheme, authorities: [file, token] }),
      collect(envelope),
    );
    const plain: Buffer[] = [];
    await pipeline(
      Readable.from([Buffer.concat(envelope)]),
      decryptNodeStream({ authorities: [file, token], expect: { scheme } }),
      collect(plain),
    );
    expect(sha256(Buffer.concat(plain))).toBe(sha256(data));
  });
});
