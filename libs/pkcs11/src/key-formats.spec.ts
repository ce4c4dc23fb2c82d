import { generateKeyPairSync } from 'node:crypto';

import { HsmError } from './errors.js';
import { ed25519PointFromEcPoint, ed25519Spki, parseRsaPublicKey, rsaSpki } from './key-formats.js';

describe('key formats', () => {
  it('should read the Ed25519 point when CKA_EC_POINT is a DER OCTET STRING or the raw 32 bytes', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const der = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    const point = der.subarray(12);
    expect(ed25519PointFromEcPoint(Buffer.concat([Buffer.from([0x04, 0x20]), point]))).toEqual(point);
    expect(ed25519PointFromEcPoint(point)).toEqual(point);
    expect(ed25519Spki(point)).toEqual(der);
  });

  it('should refuse with DEVICE_ERROR when CKA_EC_POINT has another shape', () => {
    for (const bad of [
      new Uint8Array(31),
      new Uint8Array(34),
      Buffer.concat([Buffer.from([0x03, 0x20]), new Uint8Array(32)]),
    ]) {
      expect(() => ed25519PointFromEcPoint(bad)).toThrow(HsmError);
    }
  });

  it('should give back the same SPKI when an RSA public key is parsed and rebuilt', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const der = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
    const parsed = parseRsaPublicKey(der);
    expect(parsed.modulusBits).toBe(3072);
    expect(parsed.n).toHaveLength(384);
    expect(Buffer.from(parsed.e).toString('hex')).toBe('010001');
    expect(rsaSpki(parsed.n, parsed.e)).toEqual(der);
  });
});
