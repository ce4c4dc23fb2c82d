import { ErrorCodes, KmsError } from '@symbolon/contracts';
import { deserializeEkt, serializeEkt } from '@symbolon/formats';
import { FakeHsm } from '@symbolon/pkcs11';
import { randomBytes } from 'node:crypto';

import type { NodeSettings } from '../hsm.tokens.js';
import { TokenOperationsUseCase } from './token-operations.use-case.js';

const GENERATION = 3;
const NODE: NodeSettings = {
  nodeId: 'hsm-1',
  tokenLabel: 'fake-token',
  domainGeneration: GENERATION,
  member: true,
};
const b64 = (u: Uint8Array | string): string =>
  (typeof u === 'string' ? Buffer.from(u, 'utf8') : Buffer.from(u)).toString('base64');
const AAD = b64('header||context');
const PLAINTEXT = b64('sixteen byte msg and then some');

function setup(generations = [GENERATION]) {
  const hsm = new FakeHsm('fake-token');
  for (const g of generations) hsm.ensureDomainKey(g);
  const ops = new TokenOperationsUseCase(hsm, NODE);
  return { hsm, ops, ekt: ops.generateKey().ekt };
}

function kmsError(fn: () => unknown): KmsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KmsError) return e;
    throw e;
  }
  throw new Error('expected a KmsError');
}

const malformedEkts: [string, string][] = [
  ['empty', ''],
  ['of an unknown version', b64(new Uint8Array([2, 0, 0, 0, 3, 1, ...new Uint8Array(40)]))],
  ['truncated to its header', b64(new Uint8Array([1, 0, 0, 0, 3, 1]))],
  ['of generation zero', b64(new Uint8Array([1, 0, 0, 0, 0, 1, ...new Uint8Array(40)]))],
  ['of an unknown wrap algorithm', b64(new Uint8Array([1, 0, 0, 0, 3, 9, ...new Uint8Array(40)]))],
  ['not whole 8-byte blocks', b64(new Uint8Array([1, 0, 0, 0, 3, 1, ...new Uint8Array(41)]))],
];

describe('TokenOperationsUseCase', () => {
  describe('generateKey', () => {
    it('should answer an EKT of the node domain generation holding 40 wrapped bytes when a key is generated', () => {
      const { ekt } = setup();
      const parsed = deserializeEkt(Buffer.from(ekt, 'base64'));
      expect(parsed).toMatchObject({ version: 1, domainGeneration: GENERATION, algorithm: 1 });
      expect(parsed.wrapped).toHaveLength(40);
    });

    it('should answer a different EKT when called again', () => {
      const { ops, ekt } = setup();
      expect(ops.generateKey().ekt).not.toBe(ekt);
    });

    it('should answer INVALID_STATE when the token lacks the node domain generation', () => {
      const ops = new TokenOperationsUseCase(new FakeHsm(), NODE);
      expect(kmsError(() => ops.generateKey()).code).toBe(ErrorCodes.INVALID_STATE);
    });
  });

  describe('encrypt and decrypt', () => {
    it('should round-trip the plaintext when the AAD is the same', () => {
      const { ops, ekt } = setup();
      const { iv, sealed } = ops.encrypt({ requestId: 'r', ekt, plaintext: PLAINTEXT, aad: AAD });
      expect(Buffer.from(iv, 'base64')).toHaveLength(12);
      expect(Buffer.from(sealed, 'base64')).toHaveLength(Buffer.from(PLAINTEXT, 'base64').length + 16);
      expect(ops.decrypt({ requestId: 'r', ekt, iv, sealed, aad: AAD })).toEqual({ plaintext: PLAINTEXT });
    });

    it('should round-trip an empty plaintext when it is empty', () => {
      const { ops, ekt } = setup();
      const { iv, sealed } = ops.encrypt({ requestId: 'r', ekt, plaintext: '', aad: AAD });
      expect(ops.decrypt({ requestId: 'r', ekt, iv, sealed, aad: AAD })).toEqual({ plaintext: '' });
    });

    it('should use a fresh IV when the same plaintext is encrypted twice', () => {
      const { ops, ekt } = setup();
      const req = { requestId: 'r', ekt, plaintext: PLAINTEXT, aad: AAD };
      expect(ops.encrypt(req).iv).not.toBe(ops.encrypt(req).iv);
    });

    it('should answer INVALID_CIPHERTEXT without the plaintext in the message when the AAD differs', () => {
      const { ops, ekt } = setup();
      const { iv, sealed } = ops.encrypt({ requestId: 'r', ekt, plaintext: PLAINTEXT, aad: AAD });
      const e = kmsError(() => ops.decrypt({ requestId: 'r', ekt, iv, sealed, aad: b64('header||other') }));
      expect(e.code).toBe(ErrorCodes.INVALID_CIPHERTEXT);
      expect(e.message).not.toContain(PLAINTEXT);
      expect(e.message).not.toContain('sixteen');
    });

    it.each([
      ['a flipped ciphertext bit', (s: Buffer) => ((s[0] = s[0]! ^ 1), s)],
      ['a flipped tag bit', (s: Buffer) => ((s[s.length - 1] = s[s.length - 1]! ^ 1), s)],
      ['a truncated tag', (s: Buffer) => s.subarray(0, s.length - 1)],
      ['less than a tag', (s: Buffer) => s.subarray(0, 15)],
    ])('should answer INVALID_CIPHERTEXT when the sealed data has %s', (_, change) => {
      const { ops, ekt } = setup();
      const { iv, sealed } = ops.encrypt({ requestId: 'r', ekt, plaintext: PLAINTEXT, aad: AAD });
      const bad = b64(change(Buffer.from(sealed, 'base64')));
      expect(kmsError(() => ops.decrypt({ requestId: 'r', ekt, iv, sealed: bad, aad: AAD })).code).toBe(
        ErrorCodes.INVALID_CIPHERTEXT,
      );
    });

    it('should answer INVALID_CIPHERTEXT when decrypting under another key of the same token', () => {
      const { ops, ekt } = setup();
      const { iv, sealed } = ops.encrypt({ requestId: 'r', ekt, plaintext: PLAINTEXT, aad: AAD });
      const other = ops.generateKey().ekt;
      expect(kmsError(() => ops.decrypt({ requestId: 'r', ekt: other, iv, sealed, aad: AAD })).code).toBe(
        ErrorCodes.INVALID_CIPHERTEXT,
      );
    });

    it('should answer VALIDATION when the IV is not 12 bytes', () => {
      const { ops, ekt } = setup();
      const { sealed } = ops.encrypt({ requestId: 'r', ekt, plaintext: PLAINTEXT, aad: AAD });
      expect(
        kmsError(() => ops.decrypt({ requestId: 'r', ekt, iv: b64(randomBytes(16)), sealed, aad: AAD })).code,
      ).toBe(ErrorCodes.VALIDATION);
    });
  });

  describe('key tokens', () => {
    it.each(malformedEkts)(
      'should answer INVALID_STATE for encrypt, decrypt and data keys when the EKT is %s',
      (_, ekt) => {
        const { ops } = setup();
        const errors = [
          kmsError(() => ops.encrypt({ requestId: 'r', ekt, plaintext: PLAINTEXT, aad: AAD })),
          kmsError(() =>
            ops.decrypt({
              requestId: 'r',
              ekt,
              iv: b64(randomBytes(12)),
              sealed: b64(randomBytes(32)),
              aad: AAD,
            }),
          ),
          kmsError(() => ops.generateDataKey({ requestId: 'r', ekt, length: 32, aad: AAD })),
        ];
        for (const e of errors) {
          expect(e.code).toBe(ErrorCodes.INVALID_STATE);
          expect(e.message).toBe('the stored key token of this key version is malformed');
        }
      },
    );

    it('should answer INVALID_STATE when the EKT was wrapped by another token domain key', () => {
      const { ops } = setup();
      const foreign = setup().ekt;
      expect(
        kmsError(() => ops.encrypt({ requestId: 'r', ekt: foreign, plaintext: PLAINTEXT, aad: AAD })).code,
      ).toBe(ErrorCodes.INVALID_STATE);
    });

    it('should answer INVALID_STATE when the EKT names a generation the token lacks', () => {
      const { ops, ekt } = setup();
      const parsed = deserializeEkt(Buffer.from(ekt, 'base64'));
      const moved = b64(serializeEkt({ domainGeneration: GENERATION + 1, wrapped: parsed.wrapped }));
      expect(
        kmsError(() => ops.encrypt({ requestId: 'r', ekt: moved, plaintext: PLAINTEXT, aad: AAD })).code,
      ).toBe(ErrorCodes.INVALID_STATE);
    });

    it('should answer INVALID_STATE when a well-formed EKT wraps more than an AES-256 key', () => {
      const { ops } = setup();
      const long = b64(serializeEkt({ domainGeneration: GENERATION, wrapped: randomBytes(48) }));
      expect(
        kmsError(() => ops.encrypt({ requestId: 'r', ekt: long, plaintext: PLAINTEXT, aad: AAD })).code,
      ).toBe(ErrorCodes.INVALID_STATE);
    });
  });

  describe('generateDataKey', () => {
    it.each([[1], [16], [32], [1024]])(
      'should answer a %i-byte data key sealed under the key when asked',
      (length) => {
        const { ops, ekt } = setup();
        const r = ops.generateDataKey({ requestId: 'r', ekt, length, aad: AAD });
        expect(Buffer.from(r.plaintext, 'base64')).toHaveLength(length);
        expect(Buffer.from(r.sealed, 'base64')).toHaveLength(length + 16);
        expect(ops.decrypt({ requestId: 'r', ekt, iv: r.iv, sealed: r.sealed, aad: AAD }).plaintext).toBe(
          r.plaintext,
        );
      },
    );
  });

  describe('generateRandom', () => {
    it.each([[1], [32], [4096]])('should answer %i random bytes when asked', (length) => {
      const { ops } = setup();
      expect(Buffer.from(ops.generateRandom({ requestId: 'r', length }).random, 'base64')).toHaveLength(
        length,
      );
    });

    it('should answer different bytes when asked twice', () => {
      const { ops } = setup();
      expect(ops.generateRandom({ requestId: 'r', length: 32 }).random).not.toBe(
        ops.generateRandom({ requestId: 'r', length: 32 }).random,
      );
    });
  });

  describe('reEncrypt', () => {
    const DEST_AAD = b64('other header||other context');

    function sealedUnderSource() {
      const t = setup();
      const destinationEkt = t.ops.generateKey().ekt;
      const sealed = t.ops.encrypt({ requestId: 'r', ekt: t.ekt, plaintext: PLAINTEXT, aad: AAD });
      return { ...t, destinationEkt, sealed };
    }

    it('should answer a ciphertext under the destination key and its AAD without the plaintext', () => {
      const t = sealedUnderSource();
      const r = t.ops.reEncrypt({
        requestId: 'r',
        sourceEkt: t.ekt,
        iv: t.sealed.iv,
        sealed: t.sealed.sealed,
        sourceAad: AAD,
        destinationEkt: t.destinationEkt,
        destinationAad: DEST_AAD,
      });
      expect(Object.keys(r).sort()).toEqual(['iv', 'sealed']);
      expect(JSON.stringify(r)).not.toContain(PLAINTEXT);
      const opened = t.ops.decrypt({ requestId: 'r', ekt: t.destinationEkt, ...r, aad: DEST_AAD });
      expect(opened.plaintext).toBe(PLAINTEXT);
      expect(() => t.ops.decrypt({ requestId: 'r', ekt: t.ekt, ...r, aad: DEST_AAD })).toThrow(KmsError);
    });

    it('should answer INVALID_CIPHERTEXT when the source AAD differs', () => {
      const t = sealedUnderSource();
      const e = kmsError(() =>
        t.ops.reEncrypt({
          requestId: 'r',
          sourceEkt: t.ekt,
          iv: t.sealed.iv,
          sealed: t.sealed.sealed,
          sourceAad: DEST_AAD,
          destinationEkt: t.destinationEkt,
          destinationAad: DEST_AAD,
        }),
      );
      expect(e.code).toBe(ErrorCodes.INVALID_CIPHERTEXT);
    });

    it.each(malformedEkts)('should answer INVALID_STATE when the destination EKT is %s', (_, bad) => {
      const t = sealedUnderSource();
      const e = kmsError(() =>
        t.ops.reEncrypt({
          requestId: 'r',
          sourceEkt: t.ekt,
          iv: t.sealed.iv,
          sealed: t.sealed.sealed,
          sourceAad: AAD,
          destinationEkt: bad,
          destinationAad: DEST_AAD,
        }),
      );
      expect(e.code).toBe(ErrorCodes.INVALID_STATE);
    });
  });

  describe('destroyKey', () => {
    it('should evict the used key versions from the token cache and count them', () => {
      const t = setup();
      const unused = t.ops.generateKey().ekt;
      t.ops.encrypt({ requestId: 'r', ekt: t.ekt, plaintext: PLAINTEXT, aad: AAD });
      expect(t.ops.health().cachedKeys).toBe(1);
      expect(t.ops.destroyKey({ requestId: 'r', ekts: [t.ekt, unused] })).toEqual({ evicted: 1 });
      expect(t.ops.health().cachedKeys).toBe(0);
      expect(t.ops.destroyKey({ requestId: 'r', ekts: [t.ekt] })).toEqual({ evicted: 0 });
    });

    it('should skip malformed EKTs and still evict the others', () => {
      const t = setup();
      t.ops.encrypt({ requestId: 'r', ekt: t.ekt, plaintext: PLAINTEXT, aad: AAD });
      const ekts = [...malformedEkts.map(([, e]) => e), t.ekt];
      expect(t.ops.destroyKey({ requestId: 'r', ekts })).toEqual({ evicted: 1 });
    });
  });

  describe('health', () => {
    it('should report node, token, generation and ok when the token is open', () => {
      const { ops } = setup();
      expect(ops.health()).toEqual({
        nodeId: 'hsm-1',
        tokenLabel: 'fake-token',
        ok: true,
        domainGeneration: GENERATION,
        cachedKeys: 0,
        ready: true,
      });
    });

    it('should report not ready when the node is not a member of a domain yet', () => {
      const hsm = new FakeHsm('fake-token');
      hsm.ensureDomainKey(GENERATION);
      const ops = new TokenOperationsUseCase(hsm, { ...NODE, member: false });
      expect(ops.health()).toMatchObject({ ok: true, ready: false });
    });

    it('should report not ready when the token holds no key of the active generation', () => {
      const { hsm, ops } = setup();
      hsm.destroyDomainKey(GENERATION);
      expect(ops.health()).toMatchObject({ ok: true, ready: false });
    });

    it('should report not ok and answer HSM_UNAVAILABLE for operations when the token is closed', () => {
      const { hsm, ops } = setup();
      hsm.close();
      expect(ops.health().ok).toBe(false);
      expect(kmsError(() => ops.generateRandom({ requestId: 'r', length: 8 })).code).toBe(
        ErrorCodes.HSM_UNAVAILABLE,
      );
    });
  });
});

describe('TokenOperationsUseCase.rewrap', () => {
  it('should move every EKT of an older generation to the active one, leave the others, and keep them decrypting', async () => {
    const hsm = new FakeHsm('fake-token');
    hsm.ensureDomainKey(1);
    hsm.ensureDomainKey(2);
    const node: NodeSettings = { ...NODE, domainGeneration: 1 };
    const ops = new TokenOperationsUseCase(hsm, node);
    const old = Array.from({ length: 60 }, () => ops.generateKey().ekt);
    const sealed = ops.encrypt({ requestId: 'r', ekt: old[0]!, plaintext: PLAINTEXT, aad: AAD });
    node.domainGeneration = 2;
    const current = ops.generateKey().ekt;

    const r = await ops.rewrap({ requestId: 'r', ekts: [...old, current] });

    expect(r.domainGeneration).toBe(2);
    expect(r.ekts.map((e) => deserializeEkt(Buffer.from(e, 'base64')).domainGeneration)).toEqual(
      Array.from({ length: 61 }, () => 2),
    );
    expect(r.ekts[60]).toBe(current);
    hsm.destroyDomainKey(1);
    expect(ops.decrypt({ requestId: 'r', ekt: r.ekts[0]!, ...sealed, aad: AAD }).plaintext).toBe(PLAINTEXT);
    expect(kmsError(() => ops.decrypt({ requestId: 'r', ekt: old[0]!, ...sealed, aad: AAD })).code).toBe(
      ErrorCodes.INVALID_STATE,
    );
  });
});
