import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SHRED_RECEIPT_TYPE, type ShredReceipt, publicKeyFingerprint } from '@symbolon/evidence';

import { type StepsCommand, parseArgs } from './args.js';
import { LITERAL_FORM_WARNING } from './key-commands.js';
import { runSteps } from './main.js';
import { FakePlatform, type RsaPair, ed25519Signer, ok, pem, refused, rsaPair } from './steps.test-helper.js';

const OAEP_SHA1 = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' } as const;
const CONNECT = ['--endpoint', 'http://127.0.0.1:1', '--credentials', '/nonexistent/creds.json'];
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:123456789012:key/${KEY_ID}`;
const OTHER_ARN = 'arn:aws:kms:us-east-1:123456789012:key/ffffffff-12ab-34cd-56ef-1234567890ab';

function steps(argv: string[]): StepsCommand {
  const parsed = parseArgs(argv);
  if (!('run' in parsed)) throw new Error(`${argv.slice(0, 2).join(' ')} is not made of steps`);
  return parsed;
}

function receiptDocument(overrides: Partial<ShredReceipt> = {}): ShredReceipt {
  return {
    type: SHRED_RECEIPT_TYPE,
    keyArn: ARN,
    versions: [
      { version: 1, ektSha256: 'ab'.repeat(32), domainGeneration: 3 },
      { version: 2, ektSha256: 'cd'.repeat(32), domainGeneration: 4 },
    ],
    shreddedAt: '2025-01-31T12:00:00.000Z',
    nodeId: 'hsm-1',
    tokenLabel: 'symbolon-hsm-1',
    evictedCopies: 1,
    pendingGenerations: [3, 4],
    ...overrides,
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'symbolon-key-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('key shred', () => {
  const signer = ed25519Signer();
  const receipt = signer.sign(receiptDocument());
  const platform = () =>
    new FakePlatform({ ShredKey: () => ok({ KeyId: ARN, KeyState: 'Shredded', Receipt: receipt }) });

  it('should write the receipt to a new 0600 file and print its path and signer when --out is given', async () => {
    const p = platform();
    const out = join(dir, 'receipt.json');
    const code = await runSteps(
      steps(['key', 'shred', '--key-id', KEY_ID, '--out', out, ...CONNECT]),
      p.context(),
    );
    expect(p.err).toBe('');
    expect(code).toBe(0);
    expect(p.requests).toEqual([{ operation: 'ShredKey', body: { KeyId: KEY_ID } }]);
    expect(JSON.parse(p.out)).toEqual({
      KeyId: ARN,
      KeyState: 'Shredded',
      Receipt: out,
      Signer: publicKeyFingerprint(signer.publicKey),
      Final: false,
    });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(receipt);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('should print the receipt itself when no --out is given', async () => {
    const p = platform();
    expect(await runSteps(steps(['key', 'shred', '--key-id', KEY_ID, ...CONNECT]), p.context())).toBe(0);
    expect(JSON.parse(p.out)).toMatchObject({
      Receipt: receipt,
      Signer: publicKeyFingerprint(signer.publicKey),
    });
  });

  it('should exit 2 without shredding when the --out file already exists', async () => {
    const p = platform();
    const out = join(dir, 'receipt.json');
    writeFileSync(out, 'keep');
    expect(
      await runSteps(steps(['key', 'shred', '--key-id', KEY_ID, '--out', out, ...CONNECT]), p.context()),
    ).toBe(2);
    expect(p.err).toBe(`symbolon: cannot create --out ${out}: it already exists (not overwriting)\n`);
    expect(p.requests).toEqual([]);
    expect(readFileSync(out, 'utf8')).toBe('keep');
  });

  it('should print the error on stderr, exit 1 and leave no file when the platform refuses', async () => {
    const p = new FakePlatform({ ShredKey: () => refused('AccessDeniedException', 'no kms:ShredKey') });
    const out = join(dir, 'receipt.json');
    expect(
      await runSteps(steps(['key', 'shred', '--key-id', KEY_ID, '--out', out, ...CONNECT]), p.context()),
    ).toBe(1);
    expect(JSON.parse(p.err)).toEqual({ __type: 'AccessDeniedException', message: 'no kms:ShredKey' });
    expect(p.out).toBe('');
    expect(existsSync(out)).toBe(false);
  });
});

describe('key verify-shred', () => {
  const signer = ed25519Signer();
  let receiptFile: string;
  const write = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };
  const verify = async (extra: string[], file = receiptFile) => {
    const p = new FakePlatform({});
    const code = await runSteps(steps(['key', 'verify-shred', '--receipt', file, ...extra]), p.context());
    expect(p.requests).toEqual([]);
    return { code, out: p.out, err: p.err };
  };

  beforeEach(() => {
    receiptFile = write('receipt.json', signer.sign(receiptDocument()));
  });

  it('should print Valid, the key, versions, signer and pending generations when the receipt verifies', async () => {
    const r = await verify([]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      Valid: true,
      KeyId: ARN,
      Versions: [1, 2],
      Signer: publicKeyFingerprint(signer.publicKey),
      PendingGenerations: [3, 4],
      Final: false,
    });
  });

  it('should verify when --key-id is the ARN or its key id and --public-key pins the signer as base64 or PEM', async () => {
    const b64 = write('signing.b64', `${signer.publicKey}\n`);
    const pemFile = write('signing.pem', signer.publicKeyPem);
    expect((await verify(['--key-id', ARN, '--public-key', b64])).code).toBe(0);
    expect((await verify(['--key-id', KEY_ID, '--public-key', pemFile])).code).toBe(0);
  });

  it('should verify when the pin file lists every member token key and another member signed it', async () => {
    const all = write('signing-all.b64', `${ed25519Signer().publicKey}\n${signer.publicKey}\n`);
    expect((await verify(['--key-id', ARN, '--public-key', all])).code).toBe(0);
  });

  it('should exit 1 with the reason when the receipt is for another key', async () => {
    const r = await verify(['--key-id', OTHER_ARN]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `symbolon: the receipt in ${receiptFile} is not valid: another key: the receipt is for ${ARN}, not ${OTHER_ARN}\n`,
    );
    expect((await verify(['--key-id', 'ffffffff-12ab-34cd-56ef-1234567890ab'])).err).toContain('another key');
  });

  it('should exit 1 with the reason when the receipt was changed after signing', async () => {
    const signed = signer.sign(receiptDocument());
    const changed = write('changed.json', {
      ...signed,
      document: { ...signed.document, pendingGenerations: [] },
    });
    const r = await verify([], changed);
    expect(r.code).toBe(1);
    expect(r.err).toContain('is not valid: bad signature');
  });

  it('should exit 1 when the receipt was signed by another key than the pinned one', async () => {
    const pinned = write('other.b64', ed25519Signer().publicKey);
    const r = await verify(['--public-key', pinned]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('is not valid: not the pinned key');
  });

  it('should exit 1 when the receipt file is not JSON or not a receipt, and 2 when it cannot be read', async () => {
    const notJson = write('bad.json', '{"document":');
    expect(await verify([], notJson)).toEqual({
      code: 1,
      out: '',
      err: `symbolon: --receipt ${notJson} is not JSON\n`,
    });
    const notReceipt = write('digest.json', signer.sign({ type: 'symbolon.audit-digest.v1' }));
    const r = await verify([], notReceipt);
    expect(r.code).toBe(1);
    expect(r.err).toContain('wrong type: expected symbolon.shred-receipt.v1');
    const missing = join(dir, 'missing.json');
    expect(await verify([], missing)).toEqual({
      code: 2,
      out: '',
      err: `symbolon: cannot read --receipt ${missing}: no such file\n`,
    });
    const junkKey = write('junk.b64', 'not base64!');
    expect((await verify(['--public-key', junkKey])).err).toBe(
      `symbolon: --public-key ${junkKey} is neither base64 SPKI (one per line) nor PEM\n`,
    );
  });
});

describe('key signing-key', () => {
  const signer = ed25519Signer();

  it('should print the key and its fingerprint and write the base64 key when --out is given', async () => {
    const p = new FakePlatform({ GetSigningPublicKey: () => ok({ PublicKey: signer.publicKey }) });
    const out = join(dir, 'signing.b64');
    expect(await runSteps(steps(['key', 'signing-key', '--out', out, ...CONNECT]), p.context())).toBe(0);
    expect(p.requests).toEqual([{ operation: 'GetSigningPublicKey', body: {} }]);
    expect(JSON.parse(p.out)).toEqual({
      PublicKey: signer.publicKey,
      Fingerprint: publicKeyFingerprint(signer.publicKey),
      SigningKeys: [],
    });
    expect(readFileSync(out, 'utf8')).toBe(`${signer.publicKey}\n`);
  });

  it('should list every member token key and write them all, the signer first, when the domain has several', async () => {
    const second = ed25519Signer();
    const p = new FakePlatform({
      GetSigningPublicKey: () =>
        ok({
          PublicKey: signer.publicKey,
          SigningKeys: [
            { NodeId: 'hsm-1', PublicKey: signer.publicKey },
            { NodeId: 'hsm-2', PublicKey: second.publicKey },
          ],
        }),
    });
    const out = join(dir, 'signing-all.b64');
    expect(await runSteps(steps(['key', 'signing-key', '--out', out, ...CONNECT]), p.context())).toBe(0);
    expect(JSON.parse(p.out)).toMatchObject({
      SigningKeys: [
        { NodeId: 'hsm-1', Fingerprint: publicKeyFingerprint(signer.publicKey) },
        { NodeId: 'hsm-2', Fingerprint: publicKeyFingerprint(second.publicKey) },
      ],
    });
    expect(readFileSync(out, 'utf8')).toBe(`${signer.publicKey}\n${second.publicKey}\n`);
  });

  it('should exit 1 with an InvalidResponse and no file when the answer has no key', async () => {
    const p = new FakePlatform({ GetSigningPublicKey: () => ok({}) });
    const out = join(dir, 'signing.b64');
    expect(await runSteps(steps(['key', 'signing-key', '--out', out, ...CONNECT]), p.context())).toBe(1);
    expect(JSON.parse(p.err)).toEqual({
      __type: 'InvalidResponse',
      message: 'GetSigningPublicKey gave no base64 PublicKey',
    });
    expect(existsSync(out)).toBe(false);
  });
});

describe('key suspend and reinstate', () => {
  let owner: RsaPair;
  let stranger: RsaPair;
  let importPair: RsaPair;
  /** The key material of the key's two versions, as the platform's token holds it. */
  const materials = [randomBytes(32), randomBytes(32)];
  const IMPORT_TOKEN = 'import-token_1';

  beforeAll(async () => {
    [owner, stranger, importPair] = await Promise.all([rsaPair(3072), rsaPair(3072), rsaPair(3072)]);
  }, 120_000);

  /** Plays SuspendKey: wraps each version's material for the public key it is sent. */
  const suspendingPlatform = () =>
    new FakePlatform({
      SuspendKey: (body) => {
        const publicKey = createPublicKey({
          key: Buffer.from(body['PublicKey'] as string, 'base64'),
          format: 'der',
          type: 'spki',
        });
        return ok({
          KeyId: ARN,
          KeyState: 'Suspended',
          WrappingAlgorithm: 'RSAES_OAEP_SHA_1',
          Versions: materials.map((m, i) => ({
            Version: i + 1,
            WrappedKeyMaterial: publicEncrypt({ key: publicKey, ...OAEP_SHA1 }, m).toString('base64'),
          })),
        });
      },
    });

  const writeFile = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  /** A suspend package made by `key suspend` for the owner's key. */
  async function suspendPackage(): Promise<string> {
    const out = join(dir, 'package.json');
    const pub = writeFile('owner.pub.pem', pem.spki(owner.publicKey));
    const p = suspendingPlatform();
    const code = await runSteps(
      steps(['key', 'suspend', '--key-id', KEY_ID, '--public-key', pub, '--out', out, ...CONNECT]),
      p.context(),
    );
    expect(p.err).toBe('');
    expect(code).toBe(0);
    return out;
  }

  it('should send the SPKI of the PEM key and write the package to a new 0600 file when key suspend runs', async () => {
    const out = join(dir, 'package.json');
    const pub = writeFile('owner.pub.pem', pem.pkcs1Public(owner.publicKey));
    const p = suspendingPlatform();
    const code = await runSteps(
      steps(['key', 'suspend', '--key-id', KEY_ID, '--public-key', pub, '--out', out, ...CONNECT]),
      p.context(),
    );
    expect(code).toBe(0);
    expect(p.requests).toEqual([
      {
        operation: 'SuspendKey',
        body: {
          KeyId: KEY_ID,
          PublicKey: owner.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        },
      },
    ]);
    expect(JSON.parse(p.out)).toEqual({ KeyId: ARN, KeyState: 'Suspended', Versions: 2, Package: out });
    const pkg = JSON.parse(readFileSync(out, 'utf8')) as { Versions: { WrappedKeyMaterial: string }[] };
    expect(Object.keys(pkg)).toEqual(['KeyId', 'WrappingAlgorithm', 'Versions']);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const unwrapped = pkg.Versions.map((v) =>
      privateDecrypt({ key: owner.privateKey, ...OAEP_SHA1 }, Buffer.from(v.WrappedKeyMaterial, 'base64')),
    );
    expect(unwrapped).toEqual(materials);
  });

  it('should refuse a 2048-bit key locally, sending nothing and making no file', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pub = writeFile('small.pem', pem.spki(small.publicKey));
    const out = join(dir, 'package.json');
    const p = suspendingPlatform();
    const code = await runSteps(
      steps(['key', 'suspend', '--key-id', KEY_ID, '--public-key', pub, '--out', out, ...CONNECT]),
      p.context(),
    );
    expect(code).toBe(1);
    expect(p.err).toBe(
      `symbolon: --public-key ${pub} is an RSA 2048-bit key: only RSA 3072 or 4096 is accepted\n`,
    );
    expect(p.requests).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it('should exit 2 without suspending when the --out file exists or the key file cannot be read', async () => {
    const pub = writeFile('owner.pub.pem', pem.spki(owner.publicKey));
    const out = writeFile('package.json', 'keep');
    const p = suspendingPlatform();
    const suspendWith = (key: string) =>
      steps(['key', 'suspend', '--key-id', KEY_ID, '--public-key', key, '--out', out, ...CONNECT]);
    expect(await runSteps(suspendWith(pub), p.context())).toBe(2);
    expect(p.err).toContain('it already exists (not overwriting)');
    const missing = join(dir, 'none.pem');
    expect(await runSteps(suspendWith(missing), p.context())).toBe(2);
    expect(p.err).toContain(`cannot read --public-key ${missing}: no such file`);
    expect(p.requests).toEqual([]);
    expect(readFileSync(out, 'utf8')).toBe('keep');
  });

  /** Plays GetParametersForReinstate and ReinstateKey (safe form): unwraps with the import key and records it. */
  function reinstatingPlatform(received: Buffer[]) {
    return new FakePlatform({
      GetParametersForReinstate: () =>
        ok({
          KeyId: ARN,
          PublicKey: importPair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
          ImportToken: IMPORT_TOKEN,
          ParametersValidTo: Date.now() / 1000 + 86400,
          WrappingAlgorithm: 'RSAES_OAEP_SHA_1',
          WrappingKeySpec: 'RSA_3072',
        }),
      ReinstateKey: (body) => {
        if (body['ImportToken'] !== IMPORT_TOKEN) return refused('ValidationException', 'bad token');
        for (const v of body['Versions'] as { WrappedKeyMaterial: string }[]) {
          received.push(
            privateDecrypt(
              { key: importPair.privateKey, ...OAEP_SHA1 },
              Buffer.from(v.WrappedKeyMaterial, 'base64'),
            ),
          );
        }
        return ok({ KeyId: ARN, KeyState: 'Enabled' });
      },
    });
  }

  it('should re-wrap every version for the import key when key reinstate runs in the safe form', async () => {
    const pkgFile = await suspendPackage();
    const priv = writeFile('owner.pem', pem.pkcs8(owner.privateKey));
    const received: Buffer[] = [];
    const p = reinstatingPlatform(received);
    const code = await runSteps(
      steps([
        'key',
        'reinstate',
        '--key-id',
        KEY_ID,
        '--package',
        pkgFile,
        '--private-key',
        priv,
        ...CONNECT,
      ]),
      p.context(),
    );
    expect(p.err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(p.out)).toEqual({ KeyId: ARN, KeyState: 'Enabled' });
    expect(p.operations()).toEqual(['GetParametersForReinstate', 'ReinstateKey']);
    expect(p.requests[0]!.body).toEqual({ KeyId: KEY_ID });
    const sent = p.requests[1]!.body as { Versions: { Version: number }[] };
    expect(Object.keys(sent)).toEqual(['KeyId', 'Versions', 'ImportToken']);
    expect(sent.Versions.map((v) => v.Version)).toEqual([1, 2]);
    expect(received).toEqual(materials);
    expect(JSON.stringify(p.requests)).not.toContain('PRIVATE');
  });

  it('should accept a PKCS#1 private key when key reinstate runs in the safe form', async () => {
    const pkgFile = await suspendPackage();
    const priv = writeFile('owner.pem', pem.pkcs1Private(owner.privateKey));
    const received: Buffer[] = [];
    const p = reinstatingPlatform(received);
    const argv = [
      'key',
      'reinstate',
      '--key-id',
      ARN,
      '--package',
      pkgFile,
      '--private-key',
      priv,
      ...CONNECT,
    ];
    expect(await runSteps(steps(argv), p.context())).toBe(0);
    expect(received).toEqual(materials);
  });

  it('should name the version and send nothing when the package does not decrypt with the private key', async () => {
    const pkgFile = await suspendPackage();
    const priv = writeFile('stranger.pem', pem.pkcs8(stranger.privateKey));
    for (const literal of [[], ['--literal-form']]) {
      const p = reinstatingPlatform([]);
      const argv = ['key', 'reinstate', '--key-id', KEY_ID, '--package', pkgFile, '--private-key', priv];
      const code = await runSteps(steps([...argv, ...literal, ...CONNECT]), p.context());
      expect(code).toBe(1);
      expect(p.err).toBe(
        'symbolon: version 1 of the package does not decrypt with --private-key: the package was made for another key pair, or changed\n',
      );
      expect(p.requests).toEqual([]);
    }
  });

  it('should send nothing when the package is for another key or the private key is encrypted', async () => {
    const pkgFile = await suspendPackage();
    const priv = writeFile('owner.pem', pem.pkcs8(owner.privateKey));
    const p = reinstatingPlatform([]);
    const otherKey = ['key', 'reinstate', '--key-id', OTHER_ARN, '--package', pkgFile, '--private-key', priv];
    expect(await runSteps(steps([...otherKey, ...CONNECT]), p.context())).toBe(1);
    expect(p.err).toBe(
      `symbolon: --package ${pkgFile} is the suspend package of ${ARN}, not of ${OTHER_ARN}\n`,
    );
    const encrypted = writeFile(
      'enc.pem',
      owner.privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'pw',
      }) as string,
    );
    p.err = '';
    const argv = ['key', 'reinstate', '--key-id', KEY_ID, '--package', pkgFile, '--private-key', encrypted];
    expect(await runSteps(steps([...argv, ...CONNECT]), p.context())).toBe(1);
    expect(p.err).toContain(
      `--private-key ${encrypted} is encrypted: encrypted private keys are not accepted`,
    );
    expect(p.requests).toEqual([]);
  });

  it('should send the package as it is with the PKCS#8 private key and warn when --literal-form is given', async () => {
    const pkgFile = await suspendPackage();
    const priv = writeFile('owner.pem', pem.pkcs1Private(owner.privateKey));
    const p = new FakePlatform({ ReinstateKey: () => ok({ KeyId: ARN, KeyState: 'Enabled' }) });
    const argv = ['key', 'reinstate', '--key-id', KEY_ID, '--package', pkgFile, '--private-key', priv];
    const code = await runSteps(steps([...argv, '--literal-form', ...CONNECT]), p.context());
    expect(code).toBe(0);
    expect(p.err).toBe(LITERAL_FORM_WARNING);
    expect(JSON.parse(p.out)).toEqual({ KeyId: ARN, KeyState: 'Enabled' });
    expect(p.operations()).toEqual(['ReinstateKey']);
    const body = p.requests[0]!.body;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { Versions: unknown };
    expect(body).toEqual({
      KeyId: KEY_ID,
      Versions: pkg.Versions,
      LiteralForm: true,
      PrivateKey: expect.any(String),
    });
    const sentKey = createPrivateKey({
      key: Buffer.from(body['PrivateKey'] as string, 'base64'),
      format: 'der',
      type: 'pkcs8',
    });
    expect(sentKey.export({ type: 'pkcs8', format: 'pem' })).toBe(pem.pkcs8(owner.privateKey));
  });

  it('should print the refusal on stderr and exit 1 when ReinstateKey is refused', async () => {
    const pkgFile = await suspendPackage();
    const priv = writeFile('owner.pem', pem.pkcs8(owner.privateKey));
    const p = new FakePlatform({
      GetParametersForReinstate: () => refused('KMSInvalidStateException', 'the key is not Suspended'),
    });
    const argv = ['key', 'reinstate', '--key-id', KEY_ID, '--package', pkgFile, '--private-key', priv];
    expect(await runSteps(steps([...argv, ...CONNECT]), p.context())).toBe(1);
    expect(JSON.parse(p.err)).toEqual({
      __type: 'KMSInvalidStateException',
      message: 'the key is not Suspended',
    });
    expect(p.operations()).toEqual(['GetParametersForReinstate']);
  });

  it('should stop before ReinstateKey when the import key is not RSA', async () => {
    const pkgFile = await suspendPackage();
    const priv = writeFile('owner.pem', pem.pkcs8(owner.privateKey));
    const p = new FakePlatform({
      GetParametersForReinstate: () =>
        ok({ KeyId: ARN, PublicKey: ed25519Signer().publicKey, ImportToken: 't' }),
    });
    const argv = ['key', 'reinstate', '--key-id', KEY_ID, '--package', pkgFile, '--private-key', priv];
    expect(await runSteps(steps([...argv, ...CONNECT]), p.context())).toBe(1);
    expect(JSON.parse(p.err)).toEqual({
      __type: 'InvalidResponse',
      message: 'GetParametersForReinstate gave no base64 SPKI RSA PublicKey',
    });
    expect(p.operations()).toEqual(['GetParametersForReinstate']);
  });
});
