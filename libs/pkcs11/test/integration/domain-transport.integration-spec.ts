// Moving a domain key between two real SoftHSM2 tokens: the sender wraps it only for a member's identity key that its
// security officer marked trusted, the receiver keeps it only when its key check value matches.
import { constants, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { activateSoftHsmConf, initSoftHsmToken } from '../../../platform/src/local/softhsm.js';
import {
  domainKeyLabel,
  HsmError,
  type HsmErrorCode,
  IDENTITY_KEY_LABEL,
  memberKeyLabel,
  Pkcs11Token,
  TokenHsm,
} from '../../src/index.js';

const SENDER = 'symbolon-it-send';
const RECEIVER = 'symbolon-it-recv';
const PIN = '135792';
const SO_PIN = '97531864';

let dir: string;
let modulePath: string;
let deactivate: () => void = () => undefined;
let sender: TokenHsm;
let receiver: TokenHsm;
let senderToken: Pkcs11Token;
let receiverToken: Pkcs11Token;

function codeOf(fn: () => unknown): HsmErrorCode | 'NO_ERROR' | 'NOT_HSM_ERROR' {
  try {
    fn();
    return 'NO_ERROR';
  } catch (err) {
    return err instanceof HsmError ? err.code : 'NOT_HSM_ERROR';
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'symbolon-pkcs11-transport-'));
  const t = await initSoftHsmToken({ dir, label: SENDER, pin: PIN, soPin: SO_PIN });
  await initSoftHsmToken({ dir, label: RECEIVER, pin: PIN, soPin: SO_PIN });
  deactivate = activateSoftHsmConf(t.conf);
  modulePath = t.modulePath;
  senderToken = Pkcs11Token.open({ modulePath, tokenLabel: SENDER, pin: PIN });
  receiverToken = Pkcs11Token.open({ modulePath, tokenLabel: RECEIVER, pin: PIN });
  sender = new TokenHsm(senderToken, { soPin: SO_PIN });
  receiver = new TokenHsm(receiverToken);
  sender.ensureDomainKey(1);
});

afterAll(async () => {
  sender?.close();
  receiver?.close();
  deactivate();
  await rm(dir, { recursive: true, force: true });
});

describe('TokenHsm domain-key transport', () => {
  it('should make one identity key pair, unwrap-only and never extractable, when asked twice', () => {
    const first = receiver.ensureIdentityKey();
    const second = receiver.ensureIdentityKey();
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(Buffer.from(second.publicKey)).toEqual(Buffer.from(first.publicKey));
    expect(Buffer.from(receiver.identityPublicKey())).toEqual(Buffer.from(first.publicKey));
    const [priv] = receiverToken.findKeys('private', IDENTITY_KEY_LABEL);
    const attrs = receiverToken.getPrivateKeyAttributes(priv!);
    expect(attrs).toMatchObject({
      sensitive: true,
      extractable: false,
      neverExtractable: true,
      unwrap: true,
      decrypt: false,
      sign: false,
    });
  });

  it('should give the same key check value in both tokens when the domain key moves', () => {
    const kcv = sender.domainKeyCheckValue(1);
    expect(kcv).toMatch(/^[0-9a-f]{32}$/);
    const wrapped = sender.wrapDomainKeyForMember(1, {
      nodeId: 'node-b',
      identityPublicKey: receiver.identityPublicKey(),
    });
    expect(wrapped.length).toBe(384);
    expect(receiver.receiveDomainKey(1, wrapped, kcv)).toEqual({ created: true });
    expect(receiver.domainKeyCheckValue(1)).toBe(kcv);
    // Both tokens now wrap and unwrap each other's key material.
    const ref = sender.generateKeyMaterial(1);
    const iv = randomBytes(12);
    const sealed = receiver.encrypt(ref, iv, Buffer.from('same domain'), Buffer.alloc(0));
    expect(Buffer.from(sender.decrypt(ref, iv, sealed, Buffer.alloc(0))).toString()).toBe('same domain');
  });

  it('should keep the received key sensitive and wrappable only for a trusted key when it lands in the token', () => {
    const [key] = receiverToken.findSecretKeys(domainKeyLabel(1));
    const attrs = receiverToken.getSecretKeyAttributes(key!);
    expect(attrs).toMatchObject({
      token: true,
      sensitive: true,
      extractable: true,
      wrapWithTrusted: true,
      wrap: true,
      unwrap: true,
      encrypt: false,
      decrypt: false,
    });
    expect(codeOf(() => receiverToken.readKeyValue(key!))).toBe('ATTRIBUTE_SENSITIVE');
  });

  it('should hold the member key as a trusted token object that the user alone could not make', () => {
    const [trusted] = senderToken.findKeys('public', memberKeyLabel('node-b'));
    expect(trusted).toBeDefined();
    // An untrusted public key of the user's own making cannot carry the domain key out.
    const jwk = generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey.export({ format: 'jwk' });
    const material = senderToken.findSecretKeys(domainKeyLabel(1))[0]!;
    const untrusted = senderToken.importRsaPublicKey({
      modulusBits: 3072,
      n: Buffer.from(jwk.n!, 'base64url'),
      e: Buffer.from(jwk.e!, 'base64url'),
    });
    expect(codeOf(() => senderToken.wrapKeyRsaOaep(untrusted, material))).toBe('KEY_NOT_WRAPPABLE');
    senderToken.destroy(untrusted);
  });

  it('should keep serving cached keys after the security officer login when another member is trusted', () => {
    const ref = sender.generateKeyMaterial(1);
    const iv = randomBytes(12);
    const sealed = sender.encrypt(ref, iv, Buffer.from('before'), Buffer.alloc(0));
    const other = generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    sender.wrapDomainKeyForMember(1, { nodeId: 'node-c', identityPublicKey: other });
    expect(Buffer.from(sender.decrypt(ref, iv, sealed, Buffer.alloc(0))).toString()).toBe('before');
  });

  it('should import the member key again when that member comes back with another identity', () => {
    const first = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const second = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const spki = (k: typeof first) => k.publicKey.export({ format: 'der', type: 'spki' });
    sender.wrapDomainKeyForMember(1, { nodeId: 'node-d', identityPublicKey: spki(first) });
    sender.wrapDomainKeyForMember(1, { nodeId: 'node-d', identityPublicKey: spki(second) });
    expect(senderToken.findKeys('public', memberKeyLabel('node-d'))).toHaveLength(1);
    expect(sender.forgetMember('node-d')).toBe(true);
    expect(sender.forgetMember('node-d')).toBe(false);
  });

  it('should refuse a key of the wrong value and leave nothing behind when its check value differs', () => {
    const spki = createPublicKey({
      key: Buffer.from(receiver.identityPublicKey()),
      format: 'der',
      type: 'spki',
    });
    // Anyone can wrap bytes of their choice for the public identity key: the check value catches it.
    const forged = publicEncrypt(
      { key: spki, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      randomBytes(32),
    );
    const kcv = sender.domainKeyCheckValue(1);
    expect(codeOf(() => receiver.receiveDomainKey(2, forged, kcv))).toBe('WRAPPED_KEY_INVALID');
    const short = publicEncrypt(
      { key: spki, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      randomBytes(16),
    );
    expect(codeOf(() => receiver.receiveDomainKey(2, short, kcv))).toBe('WRAPPED_KEY_INVALID');
    expect(receiverToken.findSecretKeys(domainKeyLabel(2))).toHaveLength(0);
    expect(receiver.hasDomainKey(2)).toBe(false);
  });

  it('should refuse bytes that do not unwrap and a held generation with another check value', () => {
    const kcv = sender.domainKeyCheckValue(1);
    expect(codeOf(() => receiver.receiveDomainKey(3, randomBytes(384), kcv))).toBe('WRAPPED_KEY_INVALID');
    expect(codeOf(() => receiver.receiveDomainKey(3, randomBytes(100), kcv))).toBe('WRAPPED_KEY_INVALID');
    expect(codeOf(() => receiver.receiveDomainKey(1, randomBytes(384), '0'.repeat(32)))).toBe(
      'WRAPPED_KEY_INVALID',
    );
    expect(codeOf(() => receiver.receiveDomainKey(3, randomBytes(384), 'not hex'))).toBe('INVALID_ARGUMENT');
    expect(receiverToken.findSecretKeys(domainKeyLabel(3))).toHaveLength(0);
  });

  it('should replace a candidate only with a key that proves its check value when asked to replace', () => {
    // The receiver made its own candidate for generation 5; the sender's differs.
    receiver.ensureDomainKey(5);
    sender.ensureDomainKey(5);
    const own = receiver.domainKeyCheckValue(5);
    const theirs = sender.domainKeyCheckValue(5);
    expect(own).not.toBe(theirs);
    const wrapped = sender.wrapDomainKeyForMember(5, {
      nodeId: 'node-b',
      identityPublicKey: receiver.identityPublicKey(),
    });
    expect(codeOf(() => receiver.receiveDomainKey(5, wrapped, theirs))).toBe('WRAPPED_KEY_INVALID');
    expect(codeOf(() => receiver.receiveDomainKey(5, randomBytes(384), theirs, { replace: true }))).toBe(
      'WRAPPED_KEY_INVALID',
    );
    expect(receiver.domainKeyCheckValue(5)).toBe(own);
    expect(receiver.receiveDomainKey(5, wrapped, theirs, { replace: true })).toEqual({ created: true });
    expect(receiver.domainKeyCheckValue(5)).toBe(theirs);
    expect(receiverToken.findSecretKeys(domainKeyLabel(5))).toHaveLength(1);
    expect(receiverToken.findSecretKeys(`${domainKeyLabel(5)}-incoming`)).toHaveLength(0);
  });

  it('should refuse to trust a new member when no security officer PIN is configured', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    expect(
      codeOf(() => receiver.wrapDomainKeyForMember(1, { nodeId: 'node-e', identityPublicKey: other })),
    ).toBe('SECURITY_OFFICER_UNAVAILABLE');
    expect(receiver.canTrustMembers()).toBe(false);
    expect(sender.canTrustMembers()).toBe(true);
  });

  it('should stop using an SO PIN the token refused, and stay logged in as the user, when the SO PIN is wrong', () => {
    const wrong = new TokenHsm(receiverToken, { soPin: 'wrong-pin' });
    const other = generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    expect(wrong.canTrustMembers()).toBe(true);
    expect(
      codeOf(() => wrong.wrapDomainKeyForMember(1, { nodeId: 'node-f', identityPublicKey: other })),
    ).toBe('SECURITY_OFFICER_UNAVAILABLE');
    // Not tried again (each try spends one of the token's SO PIN attempts) until the node restarts.
    expect(wrong.canTrustMembers()).toBe(false);
    expect(
      codeOf(() => wrong.wrapDomainKeyForMember(1, { nodeId: 'node-g', identityPublicKey: other })),
    ).toBe('SECURITY_OFFICER_UNAVAILABLE');
    // The user is logged in again: the token still serves, and no half-made trusted copy is left.
    expect(wrong.domainKeyCheckValue(1)).toBe(sender.domainKeyCheckValue(1));
    expect(receiverToken.findKeys('public', memberKeyLabel('node-f'))).toHaveLength(0);
    expect(receiverToken.findKeys('public', `${memberKeyLabel('node-f')}-incoming`)).toHaveLength(0);
  });
});
