/**
 * Session and login lifecycle, and the AES primitives that run inside a PKCS#11 token.
 *
 * This file (with errors.ts) is the only place that talks to pkcs11js. Design choices:
 * - Synchronous pkcs11js calls only: against SoftHSM2 they are 2.6 to 4.5 times faster than the async
 *   ones (TOOLCHAIN.md). Node runs them on the one JavaScript thread, so the single session of a
 *   Pkcs11Token never sees two interleaved operations. Keep one Pkcs11Token per token per process.
 * - One RW session, logged in as the user, for the lifetime of the object. Session objects (unwrapped
 *   keys) live as long as that session. We never call C_Logout: it would invalidate the handles of every
 *   private object; closing the last session ends the login instead.
 * - Tokens are found by label (SoftHSM renumbers slots).
 * - Parameters the token path does not support are refused with HsmError('UNSUPPORTED_PARAMETERS')
 *   before the token is called (GCM: 12-byte IV and 16-byte tag only; AES keys of 16, 24 or 32 bytes).
 * - For SoftHSM2 the process must have SOFTHSM2_CONF in its environment before the first open.
 */
import pkcs11js from 'pkcs11js';

import { HsmError, type HsmOperation, needs, toHsmError } from './errors.js';
import {
  drainOpenSslErrors,
  ED25519_EC_PARAMS,
  ED25519_SIGNATURE_LENGTH,
  ed25519PointFromEcPoint,
  RSA_MODULUS_BITS,
  type RsaPrivateComponents,
  type RsaPublicComponents,
} from './key-formats.js';
import {
  AES_KEY_LENGTHS,
  GCM_IV_LENGTH,
  GCM_TAG_LENGTH,
  HMAC_SHA256_LENGTH,
  MAX_RANDOM_LENGTH,
  WRAPPED_KEY_MATERIAL_LENGTH,
} from './params.js';

type P11 = InstanceType<typeof pkcs11js.PKCS11>;
type Handle = Buffer;

export type AesKeyUsage = 'aead' | 'wrap';
/** RFC 3394 (CKM_AES_KEY_WRAP) or RFC 5649 (CKM_AES_KEY_WRAP_PAD as SoftHSM2 implements it). */
export type KeyWrapVariant = 'rfc3394' | 'rfc5649';

/** Key object classes findKeys looks for. */
export type KeyClass = 'secret' | 'public' | 'private';
/** 'sign': CKA_SIGN on the private half, CKA_VERIFY on the public half; 'wrap': CKA_UNWRAP / CKA_WRAP. */
export type KeyPairUsage = 'sign' | 'wrap';

export interface KeyPairHandles {
  publicKey: KeyHandle;
  privateKey: KeyHandle;
}

export interface GenerateKeyPairOptions {
  /** true: persistent token objects; false: session objects. */
  token: boolean;
  label?: string;
}

export interface GenerateRsaKeyPairOptions extends GenerateKeyPairOptions {
  /** 3072 or 4096; the public exponent is 65537. */
  modulusBits: number;
}

/** Attributes of a private key, as read back from the token. */
export interface PrivateKeyAttributes {
  label: string;
  token: boolean;
  private: boolean;
  sensitive: boolean;
  extractable: boolean;
  alwaysSensitive: boolean;
  neverExtractable: boolean;
  decrypt: boolean;
  sign: boolean;
  signRecover: boolean;
  unwrap: boolean;
  derive: boolean;
}

/** Attributes readKeyValue can read: CKA_VALUE (secret keys) or CKA_PRIVATE_EXPONENT (RSA private keys). */
export type KeyValueAttribute = 'value' | 'privateExponent';

export interface Pkcs11TokenConfig {
  modulePath: string;
  tokenLabel: string;
  pin: string;
}

/** CKA_KEY_TYPE of a secret key: CKK_AES, CKK_GENERIC_SECRET (HMAC keys) or anything else. */
export type SecretKeyType = 'aes' | 'generic-secret' | 'other';

/** Attributes of a secret key, as read back from the token. */
export interface SecretKeyAttributes {
  label: string;
  keyType: SecretKeyType;
  token: boolean;
  private: boolean;
  sensitive: boolean;
  extractable: boolean;
  alwaysSensitive: boolean;
  neverExtractable: boolean;
  wrapWithTrusted: boolean;
  encrypt: boolean;
  decrypt: boolean;
  wrap: boolean;
  unwrap: boolean;
  sign: boolean;
  verify: boolean;
  derive: boolean;
  valueLength: number;
}

export interface GenerateHmacKeyOptions {
  /** true: a persistent token object; false: a session object. */
  token: boolean;
  label?: string;
}

export interface GenerateAesKeyOptions {
  /** Key length in bytes: 16, 24 or 32. */
  length: number;
  usage: AesKeyUsage;
  /** true: a persistent token object; false: a session object. */
  token: boolean;
  label?: string;
  /** Sensitive keys never show CKA_VALUE. */
  sensitive: boolean;
  extractable: boolean;
  /** With extractable: the key may leave the token only wrapped by a CKA_TRUSTED key. */
  wrapWithTrusted?: boolean;
  /** CKA_ID: the key's identifier (read back with getKeyId); none when absent. */
  id?: Uint8Array;
}

export interface ImportAesKeyOptions {
  /** true: a persistent token object; false (the default): a session object. */
  token?: boolean;
  label?: string;
  /** CKA_ID: the key's identifier (read back with getKeyId); none when absent. */
  id?: Uint8Array;
}

export interface UnwrapAesKeyOptions {
  usage: AesKeyUsage;
  variant?: KeyWrapVariant;
  extractable: boolean;
}

/** An opaque reference to a key object inside one open Pkcs11Token. */
export class KeyHandle {
  /** @internal */
  constructor(
    /** @internal */ readonly owner: Pkcs11Token,
    /** @internal */ readonly session: number,
  ) {}
}

const rawHandles = new WeakMap<KeyHandle, Handle>();

// PKCS#11 3.0 values that pkcs11js 2.1.7 does not export.
const CKK_EC_EDWARDS = 0x40;
const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
const CKM_EDDSA = 0x1057;
const CKZ_DATA_SPECIFIED = 1;

/** RSA-OAEP with SHA-1 and MGF1-SHA-1, empty label: the only OAEP SoftHSM2 2.6 offers (TOOLCHAIN.md). */
const RSA_OAEP_SHA1: pkcs11js.Mechanism = {
  mechanism: pkcs11js.CKM_RSA_PKCS_OAEP,
  parameter: {
    type: pkcs11js.CK_PARAMS_RSA_OAEP,
    hashAlg: pkcs11js.CKM_SHA_1,
    mgf: pkcs11js.CKG_MGF1_SHA1,
    source: CKZ_DATA_SPECIFIED,
  } as pkcs11js.RsaOAEP,
};
const HMAC_SHA256: pkcs11js.Mechanism = { mechanism: pkcs11js.CKM_SHA256_HMAC };
/** What C_Verify answers for a MAC that does not match: the answer false, not a failure. */
const MAC_MISMATCH_CKRS: readonly string[] = Object.freeze([
  'CKR_SIGNATURE_INVALID',
  'CKR_SIGNATURE_LEN_RANGE',
]);

/** Largest RSA output: a 4096-bit modulus. */
const MAX_RSA_BYTES = 512;

const KEY_CLASSES: Readonly<Record<KeyClass, number>> = Object.freeze({
  secret: pkcs11js.CKO_SECRET_KEY,
  public: pkcs11js.CKO_PUBLIC_KEY,
  private: pkcs11js.CKO_PRIVATE_KEY,
});

const KEY_VALUE_ATTRIBUTES: Readonly<Record<KeyValueAttribute, number>> = Object.freeze({
  value: pkcs11js.CKA_VALUE,
  privateExponent: pkcs11js.CKA_PRIVATE_EXPONENT,
});

// ---------------------------------------------------------------------------------------------------
// Module registry: a PKCS#11 library is initialised once per process, however many tokens use it.

interface LoadedModule {
  p11: P11;
  refs: number;
  initializedHere: boolean;
  openLabels: Set<string>;
}

const modules = new Map<string, LoadedModule>();

function call<T>(operation: HsmOperation, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw tokenError(err, operation);
  }
}

/** toHsmError for a failed PKCS#11 call, leaving no error of the module on the OpenSSL queue. */
function tokenError(err: unknown, operation: HsmOperation): HsmError {
  drainOpenSslErrors();
  return toHsmError(err, operation);
}

function acquireModule(modulePath: string): LoadedModule {
  const existing = modules.get(modulePath);
  if (existing) {
    existing.refs += 1;
    return existing;
  }
  const p11 = new pkcs11js.PKCS11();
  try {
    p11.load(modulePath);
  } catch {
    throw new HsmError('DEVICE_ERROR', `could not load the PKCS#11 module at ${modulePath}`);
  }
  let initializedHere = true;
  try {
    p11.C_Initialize();
  } catch (err) {
    const e = tokenError(err, 'initialize');
    if (e.ckr === 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      initializedHere = false;
    } else {
      p11.close();
      throw e;
    }
  }
  const mod: LoadedModule = { p11, refs: 1, initializedHere, openLabels: new Set() };
  modules.set(modulePath, mod);
  return mod;
}

function releaseModule(modulePath: string): void {
  const mod = modules.get(modulePath);
  if (!mod) return;
  mod.refs -= 1;
  if (mod.refs > 0) return;
  modules.delete(modulePath);
  try {
    if (mod.initializedHere) mod.p11.C_Finalize();
  } finally {
    mod.p11.close();
  }
}

function findSlotByLabel(p11: P11, label: string): Handle {
  const slots = call('open', () => p11.C_GetSlotList(true));
  for (const slot of slots) {
    const info = call('open', () => p11.C_GetTokenInfo(slot));
    if ((info.flags & pkcs11js.CKF_TOKEN_INITIALIZED) !== 0 && info.label.trimEnd() === label) return slot;
  }
  throw new HsmError('TOKEN_NOT_FOUND', `no initialised PKCS#11 token is labelled '${label}'`);
}

function bool(buf: Buffer | undefined): boolean {
  return buf !== undefined && buf.length > 0 && buf[0] !== 0;
}

function ulong(buf: Buffer | undefined): number {
  if (buf === undefined || buf.length === 0) return 0;
  if (buf.length >= 8) return Number(buf.readBigUInt64LE(0));
  return buf.readUInt32LE(0);
}

let sessionCounter = 0;

export class Pkcs11Token {
  private session: Handle | null;
  /** Changes when the login changes (importTrustedRsaPublicKey): handles from before are refused. */
  private sessionId: number;

  private constructor(
    private readonly mod: LoadedModule,
    private readonly modulePath: string,
    readonly tokenLabel: string,
    session: Handle,
    private readonly userPin: string,
  ) {
    this.session = session;
    this.sessionId = ++sessionCounter;
  }

  /** C_Initialize (once per process and module), find the slot by label, open an RW session, log in. */
  static open(cfg: Pkcs11TokenConfig): Pkcs11Token {
    /* Precondition: the token label must not be empty. */
    needs(cfg.tokenLabel.length > 0, 'the token label must not be empty');
    const mod = acquireModule(cfg.modulePath);
    let session: Handle | null = null;
    try {
      if (mod.openLabels.has(cfg.tokenLabel)) {
        throw new HsmError(
          'TOKEN_IN_USE',
          `the token labelled '${cfg.tokenLabel}' is already open in this process`,
        );
      }
      const slot = findSlotByLabel(mod.p11, cfg.tokenLabel);
      session = call('open', () =>
        mod.p11.C_OpenSession(slot, pkcs11js.CKF_RW_SESSION | pkcs11js.CKF_SERIAL_SESSION),
      );
      const s = session;
      call('login', () => mod.p11.C_Login(s, pkcs11js.CKU_USER, cfg.pin));
      mod.openLabels.add(cfg.tokenLabel);
      return new Pkcs11Token(mod, cfg.modulePath, cfg.tokenLabel, s, cfg.pin);
    } catch (err) {
      if (session !== null) {
        const s = session;
        try {
          mod.p11.C_CloseSession(s);
        } catch {
          // already failing; the original error matters
        }
      }
      releaseModule(cfg.modulePath);
      throw err;
    }
  }

  get isOpen(): boolean {
    return this.session !== null;
  }

  /** Closes the session (destroying its session objects and ending the login) and releases the module. */
  close(): void {
    const s = this.session;
    if (s === null) return;
    this.session = null;
    this.mod.openLabels.delete(this.tokenLabel);
    try {
      this.mod.p11.C_CloseSession(s);
    } catch {
      // the session is gone either way
    } finally {
      releaseModule(this.modulePath);
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Handles

  private s(): Handle {
    if (this.session === null) throw new HsmError('SESSION_CLOSED', 'the PKCS#11 token is closed');
    return this.session;
  }

  private wrapHandle(h: Handle): KeyHandle {
    const k = new KeyHandle(this, this.sessionId);
    rawHandles.set(k, h);
    return k;
  }

  private raw(k: KeyHandle): Handle {
    this.s();
    const h = rawHandles.get(k);
    if (k.owner !== this || k.session !== this.sessionId || h === undefined) {
      throw new HsmError('KEY_NOT_FOUND', 'the key handle does not belong to this open token');
    }
    return h;
  }

  private get p11(): P11 {
    return this.mod.p11;
  }

  /** Destroys a key object. The handle must not be used afterwards. */
  destroy(key: KeyHandle): void {
    const h = this.raw(key);
    const s = this.s();
    call('destroy', () => this.p11.C_DestroyObject(s, h));
    rawHandles.delete(key);
  }

  /** Changes a key object's CKA_LABEL. */
  setLabel(key: KeyHandle, label: string): void {
    const h = this.raw(key);
    const s = this.s();
    call('attributes', () =>
      this.p11.C_SetAttributeValue(s, h, [{ type: pkcs11js.CKA_LABEL, value: label }]),
    );
  }

  /** Secret-key token objects with this CKA_LABEL. */
  findSecretKeys(label: string): KeyHandle[] {
    return this.findKeys('secret', label);
  }

  /** Token objects of this class with this CKA_LABEL. */
  findKeys(keyClass: KeyClass, label: string): KeyHandle[] {
    const s = this.s();
    const found: Handle[] = [];
    call('find', () => {
      this.p11.C_FindObjectsInit(s, [
        { type: pkcs11js.CKA_CLASS, value: KEY_CLASSES[keyClass] },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_LABEL, value: label },
      ]);
      try {
        for (;;) {
          const batch = this.p11.C_FindObjects(s, 16);
          found.push(...batch);
          if (batch.length < 16) break;
        }
      } finally {
        this.p11.C_FindObjectsFinal(s);
      }
    });
    return found.map((h) => this.wrapHandle(h));
  }

  getSecretKeyAttributes(key: KeyHandle): SecretKeyAttributes {
    const v = this.attributes(key, [
      pkcs11js.CKA_LABEL,
      pkcs11js.CKA_KEY_TYPE,
      pkcs11js.CKA_TOKEN,
      pkcs11js.CKA_PRIVATE,
      pkcs11js.CKA_SENSITIVE,
      pkcs11js.CKA_EXTRACTABLE,
      pkcs11js.CKA_ALWAYS_SENSITIVE,
      pkcs11js.CKA_NEVER_EXTRACTABLE,
      pkcs11js.CKA_WRAP_WITH_TRUSTED,
      pkcs11js.CKA_ENCRYPT,
      pkcs11js.CKA_DECRYPT,
      pkcs11js.CKA_WRAP,
      pkcs11js.CKA_UNWRAP,
      pkcs11js.CKA_SIGN,
      pkcs11js.CKA_VERIFY,
      pkcs11js.CKA_DERIVE,
      pkcs11js.CKA_VALUE_LEN,
    ]);
    const keyType = ulong(v.get(pkcs11js.CKA_KEY_TYPE));
    return {
      label: (v.get(pkcs11js.CKA_LABEL) ?? Buffer.alloc(0)).toString('utf8'),
      keyType:
        keyType === pkcs11js.CKK_AES
          ? 'aes'
          : keyType === pkcs11js.CKK_GENERIC_SECRET
            ? 'generic-secret'
            : 'other',
      token: bool(v.get(pkcs11js.CKA_TOKEN)),
      private: bool(v.get(pkcs11js.CKA_PRIVATE)),
      sensitive: bool(v.get(pkcs11js.CKA_SENSITIVE)),
      extractable: bool(v.get(pkcs11js.CKA_EXTRACTABLE)),
      alwaysSensitive: bool(v.get(pkcs11js.CKA_ALWAYS_SENSITIVE)),
      neverExtractable: bool(v.get(pkcs11js.CKA_NEVER_EXTRACTABLE)),
      wrapWithTrusted: bool(v.get(pkcs11js.CKA_WRAP_WITH_TRUSTED)),
      encrypt: bool(v.get(pkcs11js.CKA_ENCRYPT)),
      decrypt: bool(v.get(pkcs11js.CKA_DECRYPT)),
      wrap: bool(v.get(pkcs11js.CKA_WRAP)),
      unwrap: bool(v.get(pkcs11js.CKA_UNWRAP)),
      sign: bool(v.get(pkcs11js.CKA_SIGN)),
      verify: bool(v.get(pkcs11js.CKA_VERIFY)),
      derive: bool(v.get(pkcs11js.CKA_DERIVE)),
      valueLength: ulong(v.get(pkcs11js.CKA_VALUE_LEN)),
    };
  }

  getPrivateKeyAttributes(key: KeyHandle): PrivateKeyAttributes {
    const v = this.attributes(key, [
      pkcs11js.CKA_LABEL,
      pkcs11js.CKA_TOKEN,
      pkcs11js.CKA_PRIVATE,
      pkcs11js.CKA_SENSITIVE,
      pkcs11js.CKA_EXTRACTABLE,
      pkcs11js.CKA_ALWAYS_SENSITIVE,
      pkcs11js.CKA_NEVER_EXTRACTABLE,
      pkcs11js.CKA_DECRYPT,
      pkcs11js.CKA_SIGN,
      pkcs11js.CKA_SIGN_RECOVER,
      pkcs11js.CKA_UNWRAP,
      pkcs11js.CKA_DERIVE,
    ]);
    return {
      label: (v.get(pkcs11js.CKA_LABEL) ?? Buffer.alloc(0)).toString('utf8'),
      token: bool(v.get(pkcs11js.CKA_TOKEN)),
      private: bool(v.get(pkcs11js.CKA_PRIVATE)),
      sensitive: bool(v.get(pkcs11js.CKA_SENSITIVE)),
      extractable: bool(v.get(pkcs11js.CKA_EXTRACTABLE)),
      alwaysSensitive: bool(v.get(pkcs11js.CKA_ALWAYS_SENSITIVE)),
      neverExtractable: bool(v.get(pkcs11js.CKA_NEVER_EXTRACTABLE)),
      decrypt: bool(v.get(pkcs11js.CKA_DECRYPT)),
      sign: bool(v.get(pkcs11js.CKA_SIGN)),
      signRecover: bool(v.get(pkcs11js.CKA_SIGN_RECOVER)),
      unwrap: bool(v.get(pkcs11js.CKA_UNWRAP)),
      derive: bool(v.get(pkcs11js.CKA_DERIVE)),
    };
  }

  private attributes(key: KeyHandle, types: number[]): Map<number, Buffer> {
    const h = this.raw(key);
    const s = this.s();
    const res = call('attributes', () =>
      this.p11.C_GetAttributeValue(
        s,
        h,
        types.map((type) => ({ type })),
      ),
    );
    return new Map(res.map((a) => [a.type, a.value]));
  }

  /** CKA_ID of a key object: the bytes it was given, empty when it has none. */
  getKeyId(key: KeyHandle): Uint8Array {
    return new Uint8Array(this.attributes(key, [pkcs11js.CKA_ID]).get(pkcs11js.CKA_ID) ?? Buffer.alloc(0));
  }

  /**
   * CKA_VALUE of a non-sensitive secret key (or CKA_PRIVATE_EXPONENT of a non-sensitive RSA private key).
   * For tests and the Wycheproof runner only; a sensitive key gives HsmError('ATTRIBUTE_SENSITIVE').
   */
  readKeyValue(key: KeyHandle, attribute: KeyValueAttribute = 'value'): Uint8Array {
    const value = this.attributes(key, [KEY_VALUE_ATTRIBUTES[attribute]]).get(
      KEY_VALUE_ATTRIBUTES[attribute],
    );
    if (value === undefined) throw new HsmError('ATTRIBUTE_SENSITIVE', 'the key value is not readable');
    return new Uint8Array(value);
  }

  // -------------------------------------------------------------------------------------------------
  // Keys

  private usageAttributes(usage: AesKeyUsage): { type: number; value: boolean }[] {
    return [
      { type: pkcs11js.CKA_ENCRYPT, value: usage === 'aead' },
      { type: pkcs11js.CKA_DECRYPT, value: usage === 'aead' },
      { type: pkcs11js.CKA_WRAP, value: usage === 'wrap' },
      { type: pkcs11js.CKA_UNWRAP, value: usage === 'wrap' },
      { type: pkcs11js.CKA_SIGN, value: false },
      { type: pkcs11js.CKA_VERIFY, value: false },
      { type: pkcs11js.CKA_DERIVE, value: false },
    ];
  }

  /**
   * Imports a known AES key value as a private, sensitive, non-extractable key object (a session object unless
   * `opts.token`). The platform's own key material is generated inside the token (generateAesKey) and never exists
   * outside it in plaintext; importing is for tests, the Wycheproof runner, and a customer's own key file moved into
   * the customer's own token (the SDK's importKeyToToken).
   */
  importAesKey(value: Uint8Array, usage: AesKeyUsage, opts: ImportAesKeyOptions = {}): KeyHandle {
    /* Precondition: AES keys must be 16, 24 or 32 bytes. */
    needs(
      AES_KEY_LENGTHS.includes(value.length),
      'AES keys must be 16, 24 or 32 bytes',
      'UNSUPPORTED_PARAMETERS',
    );
    const s = this.s();
    const h = call('create', () =>
      this.p11.C_CreateObject(s, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_TOKEN, value: opts.token === true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_VALUE, value: Buffer.from(value) },
        ...this.usageAttributes(usage),
        ...Pkcs11Token.labelAndId(opts),
      ]),
    );
    return this.wrapHandle(h);
  }

  /**
   * Imports arbitrary bytes as an extractable, non-sensitive CKK_GENERIC_SECRET session object, so that
   * they can be wrapped. FOR TESTS AND THE WYCHEPROOF RUNNER ONLY.
   */
  importWrappableSecret(value: Uint8Array): KeyHandle {
    /* Precondition: a secret to wrap must not be empty. */
    needs(value.length > 0, 'a secret to wrap must not be empty', 'DATA_LEN_RANGE');
    const s = this.s();
    const h = call('create', () =>
      this.p11.C_CreateObject(s, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_SENSITIVE, value: false },
        { type: pkcs11js.CKA_EXTRACTABLE, value: true },
        { type: pkcs11js.CKA_VALUE, value: Buffer.from(value) },
      ]),
    );
    return this.wrapHandle(h);
  }

  /** CKA_LABEL and CKA_ID, each only when given. */
  private static labelAndId(opts: { label?: string; id?: Uint8Array }): pkcs11js.Template {
    return [
      ...(opts.label !== undefined ? [{ type: pkcs11js.CKA_LABEL, value: opts.label }] : []),
      ...(opts.id !== undefined ? [{ type: pkcs11js.CKA_ID, value: Buffer.from(opts.id) }] : []),
    ];
  }

  /** C_GenerateKey CKM_AES_KEY_GEN: the key value never leaves the token in plaintext. */
  generateAesKey(opts: GenerateAesKeyOptions): KeyHandle {
    /* Precondition: AES keys must be 16, 24 or 32 bytes. */
    needs(
      AES_KEY_LENGTHS.includes(opts.length),
      'AES keys must be 16, 24 or 32 bytes',
      'UNSUPPORTED_PARAMETERS',
    );
    /* Precondition: a key that may only be wrapped with a trusted key must be extractable. */
    needs(
      opts.wrapWithTrusted !== true || opts.extractable,
      'a key that may only be wrapped with a trusted key must be extractable',
    );
    const s = this.s();
    const template = [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_VALUE_LEN, value: opts.length },
      { type: pkcs11js.CKA_TOKEN, value: opts.token },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: opts.sensitive },
      { type: pkcs11js.CKA_EXTRACTABLE, value: opts.extractable },
      { type: pkcs11js.CKA_WRAP_WITH_TRUSTED, value: opts.wrapWithTrusted === true },
      ...this.usageAttributes(opts.usage),
      ...Pkcs11Token.labelAndId(opts),
    ];
    const h = call('generate', () =>
      this.p11.C_GenerateKey(s, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, template),
    );
    return this.wrapHandle(h);
  }

  /** Usage of an HMAC key: CKA_SIGN and CKA_VERIFY, nothing else. */
  private static hmacUsage(): { type: number; value: boolean }[] {
    return [
      { type: pkcs11js.CKA_SIGN, value: true },
      { type: pkcs11js.CKA_VERIFY, value: true },
      { type: pkcs11js.CKA_ENCRYPT, value: false },
      { type: pkcs11js.CKA_DECRYPT, value: false },
      { type: pkcs11js.CKA_WRAP, value: false },
      { type: pkcs11js.CKA_UNWRAP, value: false },
      { type: pkcs11js.CKA_DERIVE, value: false },
    ];
  }

  /**
   * C_GenerateKey CKM_GENERIC_SECRET_KEY_GEN: a 32-byte CKK_GENERIC_SECRET for HMAC-SHA256, private,
   * sensitive and never extractable (it can be neither read nor wrapped), CKA_SIGN and CKA_VERIFY only.
   */
  generateHmacKey(opts: GenerateHmacKeyOptions): KeyHandle {
    const s = this.s();
    const h = call('generate', () =>
      this.p11.C_GenerateKey(s, { mechanism: pkcs11js.CKM_GENERIC_SECRET_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
        { type: pkcs11js.CKA_VALUE_LEN, value: HMAC_SHA256_LENGTH },
        { type: pkcs11js.CKA_TOKEN, value: opts.token },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        ...Pkcs11Token.hmacUsage(),
        ...(opts.label !== undefined ? [{ type: pkcs11js.CKA_LABEL, value: opts.label }] : []),
      ]),
    );
    return this.wrapHandle(h);
  }

  /**
   * Imports a known HMAC key value as a non-extractable CKK_GENERIC_SECRET session object.
   * FOR TESTS ONLY (interoperability with node:crypto): the state key is generated inside the token.
   */
  importHmacKey(value: Uint8Array): KeyHandle {
    /* Precondition: an HMAC key must not be empty. */
    needs(value.length > 0, 'an HMAC key must not be empty', 'DATA_LEN_RANGE');
    const s = this.s();
    const h = call('create', () =>
      this.p11.C_CreateObject(s, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_VALUE, value: Buffer.from(value) },
        ...Pkcs11Token.hmacUsage(),
      ]),
    );
    return this.wrapHandle(h);
  }

  /** C_GenerateRandom. */
  generateRandom(length: number): Uint8Array {
    /* Precondition: random requests must be 1 to 65536 bytes. */
    needs(
      Number.isInteger(length) && length >= 1 && length <= MAX_RANDOM_LENGTH,
      'random requests must be 1 to 65536 bytes',
    );
    const s = this.s();
    return new Uint8Array(call('random', () => this.p11.C_GenerateRandom(s, Buffer.alloc(length))));
  }

  // -------------------------------------------------------------------------------------------------
  // AES-GCM

  private gcmMechanism(iv: Uint8Array, aad: Uint8Array): pkcs11js.Mechanism {
    /* Precondition: AES-GCM on the token takes a 12-byte IV. */
    needs(iv.length === GCM_IV_LENGTH, 'AES-GCM on the token takes a 12-byte IV', 'UNSUPPORTED_PARAMETERS');
    return {
      mechanism: pkcs11js.CKM_AES_GCM,
      parameter: {
        type: pkcs11js.CK_PARAMS_AES_GCM,
        iv: Buffer.from(iv),
        aad: Buffer.from(aad),
        ivBits: GCM_IV_LENGTH * 8,
        tagBits: GCM_TAG_LENGTH * 8,
      } as pkcs11js.AesGCM,
    };
  }

  /** AES-GCM with a 12-byte IV; returns ciphertext || 16-byte tag. */
  aesGcmEncrypt(key: KeyHandle, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const h = this.raw(key);
    const mech = this.gcmMechanism(iv, aad);
    const s = this.s();
    call('encrypt', () => this.p11.C_EncryptInit(s, mech, h));
    try {
      // SoftHSM2 rejects an empty input buffer in C_Encrypt; C_EncryptFinal alone yields the tag.
      const out =
        plaintext.length === 0
          ? this.p11.C_EncryptFinal(s, Buffer.alloc(GCM_TAG_LENGTH))
          : this.p11.C_Encrypt(s, Buffer.from(plaintext), Buffer.alloc(plaintext.length + GCM_TAG_LENGTH));
      return new Uint8Array(out);
    } catch (err) {
      this.endOperation('encrypt');
      throw tokenError(err, 'encrypt');
    }
  }

  /** AES-GCM with a 12-byte IV over ciphertext || 16-byte tag. A failed tag check: ENCRYPTED_DATA_INVALID. */
  aesGcmDecrypt(key: KeyHandle, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array {
    const h = this.raw(key);
    const mech = this.gcmMechanism(iv, aad);
    /* Precondition: a sealed AES-GCM message must hold at least the 16-byte tag. */
    needs(
      sealed.length >= GCM_TAG_LENGTH,
      'a sealed AES-GCM message must hold at least the 16-byte tag',
      'ENCRYPTED_DATA_INVALID',
    );
    const s = this.s();
    call('decrypt', () => this.p11.C_DecryptInit(s, mech, h));
    try {
      return new Uint8Array(this.p11.C_Decrypt(s, Buffer.from(sealed), Buffer.alloc(sealed.length)));
    } catch (err) {
      this.endOperation('decrypt');
      throw tokenError(err, 'decrypt');
    }
  }

  // -------------------------------------------------------------------------------------------------
  // HMAC-SHA256
  //
  // SoftHSM2 2.6.1 answers C_Sign, C_Verify and C_*Update with an empty input buffer with
  // CKR_ARGUMENTS_BAD and leaves the operation active (every later C_*Init of the session then fails
  // with CKR_OPERATION_ACTIVE). C_SignFinal / C_VerifyFinal right after the Init are the HMAC of no
  // bytes, so empty data takes that path. An empty MAC in C_Verify does the same: MACs of any length
  // but 32 bytes are answered false before the token is called.

  /** HMAC-SHA256 (CKM_SHA256_HMAC) of `data` (may be empty) inside the token: 32 bytes. */
  hmacSha256(key: KeyHandle, data: Uint8Array): Uint8Array {
    const h = this.raw(key);
    const s = this.s();
    call('sign', () => this.p11.C_SignInit(s, HMAC_SHA256, h));
    let mac: Buffer;
    try {
      mac =
        data.length === 0
          ? this.p11.C_SignFinal(s, Buffer.alloc(HMAC_SHA256_LENGTH))
          : this.p11.C_Sign(s, Buffer.from(data), Buffer.alloc(HMAC_SHA256_LENGTH));
    } catch (err) {
      this.endOperation('sign');
      throw tokenError(err, 'sign');
    }
    if (mac.length !== HMAC_SHA256_LENGTH) {
      throw new HsmError('DEVICE_ERROR', 'the token returned an HMAC-SHA256 of the wrong length');
    }
    return new Uint8Array(mac);
  }

  /**
   * True when `mac` is the HMAC-SHA256 of `data` (may be empty) under `key`, checked by the token
   * (C_Verify). A MAC that does not match, or is not 32 bytes long, is false; the session stays usable.
   */
  verifyHmacSha256(key: KeyHandle, data: Uint8Array, mac: Uint8Array): boolean {
    const h = this.raw(key);
    const s = this.s();
    if (mac.length !== HMAC_SHA256_LENGTH) return false;
    call('verify', () => this.p11.C_VerifyInit(s, HMAC_SHA256, h));
    try {
      return data.length === 0
        ? this.p11.C_VerifyFinal(s, Buffer.from(mac))
        : this.p11.C_Verify(s, Buffer.from(data), Buffer.from(mac));
    } catch (err) {
      const e = tokenError(err, 'verify');
      // SoftHSM2 ends the operation when it answers a mismatch.
      if (e.ckr !== undefined && MAC_MISMATCH_CKRS.includes(e.ckr)) return false;
      this.endOperation('verify');
      throw e;
    }
  }

  /**
   * SoftHSM2 keeps an operation active after some argument errors: end it so the session stays usable.
   * A single-part EdDSA operation ignores C_SignFinal: it ends only with a C_Sign that succeeds (its
   * signature over one zero byte is discarded); HMAC signing ends the same way. A verification ends
   * with a C_Verify of one zero byte against a zero MAC (answered CKR_SIGNATURE_INVALID).
   */
  private endOperation(kind: 'encrypt' | 'decrypt' | 'sign' | 'verify'): void {
    const s = this.session;
    if (s === null) return;
    try {
      if (kind === 'encrypt') this.p11.C_EncryptFinal(s, Buffer.alloc(64));
      else if (kind === 'decrypt') this.p11.C_DecryptFinal(s, Buffer.alloc(64));
      else if (kind === 'sign') this.p11.C_Sign(s, Buffer.alloc(1), Buffer.alloc(ED25519_SIGNATURE_LENGTH));
      else this.p11.C_Verify(s, Buffer.alloc(1), Buffer.alloc(HMAC_SHA256_LENGTH));
    } catch {
      // expected: the operation is ended (or was not active)
    }
  }

  // -------------------------------------------------------------------------------------------------
  // AES key wrap

  private static wrapMechanism(variant: KeyWrapVariant): pkcs11js.Mechanism {
    return { mechanism: variant === 'rfc3394' ? pkcs11js.CKM_AES_KEY_WRAP : pkcs11js.CKM_AES_KEY_WRAP_PAD };
  }

  /**
   * C_WrapKey of a key object. A WRAP_WITH_TRUSTED key under an untrusted key: KEY_NOT_WRAPPABLE.
   * Keys whose length is not a multiple of 8 bytes are refused (see checkWrapInputLength).
   */
  wrapKey(wrappingKey: KeyHandle, key: KeyHandle, variant: KeyWrapVariant = 'rfc3394'): Uint8Array {
    const wk = this.raw(wrappingKey);
    const k = this.raw(key);
    const s = this.s();
    const keyLength = this.secretKeyLength(k);
    checkWrapInputLength(keyLength, variant);
    // RFC 3394 adds 8 bytes; RFC 5649 pads to a multiple of 8 and adds 8.
    const capacity = Math.ceil(keyLength / 8) * 8 + 16;
    const out = call('wrap', () =>
      this.p11.C_WrapKey(s, Pkcs11Token.wrapMechanism(variant), wk, k, Buffer.alloc(capacity)),
    );
    return new Uint8Array(out);
  }

  private secretKeyLength(h: Handle): number {
    const s = this.s();
    const res = call('attributes', () =>
      this.p11.C_GetAttributeValue(s, h, [{ type: pkcs11js.CKA_VALUE_LEN }]),
    );
    return ulong(res[0]?.value);
  }

  /**
   * C_UnwrapKey into an AES session object (CKA_VALUE_LEN is left out of the template: SoftHSM2 refuses
   * it). A wrapped value that fails the integrity check gives WRAPPED_KEY_INVALID.
   */
  unwrapAesKey(unwrappingKey: KeyHandle, wrapped: Uint8Array, opts: UnwrapAesKeyOptions): KeyHandle {
    const variant = opts.variant ?? 'rfc3394';
    const uk = this.raw(unwrappingKey);
    checkWrappedLength(wrapped, variant);
    const s = this.s();
    const h = call('unwrap', () =>
      this.p11.C_UnwrapKey(s, Pkcs11Token.wrapMechanism(variant), uk, Buffer.from(wrapped), [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: opts.extractable },
        ...this.usageAttributes(opts.usage),
      ]),
    );
    return this.wrapHandle(h);
  }

  /**
   * Wraps arbitrary bytes (imported as an extractable generic secret, destroyed afterwards).
   * RFC 3394 takes a multiple of 8 bytes, at least 16; on this path RFC 5649 also takes only a multiple
   * of 8 bytes (see checkWrapInputLength).
   * For tests, the Wycheproof runner, and key check values (a wrap of known bytes, as a KCV is an encryption of a known
   * block).
   */
  aesKeyWrap(
    wrappingKey: KeyHandle,
    keyBytesToWrap: Uint8Array,
    variant: KeyWrapVariant = 'rfc3394',
  ): Uint8Array {
    this.raw(wrappingKey);
    checkWrapInputLength(keyBytesToWrap.length, variant);
    const secret = this.importWrappableSecret(keyBytesToWrap);
    try {
      return this.wrapKey(wrappingKey, secret, variant);
    } finally {
      this.destroy(secret);
    }
  }

  /**
   * Unwraps to bytes (through an extractable generic secret that is read and destroyed).
   * FOR TESTS AND THE WYCHEPROOF RUNNER ONLY.
   */
  aesKeyUnwrap(
    unwrappingKey: KeyHandle,
    wrapped: Uint8Array,
    variant: KeyWrapVariant = 'rfc3394',
  ): Uint8Array {
    const uk = this.raw(unwrappingKey);
    checkWrappedLength(wrapped, variant);
    const s = this.s();
    const h = call('unwrap', () =>
      this.p11.C_UnwrapKey(s, Pkcs11Token.wrapMechanism(variant), uk, Buffer.from(wrapped), [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_SENSITIVE, value: false },
        { type: pkcs11js.CKA_EXTRACTABLE, value: true },
      ]),
    );
    const secret = this.wrapHandle(h);
    try {
      return this.readKeyValue(secret);
    } finally {
      this.destroy(secret);
    }
  }
  // -------------------------------------------------------------------------------------------------
  // Asymmetric keys: Ed25519 signing, RSA-OAEP wrapping

  private static pairUsage(usage: KeyPairUsage): {
    publicKey: { type: number; value: boolean }[];
    privateKey: { type: number; value: boolean }[];
  } {
    return {
      publicKey: [
        { type: pkcs11js.CKA_ENCRYPT, value: false },
        { type: pkcs11js.CKA_VERIFY, value: usage === 'sign' },
        { type: pkcs11js.CKA_VERIFY_RECOVER, value: false },
        { type: pkcs11js.CKA_WRAP, value: usage === 'wrap' },
        { type: pkcs11js.CKA_DERIVE, value: false },
      ],
      privateKey: [
        { type: pkcs11js.CKA_DECRYPT, value: false },
        { type: pkcs11js.CKA_SIGN, value: usage === 'sign' },
        { type: pkcs11js.CKA_SIGN_RECOVER, value: false },
        { type: pkcs11js.CKA_UNWRAP, value: usage === 'wrap' },
        { type: pkcs11js.CKA_DERIVE, value: false },
      ],
    };
  }

  /** The private half is always private, sensitive and not extractable. */
  private generateKeyPair(
    mechanism: number,
    usage: KeyPairUsage,
    opts: GenerateKeyPairOptions,
    publicAttributes: pkcs11js.Template,
  ): KeyPairHandles {
    const s = this.s();
    const label = opts.label !== undefined ? [{ type: pkcs11js.CKA_LABEL, value: opts.label }] : [];
    const attrs = Pkcs11Token.pairUsage(usage);
    const pair = call('generate', () =>
      this.p11.C_GenerateKeyPair(
        s,
        { mechanism },
        [
          { type: pkcs11js.CKA_TOKEN, value: opts.token },
          { type: pkcs11js.CKA_PRIVATE, value: false },
          ...publicAttributes,
          ...attrs.publicKey,
          ...label,
        ],
        [
          { type: pkcs11js.CKA_TOKEN, value: opts.token },
          { type: pkcs11js.CKA_PRIVATE, value: true },
          { type: pkcs11js.CKA_SENSITIVE, value: true },
          { type: pkcs11js.CKA_EXTRACTABLE, value: false },
          ...attrs.privateKey,
          ...label,
        ],
      ),
    );
    return { publicKey: this.wrapHandle(pair.publicKey), privateKey: this.wrapHandle(pair.privateKey) };
  }

  /** C_GenerateKeyPair CKM_EC_EDWARDS_KEY_PAIR_GEN on Ed25519: private half CKA_SIGN only. */
  generateEd25519KeyPair(opts: GenerateKeyPairOptions): KeyPairHandles {
    return this.generateKeyPair(CKM_EC_EDWARDS_KEY_PAIR_GEN, 'sign', opts, [
      { type: pkcs11js.CKA_KEY_TYPE, value: CKK_EC_EDWARDS },
      { type: pkcs11js.CKA_EC_PARAMS, value: ED25519_EC_PARAMS },
    ]);
  }

  /** C_GenerateKeyPair CKM_RSA_PKCS_KEY_PAIR_GEN, e = 65537: private half CKA_UNWRAP only. */
  generateRsaKeyPair(opts: GenerateRsaKeyPairOptions): KeyPairHandles {
    /* Precondition: RSA keys must have 3072 or 4096 bits. */
    needs(RSA_MODULUS_BITS.includes(opts.modulusBits), 'RSA keys must have 3072 or 4096 bits');
    return this.generateKeyPair(pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN, 'wrap', opts, [
      { type: pkcs11js.CKA_MODULUS_BITS, value: opts.modulusBits },
      { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
    ]);
  }

  /** The raw 32-byte point of an Ed25519 public key object. */
  ed25519PublicKey(publicKey: KeyHandle): Uint8Array {
    const point = this.attributes(publicKey, [pkcs11js.CKA_EC_POINT]).get(pkcs11js.CKA_EC_POINT);
    return ed25519PointFromEcPoint(point ?? Buffer.alloc(0));
  }

  /** CKA_MODULUS and CKA_PUBLIC_EXPONENT of an RSA public key object. */
  rsaPublicKey(publicKey: KeyHandle): { n: Uint8Array; e: Uint8Array } {
    const v = this.attributes(publicKey, [pkcs11js.CKA_MODULUS, pkcs11js.CKA_PUBLIC_EXPONENT]);
    return {
      n: new Uint8Array(v.get(pkcs11js.CKA_MODULUS) ?? Buffer.alloc(0)),
      e: new Uint8Array(v.get(pkcs11js.CKA_PUBLIC_EXPONENT) ?? Buffer.alloc(0)),
    };
  }

  /** An RSA public key as a session object that may only wrap. */
  importRsaPublicKey(key: RsaPublicComponents): KeyHandle {
    const s = this.s();
    const h = call('create', () =>
      this.p11.C_CreateObject(s, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_MODULUS, value: Buffer.from(key.n) },
        { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from(key.e) },
        ...Pkcs11Token.pairUsage('wrap').publicKey,
      ]),
    );
    return this.wrapHandle(h);
  }

  /** An RSA private key as a sensitive, non-extractable session object that may only unwrap. */
  importRsaPrivateKey(key: RsaPrivateComponents): KeyHandle {
    const s = this.s();
    const h = call('create', () =>
      this.p11.C_CreateObject(s, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
        { type: pkcs11js.CKA_TOKEN, value: false },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_MODULUS, value: Buffer.from(key.n) },
        { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from(key.e) },
        { type: pkcs11js.CKA_PRIVATE_EXPONENT, value: Buffer.from(key.d) },
        { type: pkcs11js.CKA_PRIME_1, value: Buffer.from(key.p) },
        { type: pkcs11js.CKA_PRIME_2, value: Buffer.from(key.q) },
        { type: pkcs11js.CKA_EXPONENT_1, value: Buffer.from(key.dp) },
        { type: pkcs11js.CKA_EXPONENT_2, value: Buffer.from(key.dq) },
        { type: pkcs11js.CKA_COEFFICIENT, value: Buffer.from(key.qi) },
        ...Pkcs11Token.pairUsage('wrap').privateKey,
      ]),
    );
    return this.wrapHandle(h);
  }

  /** Pure Ed25519 (CKM_EDDSA without parameters): a 64-byte signature. */
  signEd25519(privateKey: KeyHandle, message: Uint8Array): Uint8Array {
    /* Precondition: a message to sign must not be empty. */
    needs(message.length > 0, 'a message to sign must not be empty');
    const h = this.raw(privateKey);
    const s = this.s();
    call('sign', () => this.p11.C_SignInit(s, { mechanism: CKM_EDDSA }, h));
    try {
      return new Uint8Array(this.p11.C_Sign(s, Buffer.from(message), Buffer.alloc(ED25519_SIGNATURE_LENGTH)));
    } catch (err) {
      this.endOperation('sign');
      throw tokenError(err, 'sign');
    }
  }

  /**
   * Imports an RSA public key as a token object that may only wrap, with CKA_TRUSTED set, so that it can wrap keys
   * marked CKA_WRAP_WITH_TRUSTED. Only the security officer can set CKA_TRUSTED (a user gets CKR_ATTRIBUTE_READ_ONLY),
   * so the user is logged out, the security officer in and out, and the user in again. C_Logout invalidates every
   * handle to a private object of the token: every KeyHandle made before is refused afterwards, callers find their
   * keys again. A wrong SO PIN: PIN_INCORRECT, with the user logged in again.
   */
  importTrustedRsaPublicKey(key: RsaPublicComponents, label: string, soPin: string): void {
    const s = this.s();
    call('login', () => this.p11.C_Logout(s));
    this.sessionId = ++sessionCounter;
    try {
      call('login', () => this.p11.C_Login(s, pkcs11js.CKU_SO, soPin));
      try {
        call('create', () =>
          this.p11.C_CreateObject(s, [
            { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
            { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
            { type: pkcs11js.CKA_TOKEN, value: true },
            { type: pkcs11js.CKA_PRIVATE, value: false },
            { type: pkcs11js.CKA_TRUSTED, value: true },
            { type: pkcs11js.CKA_LABEL, value: label },
            { type: pkcs11js.CKA_MODULUS, value: Buffer.from(key.n) },
            { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from(key.e) },
            ...Pkcs11Token.pairUsage('wrap').publicKey,
          ]),
        );
      } finally {
        try {
          this.p11.C_Logout(s);
        } catch {
          // the user login below is what matters
        }
      }
    } finally {
      call('login', () => this.p11.C_Login(s, pkcs11js.CKU_USER, this.userPin));
    }
  }

  /** C_WrapKey with RSA-OAEP (SHA-1, MGF1-SHA-1, empty label): as long as the modulus. */
  wrapKeyRsaOaep(publicKey: KeyHandle, key: KeyHandle): Uint8Array {
    const pk = this.raw(publicKey);
    const k = this.raw(key);
    const s = this.s();
    return new Uint8Array(
      call('wrap', () => this.p11.C_WrapKey(s, RSA_OAEP_SHA1, pk, k, Buffer.alloc(MAX_RSA_BYTES))),
    );
  }

  /**
   * C_UnwrapKey with RSA-OAEP (SHA-1, MGF1-SHA-1, empty label) into an AES session object. SoftHSM2 2.6
   * accepts any length here and leaves CKA_VALUE_LEN at 0, so the result is of unproven length: wrap it
   * only with wrapAes256OfUnknownLength. Bytes that do not decrypt: WRAPPED_KEY_INVALID.
   */
  unwrapAesKeyRsaOaep(
    privateKey: KeyHandle,
    wrapped: Uint8Array,
    opts: Omit<UnwrapAesKeyOptions, 'variant'> & {
      /** A token object with this label, CKA_WRAP_WITH_TRUSTED when extractable; a session object otherwise. */
      tokenLabel?: string;
    },
  ): KeyHandle {
    const pk = this.raw(privateKey);
    const s = this.s();
    const persistent =
      opts.tokenLabel === undefined
        ? [{ type: pkcs11js.CKA_TOKEN, value: false }]
        : [
            { type: pkcs11js.CKA_TOKEN, value: true },
            { type: pkcs11js.CKA_LABEL, value: opts.tokenLabel },
            { type: pkcs11js.CKA_WRAP_WITH_TRUSTED, value: opts.extractable },
          ];
    const h = call('unwrap', () =>
      this.p11.C_UnwrapKey(s, RSA_OAEP_SHA1, pk, Buffer.from(wrapped), [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        ...persistent,
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: opts.extractable },
        ...this.usageAttributes(opts.usage),
      ]),
    );
    return this.wrapHandle(h);
  }

  /**
   * RFC 3394 wrap of an extractable 'aead' AES key whose length the token did not record (see
   * unwrapAesKeyRsaOaep), proving that it is 32 bytes without reading it: SoftHSM2 zero-pads the input
   * to a multiple of 8, so a 40-byte output means 25 to 32 bytes, and an AES-GCM operation succeeds
   * only with 16, 24 or 32 bytes. Anything else: WRAPPED_KEY_INVALID.
   */
  wrapAes256OfUnknownLength(wrappingKey: KeyHandle, key: KeyHandle): Uint8Array {
    const notAes256 = () =>
      new HsmError('WRAPPED_KEY_INVALID', 'the unwrapped key material is not an AES-256 key');
    try {
      this.aesGcmEncrypt(key, this.generateRandom(GCM_IV_LENGTH), new Uint8Array(0), new Uint8Array(0));
    } catch (err) {
      if (err instanceof HsmError && err.code === 'MECHANISM_INVALID') throw notAes256();
      throw err;
    }
    return this.wrapUnwrapped40(wrappingKey, key, notAes256);
  }

  /**
   * RFC 3394 wrap of an extractable key the token unwrapped (it recorded no length): the 40 bytes of a 32-byte key,
   * else `notAes256()`. Alone only for a key known to be 32 bytes, such as the RFC 3394 unwrap of an EKT.
   */
  wrapUnwrapped40(wrappingKey: KeyHandle, key: KeyHandle, notAes256: () => Error): Uint8Array {
    const wk = this.raw(wrappingKey);
    const k = this.raw(key);
    const s = this.s();
    let wrapped: Buffer;
    try {
      wrapped = this.p11.C_WrapKey(s, Pkcs11Token.wrapMechanism('rfc3394'), wk, k, Buffer.alloc(64));
    } catch (err) {
      const e = tokenError(err, 'wrap');
      // SoftHSM2: an empty key is not wrappable, a key under 8 bytes is out of range.
      if (e.code === 'KEY_NOT_WRAPPABLE' || e.code === 'DATA_LEN_RANGE') throw notAes256();
      throw e;
    }
    if (wrapped.length !== WRAPPED_KEY_MATERIAL_LENGTH) throw notAes256();
    return new Uint8Array(wrapped);
  }
}

function checkWrappedLength(wrapped: Uint8Array, variant: KeyWrapVariant): void {
  const min = variant === 'rfc3394' ? 24 : 16;
  /* Precondition: a wrapped key must be a multiple of 8 bytes, at least 24 (RFC 3394) or 16 (RFC 5649). */
  needs(
    wrapped.length >= min && wrapped.length % 8 === 0,
    'a wrapped key must be a multiple of 8 bytes, at least 24 (RFC 3394) or 16 (RFC 5649)',
    'WRAPPED_KEY_INVALID',
  );
}

/**
 * SoftHSM2 2.6 zero-pads a key whose length is not a multiple of 8 bytes BEFORE wrapping it, with both
 * CKM_AES_KEY_WRAP (not RFC 3394: such input must be rejected) and CKM_AES_KEY_WRAP_PAD (the result is
 * the RFC 5649 wrap of the padded key, so it unwraps to a longer key). Both would be silent wrong
 * results, so the token path refuses those lengths before calling the token. Its unwrap side is
 * correct RFC 5649 for every length.
 */
function checkWrapInputLength(length: number, variant: KeyWrapVariant): void {
  if (variant === 'rfc3394') {
    /* Precondition: RFC 3394 wraps a multiple of 8 bytes, at least 16. */
    needs(
      length >= 16 && length % 8 === 0,
      'RFC 3394 wraps a multiple of 8 bytes, at least 16',
      'DATA_LEN_RANGE',
    );
  } else {
    /* Precondition: RFC 5649 wrapping on the token takes a multiple of 8 bytes. */
    needs(
      length % 8 === 0,
      'RFC 5649 wrapping on the token takes a multiple of 8 bytes',
      'UNSUPPORTED_PARAMETERS',
    );
  }
}
