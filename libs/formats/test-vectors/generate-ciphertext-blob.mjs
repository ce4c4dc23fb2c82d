// Generates ciphertext-blob.json once, with node:crypto and a layout written here independently of src/, so that the
// spec (src/ciphertext-blob/test-vectors.spec.ts) compares the library against a second implementation.
// Inputs are fixed, so running it again gives the same file: `node libs/formats/test-vectors/generate-ciphertext-blob.mjs`.
// The keys here are published test keys: never use them for anything else.
import { createCipheriv } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const u16 = (n) => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

function canonicalContext(context) {
  const entries = Object.entries(context).map(([k, v]) => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')]);
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  return Buffer.concat([
    u16(entries.length),
    ...entries.flatMap(([k, v]) => [u16(k.length), k, u16(v.length), v]),
  ]);
}

const inputs = [
  {
    name: 'empty plaintext, empty context',
    keyHex: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    keyId: '00000000-0000-4000-8000-000000000001',
    keyVersion: 1,
    ivHex: '000000000000000000000000',
    plaintext: Buffer.alloc(0),
    encryptionContext: {},
  },
  {
    name: 'short ASCII plaintext, one context entry',
    keyHex: '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4',
    keyId: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
    keyVersion: 7,
    ivHex: 'cafebabefacedbaddecaf888',
    plaintext: Buffer.from('Symbolon test vector 2', 'utf8'),
    encryptionContext: { tenant: 'acme' },
  },
  {
    name: 'context whose UTF-8 order differs from its UTF-16 order',
    keyHex: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308',
    keyId: '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    keyVersion: 0x01020304,
    ivHex: '9313225df88406e555909c5a',
    plaintext: Buffer.from('snowman \u2603, grinning face \u{1F600}', 'utf8'),
    encryptionContext: {
      '\u{1F600}': 'astral',
      '\uFF61': 'halfwidth',
      Zeta: 'upper',
      alpha: 'lower',
      '': 'empty key',
    },
  },
  {
    name: 'largest plaintext (4096 bytes), largest key version',
    keyHex: '4c8ebfe1444ec1b2d503c6986659af2c94fafe945f72c1e8486a5acfedb8a0f8',
    keyId: 'ffffffff-ffff-4fff-bfff-ffffffffffff',
    keyVersion: 0xffffffff,
    ivHex: 'ffffffffffffffffffffffff',
    plaintext: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) & 0xff)),
    encryptionContext: { bucket: 'b1', object: 'path/to/object.bin', purpose: 'storage' },
  },
];

const vectors = inputs.map((input) => {
  const key = Buffer.from(input.keyHex, 'hex');
  const iv = Buffer.from(input.ivHex, 'hex');
  const header = Buffer.concat([
    Buffer.from([0x01]),
    Buffer.from(input.keyId.replaceAll('-', ''), 'hex'),
    u32(input.keyVersion),
  ]);
  const aad = Buffer.concat([header, canonicalContext(input.encryptionContext)]);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(input.plaintext), cipher.final()]);
  const blob = Buffer.concat([header, iv, ciphertext, cipher.getAuthTag()]);
  return {
    name: input.name,
    keyHex: input.keyHex,
    keyId: input.keyId,
    keyVersion: input.keyVersion,
    ivHex: input.ivHex,
    plaintextHex: input.plaintext.toString('hex'),
    encryptionContext: input.encryptionContext,
    aadHex: aad.toString('hex'),
    blobHex: blob.toString('hex'),
  };
});

const file = {
  description:
    'Known-answer vectors for the Symbolon KMS ciphertext blob, version 1 (docs/formats/ciphertext-blob.md). ' +
    'AES-256-GCM with a 12-byte IV and a 16-byte tag; AAD = header || canonical encryption context. ' +
    'The keys are published test keys.',
  format: 'symbolon-kms-ciphertext-blob',
  version: 1,
  vectors,
};
writeFileSync(new URL('./ciphertext-blob.json', import.meta.url), JSON.stringify(file, null, 2) + '\n');
console.log(`wrote ${vectors.length} vectors`);
