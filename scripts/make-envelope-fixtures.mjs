#!/usr/bin/env node
// Writes the committed envelope v1 fixtures ONCE: libs/formats/test-vectors/envelopes-v1.json and the envelope files
// in libs/formats/test-vectors/envelopes-v1/. They are bytes from the past that every later reader must still
// decrypt (libs/sdk/src/core/fixtures.spec.ts); the test never runs this script. Envelopes take random ids, IVs and
// salts, so running it again gives other bytes: it refuses to overwrite existing fixtures unless given --overwrite,
// which is only right before the fixtures were ever committed.
//
// Usage: node scripts/make-envelope-fixtures.mjs [--overwrite], then npx prettier --write on the JSON.
//
// TEST-ONLY KEYS: every key below is derived from a public label and written in the clear into the JSON. The `kms`
// authorities are FixtureKms (libs/sdk/src/core/fixture-kms.test-helper.ts), an INSECURE TEST DOUBLE of a KMS key.
//
// The SDK is TypeScript: this script bundles the SDK core and the test helper with esbuild into .tmp/ (git-ignored)
// and imports the bundle, so the fixtures are written by the same code a reader runs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { build } from 'esbuild';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const vectorsDir = join(root, 'libs/formats/test-vectors');
const jsonPath = join(vectorsDir, 'envelopes-v1.json');
const filesDir = join(vectorsDir, 'envelopes-v1');

if (existsSync(jsonPath) && !process.argv.includes('--overwrite')) {
  console.error(
    `${jsonPath} exists. Committed fixtures must never be regenerated: readers must keep decrypting the old bytes.\n` +
      'Pass --overwrite only if these fixtures were never committed.',
  );
  process.exit(1);
}

// ---- the SDK, bundled from source ----
const bundlePath = join(root, '.tmp/make-envelope-fixtures.bundle.mjs');
mkdirSync(join(root, '.tmp'), { recursive: true });
await build({
  stdin: {
    contents: [
      "export { encryptEnvelope, decryptEnvelope, inspectEnvelope } from './libs/sdk/src/core/envelope.ts';",
      "export { customerKeyId } from './libs/sdk/src/core/customer-key.ts';",
      "export { fixtureAuthorities } from './libs/sdk/src/core/fixture-kms.test-helper.ts';",
    ].join('\n'),
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  tsconfig: join(root, 'tsconfig.json'),
  outfile: bundlePath,
  logLevel: 'warning',
});
const sdk = await import(pathToFileURL(bundlePath).href);

// ---- test-only authorities ----
const sha256 = (bytes) => createHash('sha256').update(bytes).digest();
const testKey = (id) =>
  sha256(Buffer.from(`symbolon envelope-v1 fixture TEST-ONLY key ${id}`, 'utf8')).toString('hex');

const authorities = [
  {
    id: 'kms-managed',
    type: 'kms',
    keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/f1c7e5a0-0001-4000-8000-00000000f1c7',
  },
  {
    id: 'kms-second',
    type: 'kms',
    keyArn: 'arn:aws:kms:us-east-2:444455556666:key/f1c7e5a0-0002-4000-8000-00000000f1c7',
  },
  { id: 'customer-alice', type: 'customer-key' },
  { id: 'customer-bob', type: 'customer-key' },
];
for (const a of authorities) {
  a.testOnlyKeyHex = testKey(a.id);
  if (a.type === 'customer-key') a.keyId = await sdk.customerKeyId(Buffer.from(a.testOnlyKeyHex, 'hex'));
}
const readers = await sdk.fixtureAuthorities(authorities);

// ---- plaintexts: a seeded generator, so large ones are not stored ----
const PLAINTEXT_GENERATOR =
  'plaintext(seed, length) = the first `length` bytes of SHA-256(UTF-8(seed) || uint32be(0)) || ' +
  'SHA-256(UTF-8(seed) || uint32be(1)) || SHA-256(UTF-8(seed) || uint32be(2)) || ...';
function plaintext(seed, length) {
  const blocks = [];
  for (let i = 0; i * 32 < length; i++) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(i);
    blocks.push(sha256(Buffer.concat([Buffer.from(seed, 'utf8'), counter])));
  }
  return Buffer.concat(blocks).subarray(0, length);
}

// ---- the fixtures: every scheme of docs/formats/envelope-v1.md, "Schemes as recipes" ----
const backup = { purpose: 'backup', tenant: 'acme' };
// Keys whose UTF-16 order differs from their UTF-8 order, and non-ASCII values: canonical JSON must keep this order.
const unicode = {
  'r\u00e9gion': '\u00eele-de-France',
  '\u{1F600}': 'astral',
  '\uFF61': 'halfwidth',
  Zeta: 'upper',
};

const specs = [
  [
    'managed-then-customer',
    'managed-then-customer',
    { chain: ['kms-managed', 'customer-alice'] },
    [
      [0, {}],
      [16384, backup],
    ],
  ],
  [
    'customer-then-managed',
    'customer-then-managed',
    { chain: ['customer-alice', 'kms-managed'] },
    [
      [1, backup],
      [40000, {}],
    ],
  ],
  [
    'two-providers-key-wrapped',
    'two providers (key wrapped)',
    { chain: ['kms-managed', 'kms-second'] },
    [
      [0, unicode],
      [16384, {}],
    ],
  ],
  [
    'two-providers-body-wrapped',
    'two providers (body wrapped)',
    { chain: ['kms-second'] },
    [
      [1, {}],
      [40000, backup],
    ],
    { chain: ['kms-managed'] },
  ],
  [
    'split-key',
    'split key',
    { split: [{ chain: ['customer-alice'] }, { chain: ['kms-managed'] }] },
    [
      [0, backup],
      [16384, {}],
    ],
  ],
  [
    'chain-of-3',
    'N authorities: a chain of 3',
    { chain: ['customer-alice', 'kms-managed', 'customer-bob'] },
    [
      [1, {}],
      [40000, unicode],
    ],
  ],
  [
    'split-of-3-chains',
    'N authorities: a split of 3 chains, one a 2-chain',
    {
      split: [
        { chain: ['customer-alice'] },
        { chain: ['kms-managed', 'customer-bob'] },
        { chain: ['kms-second'] },
      ],
    },
    [
      [0, {}],
      [40000, backup],
    ],
  ],
];

const sum = (bytes) => sha256(bytes).toString('hex');
mkdirSync(filesDir, { recursive: true });
const fixtures = [];
for (const [slug, scheme, recipe, sizes, innerRecipe] of specs) {
  for (const [length, context] of sizes) {
    const name = `${slug}-${length}`;
    const seed = `symbolon envelope-v1 fixture ${name}`;
    const data = plaintext(seed, length);
    let inner;
    let outerPlaintext = data;
    if (innerRecipe) {
      // The body wrapped twice: the outer envelope's plaintext is a whole envelope, under the other provider.
      const innerBytes = await sdk.encryptEnvelope(data, {
        scheme: innerRecipe,
        authorities: readers,
        context,
      });
      const back = await sdk.decryptEnvelope(innerBytes, { authorities: readers, expect: {} });
      if (sum(back) !== sum(data)) throw new Error(`${name}: the inner envelope does not decrypt`);
      inner = {
        recipe: innerRecipe,
        context,
        headerLength: sdk.inspectEnvelope(innerBytes).bodyOffset,
        envelopeLength: innerBytes.length,
        envelopeSha256: sum(innerBytes),
      };
      outerPlaintext = Buffer.from(innerBytes);
    }
    const envelope = await sdk.encryptEnvelope(outerPlaintext, {
      scheme: recipe,
      authorities: readers,
      context,
    });
    const back = await sdk.decryptEnvelope(envelope, { authorities: readers, expect: {} });
    if (sum(back) !== sum(outerPlaintext)) throw new Error(`${name}: the envelope does not decrypt`);
    const file = `envelopes-v1/${name}.syme`;
    writeFileSync(join(vectorsDir, file), envelope);
    fixtures.push({
      name,
      scheme,
      file,
      recipe,
      context,
      headerLength: sdk.inspectEnvelope(envelope).bodyOffset,
      envelopeLength: envelope.length,
      envelopeSha256: sum(envelope),
      ...(inner ? { inner } : {}),
      plaintext: { seed, length, sha256: sum(data) },
    });
  }
}

const out = {
  description:
    'Committed envelope fixtures, format version 1 (docs/formats/envelope-v1.md, "Fixtures"): one per scheme of the ' +
    'specification and plaintext size, written once by scripts/make-envelope-fixtures.mjs. Every later SDK must ' +
    'still decrypt them (libs/sdk/src/core/fixtures.spec.ts); they must never be regenerated nor edited. `recipe` ' +
    'is the scheme by authority id; `inner` (two providers, body wrapped) describes the envelope that is the ' +
    "outer one's plaintext; `plaintext` is that of the innermost envelope.",
  warning:
    'TEST-ONLY KEYS: every key in this file is published; never use any of them to protect anything. The kms ' +
    'authorities are NOT a KMS: they are FixtureKms (libs/sdk/src/core/fixture-kms.test-helper.ts), an INSECURE ' +
    'TEST DOUBLE that wraps with AES-256-GCM under testOnlyKeyHex (wrapped = IV || ciphertext || tag, AAD = ' +
    "bindingAad(binding)); the header records what a real KMS key's would (type and keyArn).",
  format: 'symbolon-envelope',
  version: 1,
  generatedBy: 'scripts/make-envelope-fixtures.mjs',
  generatedOn: new Date().toISOString().slice(0, 10),
  plaintextGenerator: PLAINTEXT_GENERATOR,
  authorities,
  fixtures,
};
writeFileSync(jsonPath, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${fixtures.length} fixtures to ${jsonPath}`);
// Sanity: what was written reads back.
JSON.parse(readFileSync(jsonPath, 'utf8'));
