import { nodeCryptoPath } from './node-path.js';
import { type AeadPath, RefusedError, type WycheproofPath } from './paths.js';
import { classify, formatReportTable, runAeadFile, runKeyWrapFile } from './runner.js';
import { type AeadVector, loadAeadVectors, loadKeyWrapVectors, type VectorFile } from './vectors.js';

const gcm = loadAeadVectors('aes_gcm_test.json');
const node = nodeCryptoPath();

function only(file: VectorFile<AeadVector>, tcIds: number[]): VectorFile<AeadVector> {
  return { ...file, vectors: file.vectors.filter((v) => tcIds.includes(v.tcId)) };
}

function withGcm(aesGcm: AeadPath): WycheproofPath {
  return { name: 'broken', aesGcm };
}

const real = node.aesGcm!;
// tcId 1: valid, 12-byte IV. tcId 41: invalid (modified tag), 12-byte IV. tcId 68: valid, 8-byte IV.
const sample = only(gcm, [1, 41, 68]);

describe('Wycheproof loader', () => {
  it('should load every vector when the files are read', () => {
    expect(gcm.vectors).toHaveLength(316);
    expect(loadKeyWrapVectors('aes_wrap_test.json').vectors).toHaveLength(165);
    expect(loadKeyWrapVectors('aes_kwp_test.json').vectors).toHaveLength(254);
    expect(sample.vectors.map((v) => [v.tcId, v.result, v.iv.length])).toEqual([
      [1, 'valid', 12],
      [41, 'invalid', 12],
      [68, 'valid', 8],
    ]);
  });
});

describe('Wycheproof runner', () => {
  it('should pass, reject and refuse when the path is correct', async () => {
    const r = await runAeadFile(sample, node);
    expect(r.counts).toEqual({ passed: 1, rejected: 1, refused: 1, acceptable: 0, failed: 0 });
  });

  it('should fail a vector when the path returns a wrong ciphertext', async () => {
    const r = await runAeadFile(
      sample,
      withGcm({
        ...real,
        encrypt: async (...a) => (await real.encrypt(...a)).map((b, i) => (i === 0 ? b ^ 1 : b)),
      }),
    );
    expect(r.failures).toEqual(['aes_gcm_test.json broken tcId 1: encrypt: wrong output']);
  });

  it('should fail a vector when the path accepts a modified tag', async () => {
    const r = await runAeadFile(sample, withGcm({ ...real, decrypt: async () => new Uint8Array(0) }));
    expect(r.failures).toContain('aes_gcm_test.json broken tcId 41: decrypt: accepted an invalid vector');
  });

  it('should fail a vector when the path refuses parameters it declared supported', async () => {
    const r = await runAeadFile(
      sample,
      withGcm({
        ...real,
        decrypt: async () => {
          throw new RefusedError('surprise');
        },
      }),
    );
    expect(r.failures).toContain(
      'aes_gcm_test.json broken tcId 1: decrypt: refused parameters it declared supported',
    );
  });

  it('should fail a vector when the path declared parameters unsupported but did not refuse them', async () => {
    const r = await runAeadFile(
      sample,
      withGcm({ ...real, supports: (p) => p.ivLength === 12 && p.keyLength === 99 }),
    );
    expect(r.failures).toContain(
      'aes_gcm_test.json broken tcId 1: encrypt: declared unsupported but did not refuse',
    );
  });

  it('should count acceptable vectors separately when either outcome is correct', () => {
    const ok = { kind: 'ok' as const, value: new Uint8Array([1]) };
    const dirs = [
      {
        name: 'wrap',
        supported: true,
        result: { kind: 'error' as const },
        expected: new Uint8Array([1]),
        mustReject: true,
      },
      { name: 'unwrap', supported: true, result: ok, expected: new Uint8Array([1]), mustReject: true },
    ];
    expect(classify('acceptable', dirs)).toEqual({ outcome: 'acceptable' });
    expect(classify('acceptable', [{ ...dirs[1]!, expected: new Uint8Array([2]) }])).toEqual({
      outcome: 'failed',
      reason: 'unwrap: wrong output',
    });
  });

  it('should report not offered when the path lacks the primitive', async () => {
    const r = await runKeyWrapFile(loadKeyWrapVectors('aes_kwp_test.json'), { name: 'none' }, 'aesKwp');
    expect(r.offered).toBe(false);
    expect(formatReportTable([r])).toContain('| aes_kwp_test.json | none | not offered |');
  });
});
