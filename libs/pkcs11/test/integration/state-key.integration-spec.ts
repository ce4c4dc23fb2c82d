// The state-authentication key (HMAC-SHA256 of the node's domain-state file) against real SoftHSM2
// tokens created in a fresh temporary folder.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { activateSoftHsmConf, initSoftHsmToken } from '../../../platform/src/local/softhsm.js';
import { HsmError, type HsmErrorCode, Pkcs11Token, STATE_KEY_LABEL, TokenHsm } from '../../src/index.js';

const LABEL = 'symbolon-it-state';
const OTHER_LABEL = 'symbolon-it-state-2';
const PIN = '246810';
const SO_PIN = '13579111';

let dir: string;
let modulePath: string;
let deactivate: () => void = () => undefined;

function cfg(label = LABEL) {
  return { modulePath, tokenLabel: label, pin: PIN };
}

function codeOf(fn: () => unknown): HsmErrorCode | 'NO_ERROR' | 'NOT_HSM_ERROR' {
  try {
    fn();
    return 'NO_ERROR';
  } catch (err) {
    return err instanceof HsmError ? err.code : 'NOT_HSM_ERROR';
  }
}

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

const state = Buffer.from(
  JSON.stringify({ epoch: 3, members: ['hsm-1', 'hsm-2', 'hsm-3'], operators: ['alice', 'bob'], quorum: 2 }),
);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'symbolon-pkcs11-state-'));
  const t = await initSoftHsmToken({ dir, label: LABEL, pin: PIN, soPin: SO_PIN });
  await initSoftHsmToken({ dir, label: OTHER_LABEL, pin: PIN, soPin: SO_PIN });
  deactivate = activateSoftHsmConf(t.conf);
  modulePath = t.modulePath;
});

afterAll(async () => {
  deactivate();
  await rm(dir, { recursive: true, force: true });
});

describe('TokenHsm state key', () => {
  let token: Pkcs11Token;
  let hsm: TokenHsm;

  beforeAll(() => {
    token = Pkcs11Token.open(cfg());
    hsm = new TokenHsm(token);
  });

  afterAll(() => {
    hsm.close();
  });

  it('should fail with KEY_NOT_FOUND when the token has no state key yet', () => {
    expect(codeOf(() => hsm.macState(state))).toBe('KEY_NOT_FOUND');
    expect(codeOf(() => hsm.verifyStateMac(state, new Uint8Array(32)))).toBe('KEY_NOT_FOUND');
  });

  it('should create one key when ensureStateKey is called twice', () => {
    expect(hsm.ensureStateKey()).toEqual({ created: true });
    expect(hsm.ensureStateKey()).toEqual({ created: false });
    expect(token.findSecretKeys(STATE_KEY_LABEL)).toHaveLength(1);
  });

  it('should make a sensitive, never-extractable 32-byte generic secret that may only sign and verify', () => {
    const [key] = token.findSecretKeys(STATE_KEY_LABEL);
    expect(token.getSecretKeyAttributes(key!)).toEqual({
      label: STATE_KEY_LABEL,
      keyType: 'generic-secret',
      token: true,
      private: true,
      sensitive: true,
      extractable: false,
      alwaysSensitive: true,
      neverExtractable: true,
      wrapWithTrusted: false,
      encrypt: false,
      decrypt: false,
      wrap: false,
      unwrap: false,
      sign: true,
      verify: true,
      derive: false,
      valueLength: 32,
    });
  });

  it('should give a 32-byte MAC that verifies and is the same every time when the data is the same', () => {
    const mac = hsm.macState(state);
    expect(mac).toHaveLength(32);
    expect(hsm.verifyStateMac(state, mac)).toBe(true);
    expect(Buffer.from(hsm.macState(state))).toEqual(Buffer.from(mac));
    expect(Buffer.from(hsm.macState(Buffer.from('another state'))).equals(Buffer.from(mac))).toBe(false);
  });

  it('should answer false when a byte of the data or of the MAC is changed', () => {
    const mac = hsm.macState(state);
    for (const i of [0, 17, state.length - 1]) {
      expect(hsm.verifyStateMac(flip(state, i), mac)).toBe(false);
    }
    for (const i of [0, 15, 31]) {
      expect(hsm.verifyStateMac(state, flip(mac, i))).toBe(false);
    }
    expect(hsm.verifyStateMac(state.subarray(0, state.length - 1), mac)).toBe(false);
    expect(hsm.verifyStateMac(Buffer.concat([state, Buffer.from(' ')]), mac)).toBe(false);
    expect(hsm.verifyStateMac(new Uint8Array(0), mac)).toBe(false);
  });

  it('should answer false when the MAC is truncated, extended or empty', () => {
    const mac = hsm.macState(state);
    expect(hsm.verifyStateMac(state, mac.subarray(0, 31))).toBe(false);
    expect(hsm.verifyStateMac(state, mac.subarray(0, 16))).toBe(false);
    expect(hsm.verifyStateMac(state, Buffer.concat([mac, Buffer.alloc(1)]))).toBe(false);
    expect(hsm.verifyStateMac(state, new Uint8Array(0))).toBe(false);
    expect(hsm.verifyStateMac(state, mac)).toBe(true);
  });

  it('should leave the session usable when a verification fails', () => {
    const mac = hsm.macState(state);
    expect(hsm.verifyStateMac(state, flip(mac, 3))).toBe(false);
    expect(hsm.verifyStateMac(state, mac)).toBe(true);
    expect(hsm.verifyStateMac(flip(state, 3), mac)).toBe(false);
    expect(Buffer.from(hsm.macState(state))).toEqual(Buffer.from(mac));
    expect(hsm.generateRandom(8)).toHaveLength(8);
  });

  it('should MAC and verify empty data when the state is empty', () => {
    const empty = hsm.macState(new Uint8Array(0));
    expect(empty).toHaveLength(32);
    expect(hsm.verifyStateMac(new Uint8Array(0), empty)).toBe(true);
    expect(hsm.verifyStateMac(new Uint8Array(0), flip(empty, 0))).toBe(false);
    expect(hsm.verifyStateMac(new Uint8Array(1), empty)).toBe(false);
    expect(Buffer.from(hsm.macState(new Uint8Array(1))).equals(Buffer.from(empty))).toBe(false);
    // No operation is left active: the next MAC and verification of non-empty data work.
    const mac = hsm.macState(state);
    expect(hsm.verifyStateMac(state, mac)).toBe(true);
  });

  it('should refuse to reveal the key value when CKA_VALUE is read', () => {
    const [key] = token.findSecretKeys(STATE_KEY_LABEL);
    expect(codeOf(() => token.readKeyValue(key!))).toBe('ATTRIBUTE_SENSITIVE');
  });

  it('should refuse with KEY_UNEXTRACTABLE when the key is wrapped out with AES or RSA', () => {
    const [key] = token.findSecretKeys(STATE_KEY_LABEL);
    const kek = token.generateAesKey({
      length: 32,
      usage: 'wrap',
      token: false,
      sensitive: true,
      extractable: false,
    });
    const rsa = token.generateRsaKeyPair({ modulusBits: 3072, token: false });
    try {
      expect(codeOf(() => token.wrapKey(kek, key!, 'rfc3394'))).toBe('KEY_UNEXTRACTABLE');
      expect(codeOf(() => token.wrapKey(kek, key!, 'rfc5649'))).toBe('KEY_UNEXTRACTABLE');
      expect(codeOf(() => token.wrapKeyRsaOaep(rsa.publicKey, key!))).toBe('KEY_UNEXTRACTABLE');
    } finally {
      token.destroy(kek);
      token.destroy(rsa.publicKey);
      token.destroy(rsa.privateKey);
    }
    expect(hsm.verifyStateMac(state, hsm.macState(state))).toBe(true);
  });
});

describe('Pkcs11Token HMAC-SHA256', () => {
  let token: Pkcs11Token;

  beforeAll(() => {
    token = Pkcs11Token.open(cfg(OTHER_LABEL));
  });

  afterAll(() => {
    token.close();
  });

  it('should match node:crypto when the HMAC key has a known value', () => {
    const value = randomBytes(32);
    const key = token.importHmacKey(value);
    try {
      for (const size of [0, 1, 31, 32, 33, 64, 65, 4096, 100_000]) {
        const data = randomBytes(size);
        const expected = createHmac('sha256', value).update(data).digest();
        expect([size, Buffer.from(token.hmacSha256(key, data)).toString('hex')]).toEqual([
          size,
          expected.toString('hex'),
        ]);
        expect([size, token.verifyHmacSha256(key, data, expected)]).toEqual([size, true]);
        expect([size, token.verifyHmacSha256(key, data, flip(expected, 31))]).toEqual([size, false]);
      }
    } finally {
      token.destroy(key);
    }
  });

  it('an HMAC key must not be empty', () => {
    expect(codeOf(() => token.importHmacKey(new Uint8Array(0)))).toBe('DATA_LEN_RANGE');
  });

  it('should fail with KEY_FUNCTION_NOT_PERMITTED and stay usable when an AES-GCM key is used for HMAC', () => {
    const aes = token.importAesKey(randomBytes(32), 'aead');
    const value = randomBytes(32);
    const key = token.importHmacKey(value);
    try {
      expect(codeOf(() => token.hmacSha256(aes, randomBytes(4)))).toBe('KEY_FUNCTION_NOT_PERMITTED');
      expect(codeOf(() => token.verifyHmacSha256(aes, randomBytes(4), new Uint8Array(32)))).toBe(
        'KEY_FUNCTION_NOT_PERMITTED',
      );
      const data = Buffer.from('still works');
      expect(Buffer.from(token.hmacSha256(key, data))).toEqual(
        createHmac('sha256', value).update(data).digest(),
      );
    } finally {
      token.destroy(aes);
      token.destroy(key);
    }
  });
});

describe('TokenHsm state key across tokens and reopen', () => {
  it('should keep the key and give the same MAC when the token is reopened', () => {
    const first = TokenHsm.open(cfg());
    first.ensureStateKey();
    const mac = first.macState(state);
    first.close();
    expect(codeOf(() => first.macState(state))).toBe('SESSION_CLOSED');

    const second = TokenHsm.open(cfg());
    try {
      expect(second.verifyStateMac(state, mac)).toBe(true);
      expect(second.ensureStateKey()).toEqual({ created: false });
      expect(Buffer.from(second.macState(state))).toEqual(Buffer.from(mac));
    } finally {
      second.close();
    }
  });

  it('should give a different MAC on another token when the data is the same', () => {
    const a = TokenHsm.open(cfg());
    const b = TokenHsm.open(cfg(OTHER_LABEL));
    try {
      expect(b.ensureStateKey()).toEqual({ created: true });
      const macA = a.macState(state);
      const macB = b.macState(state);
      expect(Buffer.from(macA).equals(Buffer.from(macB))).toBe(false);
      // A state file authenticated by one node's token does not verify on another's.
      expect(b.verifyStateMac(state, macA)).toBe(false);
      expect(a.verifyStateMac(state, macB)).toBe(false);
      expect(b.verifyStateMac(state, macB)).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  });

  it('should refuse with DEVICE_ERROR when the token holds two state keys', () => {
    const token = Pkcs11Token.open(cfg(OTHER_LABEL));
    const extra = token.generateHmacKey({ token: true, label: STATE_KEY_LABEL });
    const hsm = new TokenHsm(token);
    try {
      expect(codeOf(() => hsm.macState(state))).toBe('DEVICE_ERROR');
      expect(codeOf(() => hsm.verifyStateMac(state, new Uint8Array(32)))).toBe('DEVICE_ERROR');
      expect(codeOf(() => hsm.ensureStateKey())).toBe('DEVICE_ERROR');
      expect(token.findSecretKeys(STATE_KEY_LABEL)).toHaveLength(2);
    } finally {
      token.destroy(extra);
    }
    try {
      expect(hsm.ensureStateKey()).toEqual({ created: false });
      expect(hsm.macState(state)).toHaveLength(32);
    } finally {
      hsm.close();
    }
  });
});
