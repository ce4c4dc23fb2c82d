// CKA_ID on AES keys (generated or imported as token objects), against a real SoftHSM2 token in a temporary folder.
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { activateSoftHsmConf, initSoftHsmToken } from '../../../platform/src/local/softhsm.js';
import { Pkcs11Token } from '../../src/index.js';

const LABEL = 'symbolon-it-key-id';
const PIN = '246810';

let dir: string;
let token: Pkcs11Token;
let deactivate: () => void = () => undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'symbolon-pkcs11-id-'));
  const t = await initSoftHsmToken({ dir, label: LABEL, pin: PIN, soPin: '13579111' });
  deactivate = activateSoftHsmConf(t.conf);
  token = Pkcs11Token.open({ modulePath: t.modulePath, tokenLabel: LABEL, pin: PIN });
});

afterAll(async () => {
  token.close();
  deactivate();
  await rm(dir, { recursive: true, force: true });
});

describe('Pkcs11Token key ids', () => {
  it('should keep the CKA_ID of a generated token key and read it back when it is found by label', () => {
    const id = randomBytes(8);
    token.generateAesKey({
      length: 32,
      usage: 'aead',
      token: true,
      label: 'generated-with-id',
      sensitive: true,
      extractable: false,
      id,
    });
    const found = token.findSecretKeys('generated-with-id');
    expect(found).toHaveLength(1);
    expect(Buffer.from(token.getKeyId(found[0]!))).toEqual(id);
    expect(token.getSecretKeyAttributes(found[0]!)).toMatchObject({
      token: true,
      sensitive: true,
      extractable: false,
      encrypt: true,
      decrypt: true,
      valueLength: 32,
    });
  });

  it('should import a known AES key as a sensitive, non-extractable token object with its CKA_ID', () => {
    const value = randomBytes(32);
    const id = randomBytes(8);
    token.importAesKey(value, 'aead', { token: true, label: 'imported-with-id', id });
    const [key] = token.findSecretKeys('imported-with-id');
    expect(Buffer.from(token.getKeyId(key!))).toEqual(id);
    expect(token.getSecretKeyAttributes(key!)).toMatchObject({
      token: true,
      private: true,
      sensitive: true,
      extractable: false,
      encrypt: true,
      decrypt: true,
    });
    // The token key is the imported value: its AES-GCM equals node:crypto's under the same bytes.
    const iv = randomBytes(12);
    const aad = Buffer.from('aad');
    const c = createCipheriv('aes-256-gcm', value, iv).setAAD(aad);
    const expected = Buffer.concat([c.update(Buffer.from('hello')), c.final(), c.getAuthTag()]);
    expect(Buffer.from(token.aesGcmEncrypt(key!, iv, aad, Buffer.from('hello')))).toEqual(expected);
  });

  it('should read an empty CKA_ID when a key was made without one', () => {
    token.generateAesKey({
      length: 32,
      usage: 'aead',
      token: true,
      label: 'generated-without-id',
      sensitive: true,
      extractable: false,
    });
    const [key] = token.findSecretKeys('generated-without-id');
    expect(token.getKeyId(key!)).toHaveLength(0);
    const session = token.importAesKey(randomBytes(32), 'aead');
    expect(token.getKeyId(session)).toHaveLength(0);
    // A session object is not a token object: findSecretKeys does not see it.
    expect(token.getSecretKeyAttributes(session).token).toBe(false);
  });
});
