/**
 * `@symbolon/sdk/pkcs11` (Node only): a customer key held in the customer's own PKCS#11 token, which never leaves it
 * (ADR 0016). It is a `customer-key` authority and wraps exactly as CustomerKey does (AES-256-GCM, a random 12-byte
 * IV, AAD = the binding's canonical bytes, wrapped = IV || ciphertext || tag), inside the token: an envelope made
 * with a key file opens with the same key imported into a token, and the reverse. Its key id is the key's CKA_ID (8
 * bytes). This entry point loads pkcs11js (a native addon): the core, node and browser entry points never import it
 * statically (eslint), `loadConfig` imports it only for a `pkcs11` authority.
 */
import { type EnvelopeAuthority, decodeHex, encodeHex } from '@symbolon/formats';
import { HsmError, type KeyHandle, Pkcs11Token } from '@symbolon/pkcs11';

import type { Authority, Binding } from '../core/authority.js';
import { DOES_NOT_UNWRAP, customerKeyId, unwrapCustomer, wrapCustomer } from '../core/customer-key.js';
import { SdkError, needs } from '../core/errors.js';

/** Where a customer's key is: the PKCS#11 module, the token (by label), its user PIN, and the key (by CKA_LABEL). */
export interface Pkcs11KeyOptions {
  /** Path of the vendor's PKCS#11 library (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so). */
  module: string;
  tokenLabel: string;
  /** The user PIN: never put in an error or kept beyond the open token. */
  pin: string;
  keyLabel: string;
}

/** A token key's CKA_ID: 8 bytes, the 16 hex digits an envelope records as its keyId. */
const KEY_ID_LENGTH = 8;
const AES_256_LENGTH = 32;

/** One open token per module and label in this process (Pkcs11Token allows one), shared by its keys. */
interface SharedToken {
  token: Pkcs11Token;
  pin: string;
  refs: number;
}
const openTokens = new Map<string, SharedToken>();
const tokenKey = (opts: Pick<Pkcs11KeyOptions, 'module' | 'tokenLabel'>): string =>
  JSON.stringify([opts.module, opts.tokenLabel]);

/** What a token operation that set-up needs answered, as the SDK's CONFIG error (never the PIN). */
function setupError(e: unknown, opts: Pkcs11KeyOptions): SdkError {
  if (e instanceof SdkError) return e;
  const where = `PKCS#11 token '${opts.tokenLabel}'`;
  if (!(e instanceof HsmError)) return new SdkError('CONFIG', `${where} cannot be used`);
  switch (e.code) {
    case 'TOKEN_NOT_FOUND':
      return new SdkError(
        'CONFIG',
        `no initialised PKCS#11 token is labelled '${opts.tokenLabel}' (module ${opts.module})`,
      );
    case 'PIN_INCORRECT':
      return new SdkError('CONFIG', `the PIN given for ${where} is wrong`);
    case 'PIN_LOCKED':
      return new SdkError('CONFIG', `the user PIN of ${where} is locked or expired`);
    case 'TOKEN_IN_USE':
      return new SdkError('CONFIG', `${where} is already open in this process outside the SDK`);
    default:
      // HsmError messages name the operation and the CKR_* value, or the module path: never a PIN or key bytes.
      return new SdkError('CONFIG', `${where} cannot be used: ${e.message}`);
  }
}

function checkOptions(opts: Pkcs11KeyOptions): void {
  /* Precondition: a PKCS#11 customer key names a module, a token label, a PIN and a key label. */
  needs(
    [opts.module, opts.tokenLabel, opts.pin, opts.keyLabel].every(
      (v) => typeof v === 'string' && v.length > 0,
    ),
    'a PKCS#11 customer key names a module, a token label, a PIN and a key label',
  );
}

function acquireToken(opts: Pkcs11KeyOptions): Pkcs11Token {
  const key = tokenKey(opts);
  const shared = openTokens.get(key);
  if (shared) {
    // The token is logged in already: a different PIN is refused rather than silently accepted.
    if (shared.pin !== opts.pin)
      throw new SdkError('CONFIG', `the PIN given for PKCS#11 token '${opts.tokenLabel}' is wrong`);
    shared.refs += 1;
    return shared.token;
  }
  let token: Pkcs11Token;
  try {
    token = Pkcs11Token.open({ modulePath: opts.module, tokenLabel: opts.tokenLabel, pin: opts.pin });
  } catch (e) {
    throw setupError(e, opts);
  }
  openTokens.set(key, { token, pin: opts.pin, refs: 1 });
  return token;
}

function releaseToken(key: string): void {
  const shared = openTokens.get(key);
  if (!shared) return;
  shared.refs -= 1;
  if (shared.refs > 0) return;
  openTokens.delete(key);
  shared.token.close();
}

/** Runs `use` on the token of `opts`, opened for it (or shared) and released afterwards; failures as CONFIG. */
function withToken<T>(opts: Pkcs11KeyOptions, use: (token: Pkcs11Token) => T): T {
  checkOptions(opts);
  const token = acquireToken(opts);
  try {
    return use(token);
  } catch (e) {
    throw setupError(e, opts);
  } finally {
    releaseToken(tokenKey(opts));
  }
}

/** Refuses a label that already names a key of the token: one label, one key. */
function refuseTaken(token: Pkcs11Token, opts: Pkcs11KeyOptions): void {
  if (token.findSecretKeys(opts.keyLabel).length > 0) {
    throw new SdkError(
      'CONFIG',
      `a key labelled '${opts.keyLabel}' already exists on PKCS#11 token '${opts.tokenLabel}': choose another label`,
    );
  }
}

/**
 * Imports a customer's raw AES-256 key (a key file's bytes) into the token as a private, sensitive, non-extractable
 * token object labelled `keyLabel` that may only encrypt and decrypt, with CKA_ID = the key id CustomerKey derives from
 * the same bytes (customerKeyId): envelopes made with the key file still match it. Returns that key id.
 */
export async function importKeyToToken(opts: Pkcs11KeyOptions & { raw: Uint8Array }): Promise<string> {
  /* Precondition: a key to import into a token is 32 bytes (AES-256). */
  needs(opts.raw.length === AES_256_LENGTH, 'a key to import into a token is 32 bytes (AES-256)');
  const keyId = await customerKeyId(opts.raw);
  return withToken(opts, (token) => {
    refuseTaken(token, opts);
    token.importAesKey(opts.raw, 'aead', {
      token: true,
      label: opts.keyLabel,
      id: decodeHex(keyId),
    });
    return keyId;
  });
}

/**
 * Generates a new AES-256 key inside the token (sensitive, never extractable, encrypt and decrypt only), labelled
 * `keyLabel`, with a random 8-byte CKA_ID. Returns its key id (the CKA_ID's hex). The key exists only in the token:
 * losing the token loses every envelope that needs it.
 */
export function generateKeyInToken(opts: Pkcs11KeyOptions): string {
  return withToken(opts, (token) => {
    refuseTaken(token, opts);
    const id = crypto.getRandomValues(new Uint8Array(KEY_ID_LENGTH));
    token.generateAesKey({
      length: AES_256_LENGTH,
      usage: 'aead',
      token: true,
      label: opts.keyLabel,
      sensitive: true,
      extractable: false,
      id,
    });
    return encodeHex(id);
  });
}

/**
 * A customer key in the customer's PKCS#11 token, used for wrap and unwrap through the token's AES-GCM: the key never
 * leaves it. `close()` ends its use of the token (the token closes when no key of this process uses it).
 */
export class Pkcs11CustomerKey implements Authority {
  private key: KeyHandle | null;

  private constructor(
    readonly id: string,
    private readonly token: Pkcs11Token,
    key: KeyHandle,
    readonly keyId: string,
    private readonly tokenLabel: string,
    /** Its entry in openTokens. */
    private readonly shared: string,
  ) {
    this.key = key;
  }

  /**
   * Opens the token, logs in with the PIN and finds the key labelled `keyLabel`: exactly one AES-256 key that can
   * encrypt and decrypt, with an 8-byte CKA_ID. Anything else is an SdkError CONFIG.
   */
  static open(id: string, opts: Pkcs11KeyOptions): Pkcs11CustomerKey {
    checkOptions(opts);
    const token = acquireToken(opts);
    try {
      const where = `key '${opts.keyLabel}' on PKCS#11 token '${opts.tokenLabel}'`;
      const found = token.findSecretKeys(opts.keyLabel);
      if (found.length === 0) {
        throw new SdkError(
          'CONFIG',
          `no key is labelled '${opts.keyLabel}' on PKCS#11 token '${opts.tokenLabel}'`,
        );
      }
      if (found.length > 1) {
        throw new SdkError(
          'CONFIG',
          `${found.length} keys are labelled '${opts.keyLabel}' on PKCS#11 token '${opts.tokenLabel}': a label must name one key`,
        );
      }
      const key = found[0]!;
      const attrs = token.getSecretKeyAttributes(key);
      if (
        attrs.keyType !== 'aes' ||
        attrs.valueLength !== AES_256_LENGTH ||
        !attrs.encrypt ||
        !attrs.decrypt
      ) {
        throw new SdkError('CONFIG', `${where} is not an AES-256 key that may encrypt and decrypt`);
      }
      const keyId = token.getKeyId(key);
      if (keyId.length !== KEY_ID_LENGTH) {
        throw new SdkError(
          'CONFIG',
          `${where} has no 8-byte CKA_ID (its key id in envelopes): import or generate it with the SDK, or give it one`,
        );
      }
      return new Pkcs11CustomerKey(id, token, key, encodeHex(keyId), opts.tokenLabel, tokenKey(opts));
    } catch (e) {
      releaseToken(tokenKey(opts));
      throw setupError(e, opts);
    }
  }

  describe(): EnvelopeAuthority {
    return { id: this.id, type: 'customer-key', keyId: this.keyId };
  }

  async wrap(plaintext: Uint8Array, binding: Binding): Promise<Uint8Array> {
    return wrapCustomer(plaintext, binding, (iv, aad, bytes) =>
      this.use('wrap', (key) => this.token.aesGcmEncrypt(key, iv, aad, bytes)),
    );
  }

  async unwrap(wrapped: Uint8Array, binding: Binding): Promise<Uint8Array> {
    return unwrapCustomer(this.id, wrapped, binding, (iv, aad, sealed) =>
      this.use('unwrap', (key) => this.token.aesGcmDecrypt(key, iv, aad, sealed)),
    );
  }

  /** Ends this key's use of the token; wrap and unwrap fail afterwards. Closing twice does nothing. */
  close(): void {
    if (this.key === null) return;
    this.key = null;
    releaseToken(this.shared);
  }

  /** A token operation on the key, its failure as AUTHORITY_FAILED naming this authority. */
  private use(what: 'wrap' | 'unwrap', run: (key: KeyHandle) => Uint8Array): Uint8Array {
    if (this.key === null) {
      throw new SdkError(
        'AUTHORITY_FAILED',
        `the PKCS#11 customer key is closed: it cannot ${what}`,
        this.id,
      );
    }
    try {
      return run(this.key);
    } catch (e) {
      if (e instanceof HsmError && e.code === 'ENCRYPTED_DATA_INVALID') {
        throw new SdkError('AUTHORITY_FAILED', DOES_NOT_UNWRAP, this.id);
      }
      const cause = e instanceof HsmError ? e.message : 'the token failed';
      throw new SdkError(
        'AUTHORITY_FAILED',
        `PKCS#11 token '${this.tokenLabel}' could not ${what}: ${cause}`,
        this.id,
      );
    }
  }
}
