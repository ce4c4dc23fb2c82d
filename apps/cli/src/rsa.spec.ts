import { SUSPEND_WRAPPING_ALGORITHM } from '@symbolon/contracts';
import {
  constants,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';

import {
  readRsaPrivateKey,
  readRsaPublicKey,
  readSuspendPackage,
  spkiBase64,
  unwrapPackage,
  wrapFor,
  zero,
} from './rsa.js';
import { type RsaPair, pem, rsaPair } from './steps.test-helper.js';
import { LocalError } from './steps.js';

const OAEP_SHA1 = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' } as const;

let owner: RsaPair;
let other: RsaPair;
let large: RsaPair;

beforeAll(async () => {
  [owner, other, large] = await Promise.all([rsaPair(3072), rsaPair(3072), rsaPair(4096)]);
}, 120_000);

function expectLocalError(f: () => unknown, message: string): void {
  expect(f).toThrow(LocalError);
  expect(f).toThrow(message);
}

describe('readRsaPublicKey', () => {
  it('should give the same SPKI when the key is PEM SubjectPublicKeyInfo or PKCS#1', () => {
    const spki = spkiBase64(owner.publicKey);
    expect(spkiBase64(readRsaPublicKey(pem.spki(owner.publicKey), 'k'))).toBe(spki);
    expect(spkiBase64(readRsaPublicKey(pem.pkcs1Public(owner.publicKey), 'k'))).toBe(spki);
    expect(pem.pkcs1Public(owner.publicKey)).toContain('-----BEGIN RSA PUBLIC KEY-----');
  });

  it('should accept the key when it has 4096 bits', () => {
    expect(readRsaPublicKey(pem.spki(large.publicKey), 'k').asymmetricKeyDetails?.modulusLength).toBe(4096);
  });

  it('should refuse the key with its size when it has 2048 bits', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expectLocalError(
      () => readRsaPublicKey(pem.spki(small.publicKey), '--public-key k.pem'),
      '--public-key k.pem is an RSA 2048-bit key: only RSA 3072 or 4096 is accepted',
    );
  });

  it('should refuse the key when it is not RSA', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expectLocalError(
      () => readRsaPublicKey(pem.spki(ec.publicKey), 'k'),
      'k is not an RSA key (it is ec): use RSA 3072 or 4096',
    );
  });

  it('should refuse the PEM when it holds a private key, no PEM or a damaged one', () => {
    expectLocalError(
      () => readRsaPublicKey(pem.pkcs8(owner.privateKey), 'k'),
      'k holds a private key: give its public key (openssl pkey -pubout)',
    );
    expectLocalError(() => readRsaPublicKey('not a key', 'k'), 'k is not a PEM public key');
    const damaged = pem.spki(owner.publicKey).replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!');
    expectLocalError(() => readRsaPublicKey(damaged, 'k'), 'k is not a valid PEM PUBLIC KEY');
  });
});

describe('readRsaPrivateKey', () => {
  it('should read the key when it is PEM PKCS#8 or PKCS#1', () => {
    const spki = spkiBase64(owner.publicKey);
    for (const text of [pem.pkcs8(owner.privateKey), pem.pkcs1Private(owner.privateKey)]) {
      const key = readRsaPrivateKey(text, 'k');
      expect(key.type).toBe('private');
      expect(spkiBase64(createPublicKey(key))).toBe(spki);
    }
  });

  it('should refuse the key and say so when the PEM is encrypted', () => {
    const pkcs8 = owner.privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pw',
    }) as string;
    const pkcs1 = owner.privateKey.export({
      type: 'pkcs1',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pw',
    }) as string;
    expect(pkcs1).toContain('Proc-Type: 4,ENCRYPTED');
    for (const text of [pkcs8, pkcs1]) {
      expectLocalError(
        () => readRsaPrivateKey(text, '--private-key k.pem'),
        '--private-key k.pem is encrypted: encrypted private keys are not accepted',
      );
    }
  });

  it('should refuse the key when it is a public key or too small', () => {
    expectLocalError(() => readRsaPrivateKey(pem.spki(owner.publicKey), 'k'), 'k is not a PEM private key');
    const small = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expectLocalError(() => readRsaPrivateKey(pem.pkcs8(small.privateKey), 'k'), 'k is an RSA 2048-bit key');
  });
});

describe('readSuspendPackage', () => {
  const wrapped = Buffer.alloc(384, 7).toString('base64');
  const good = {
    KeyId: 'arn:aws:kms:us-east-1:123456789012:key/k1',
    WrappingAlgorithm: SUSPEND_WRAPPING_ALGORITHM,
    Versions: [{ Version: 1, WrappedKeyMaterial: wrapped }],
  };

  it('should give the package when every field is there', () => {
    expect(readSuspendPackage(good, 'p')).toEqual(good);
  });

  it('should throw a LocalError naming the defect when a field is missing or wrong', () => {
    const cases: [unknown, string][] = [
      [[good], 'p is not a JSON object'],
      [{ ...good, KeyId: undefined }, 'p has no KeyId'],
      [{ ...good, WrappingAlgorithm: 'RSAES_OAEP_SHA_256' }, 'p: WrappingAlgorithm must be RSAES_OAEP_SHA_1'],
      [{ ...good, Versions: [] }, 'p has no Versions'],
      [{ ...good, Versions: [{ WrappedKeyMaterial: wrapped }] }, 'p: Versions[0] has no Version'],
      [{ ...good, Versions: [{ Version: 0, WrappedKeyMaterial: wrapped }] }, 'p: Versions[0] has no Version'],
      [
        { ...good, Versions: [{ Version: 3, WrappedKeyMaterial: 'not base64!' }] },
        'p: version 3 has no base64 WrappedKeyMaterial',
      ],
    ];
    for (const [value, message] of cases) expectLocalError(() => readSuspendPackage(value, 'p'), message);
  });
});

describe('unwrapPackage', () => {
  const wrap = (pair: RsaPair, material: Buffer) =>
    publicEncrypt({ key: pair.publicKey, ...OAEP_SHA1 }, material).toString('base64');

  it('should give every version its 32 bytes when the package was made for the key pair', () => {
    const keys = [randomBytes(32), randomBytes(32)];
    const versions = keys.map((k, i) => ({ Version: i + 1, WrappedKeyMaterial: wrap(owner, k) }));
    const materials = unwrapPackage(versions, owner.privateKey);
    expect(materials).toEqual(keys);
    zero(materials);
    expect(materials.every((m) => m.every((b) => b === 0))).toBe(true);
  });

  it('should name the version when one was wrapped for another key pair', () => {
    const versions = [
      { Version: 1, WrappedKeyMaterial: wrap(owner, randomBytes(32)) },
      { Version: 2, WrappedKeyMaterial: wrap(other, randomBytes(32)) },
    ];
    expectLocalError(
      () => unwrapPackage(versions, owner.privateKey),
      'version 2 of the package does not decrypt with --private-key',
    );
  });

  it('should name the version when it does not hold a 32-byte key', () => {
    const versions = [{ Version: 4, WrappedKeyMaterial: wrap(owner, randomBytes(16)) }];
    expectLocalError(
      () => unwrapPackage(versions, owner.privateKey),
      'version 4 of the package holds 16 bytes, not a 32-byte key',
    );
  });
});

describe('wrapFor', () => {
  it('should wrap with RSAES-OAEP SHA-1 when given a public key', () => {
    const material = randomBytes(32);
    const wrapped = Buffer.from(wrapFor(other.publicKey, material), 'base64');
    expect(wrapped).toHaveLength(384);
    expect(privateDecrypt({ key: other.privateKey, ...OAEP_SHA1 }, wrapped)).toEqual(material);
  });
});
