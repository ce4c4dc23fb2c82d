import {
  ENVELOPE_CUSTOMER_KEY_ID_PATTERN,
  type EnvelopeAuthority,
  bindingAad,
  bufferSource,
  encodeHex,
} from '@symbolon/formats';

import type { Authority, Binding } from './authority.js';
import { SdkError, needs } from './errors.js';

const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const KEY_ID_LABEL = new TextEncoder().encode('symbolon.customer-key.v1');

/** The key id an envelope records for a raw customer key: 8 bytes of SHA-256("symbolon.customer-key.v1" || key), hex. */
export async function customerKeyId(raw: Uint8Array): Promise<string> {
  const input = new Uint8Array(KEY_ID_LABEL.length + raw.length);
  input.set(KEY_ID_LABEL);
  input.set(raw, KEY_ID_LABEL.length);
  return encodeHex(new Uint8Array(await crypto.subtle.digest('SHA-256', input)).subarray(0, 8));
}

/** What unwrapping under the wrong key, binding or bytes says (no more: which of them is not told). */
export const DOES_NOT_UNWRAP =
  'the value does not unwrap under this key and binding (another key, envelope, place or context)';

/**
 * A customer key's wrap: AES-256-GCM with a fresh 12-byte IV and the binding's canonical bytes as AAD, written
 * IV || ciphertext || tag. `seal` is the key's AES-GCM (WebCrypto, or a token's); the same layout for every kind of
 * customer key, so a key moved from a file into a token reads what it wrapped before.
 */
export async function wrapCustomer(
  plaintext: Uint8Array,
  binding: Binding,
  seal: (iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) => Promise<Uint8Array> | Uint8Array,
): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_LENGTH));
  const sealed = await seal(iv, bindingAad(binding), plaintext);
  const out = new Uint8Array(IV_LENGTH + sealed.length);
  out.set(iv);
  out.set(sealed, IV_LENGTH);
  return out;
}

/** The reverse of wrapCustomer, `open` being the key's AES-GCM decryption; a value too short is refused first. */
export async function unwrapCustomer(
  authorityId: string,
  wrapped: Uint8Array,
  binding: Binding,
  open: (iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array) => Promise<Uint8Array> | Uint8Array,
): Promise<Uint8Array> {
  if (wrapped.length < IV_LENGTH + TAG_LENGTH) {
    throw new SdkError('AUTHORITY_FAILED', 'the wrapped value is too short for AES-GCM', authorityId);
  }
  return open(wrapped.subarray(0, IV_LENGTH), bindingAad(binding), wrapped.subarray(IV_LENGTH));
}

/**
 * A customer's AES-256 key used through WebCrypto: wraps with AES-256-GCM, a random 12-byte IV, and the binding's
 * canonical bytes as AAD (wrapped = IV || ciphertext || tag). The key can be non-extractable (a browser's IndexedDB
 * key): the SDK never needs its bytes.
 */
export class CustomerKey implements Authority {
  private constructor(
    readonly id: string,
    private readonly key: CryptoKey,
    readonly keyId: string,
  ) {}

  /** From the 32 raw bytes of a key file: imported non-extractable; only its id is derived from the bytes. */
  static async fromBytes(id: string, raw: Uint8Array): Promise<CustomerKey> {
    /* Precondition: a customer key is 32 bytes (AES-256). */
    needs(raw.length === 32, 'a customer key is 32 bytes (AES-256)');
    const key = await crypto.subtle.importKey('raw', bufferSource(raw), 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ]);
    return new CustomerKey(id, key, await customerKeyId(raw));
  }

  /** From a WebCrypto AES-GCM key (extractable or not) and the key id the customer recorded for it. */
  static fromCryptoKey(id: string, key: CryptoKey, keyId: string): CustomerKey {
    /* Precondition: a customer CryptoKey is an AES-GCM key of 256 bits that can encrypt and decrypt. */
    needs(
      key.algorithm.name === 'AES-GCM' &&
        (key.algorithm as AesKeyAlgorithm).length === 256 &&
        key.usages.includes('encrypt') &&
        key.usages.includes('decrypt'),
      'a customer CryptoKey is an AES-GCM key of 256 bits that can encrypt and decrypt',
    );
    /* Precondition: a customer key id is 16 hex digits. */
    needs(ENVELOPE_CUSTOMER_KEY_ID_PATTERN.test(keyId), 'a customer key id is 16 hex digits');
    return new CustomerKey(id, key, keyId);
  }

  describe(): EnvelopeAuthority {
    return { id: this.id, type: 'customer-key', keyId: this.keyId };
  }

  async wrap(plaintext: Uint8Array, binding: Binding): Promise<Uint8Array> {
    return wrapCustomer(
      plaintext,
      binding,
      async (iv, aad, bytes) =>
        new Uint8Array(
          await crypto.subtle.encrypt(
            { name: 'AES-GCM', iv: bufferSource(iv), additionalData: bufferSource(aad) },
            this.key,
            bufferSource(bytes),
          ),
        ),
    );
  }

  async unwrap(wrapped: Uint8Array, binding: Binding): Promise<Uint8Array> {
    return unwrapCustomer(this.id, wrapped, binding, async (iv, aad, sealed) => {
      try {
        return new Uint8Array(
          await crypto.subtle.decrypt(
            { name: 'AES-GCM', iv: bufferSource(iv), additionalData: bufferSource(aad) },
            this.key,
            bufferSource(sealed),
          ),
        );
      } catch {
        throw new SdkError('AUTHORITY_FAILED', DOES_NOT_UNWRAP, this.id);
      }
    });
  }
}
