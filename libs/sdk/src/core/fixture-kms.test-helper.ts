/*
 * ============================================================================================================
 *  INSECURE TEST DOUBLE - FOR TESTS AND COMMITTED FIXTURES ONLY. NEVER USE IT TO PROTECT ANYTHING.
 * ============================================================================================================
 * FixtureKms stands in for a KMS key so that the committed envelope fixtures (libs/formats/test-vectors/
 * envelopes-v1.json) can be decrypted forever without a running KMS. Its key is a fixed, published 32-byte value.
 */
import { type EnvelopeAuthority, decodeHex } from '@symbolon/formats';

import type { Authority, Binding } from './authority.js';
import { CustomerKey } from './customer-key.js';
import { SdkError } from './errors.js';

const SECRET_LENGTH = 32;

/**
 * INSECURE TEST DOUBLE of a `kms` authority: a CustomerKey's wrap (AES-256-GCM, random 12-byte IV, AAD = the binding's
 * canonical bytes) under a fixed key given in the clear. It describes itself as a real KMS key does (`{ id, type:
 * 'kms', keyArn }`), so the headers it writes are those of a real KMS authority; only the wrapped bytes differ (a real
 * KMS answers its own ciphertext blob), and only this double unwraps them.
 */
export class FixtureKms implements Authority {
  private constructor(
    readonly keyArn: string,
    private readonly inner: CustomerKey,
  ) {}

  /** INSECURE TEST DOUBLE: `raw` is a published test key (32 bytes). */
  static async create(id: string, keyArn: string, raw: Uint8Array): Promise<FixtureKms> {
    if (raw.length !== 32) throw new SdkError('CONFIG', 'a FixtureKms key is 32 bytes');
    return new FixtureKms(keyArn, await CustomerKey.fromBytes(id, raw));
  }

  get id(): string {
    return this.inner.id;
  }

  describe(): EnvelopeAuthority {
    return { id: this.id, type: 'kms', keyArn: this.keyArn };
  }

  wrap(plaintext: Uint8Array, binding: Binding): Promise<Uint8Array> {
    return this.inner.wrap(plaintext, binding);
  }

  unwrap(wrapped: Uint8Array, binding: Binding): Promise<Uint8Array> {
    return this.inner.unwrap(wrapped, binding);
  }

  /** As KMS GenerateDataKey: a fresh secret and its wrap (the first layer of a chain). */
  async generate(binding: Binding): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }> {
    const plaintext = crypto.getRandomValues(new Uint8Array(SECRET_LENGTH));
    return { plaintext, wrapped: await this.wrap(plaintext, binding) };
  }
}

/** An authority of envelopes-v1.json: a TEST-ONLY key written in the clear in that file. */
export type FixtureAuthority =
  | { id: string; type: 'kms'; keyArn: string; testOnlyKeyHex: string }
  | { id: string; type: 'customer-key'; keyId: string; testOnlyKeyHex: string };

/** The reader's authorities for the fixture file's entries: CustomerKey from the raw test key, or a FixtureKms. */
export async function fixtureAuthorities(entries: readonly FixtureAuthority[]): Promise<Authority[]> {
  return Promise.all(
    entries.map((e) =>
      e.type === 'kms'
        ? FixtureKms.create(e.id, e.keyArn, decodeHex(e.testOnlyKeyHex))
        : CustomerKey.fromBytes(e.id, decodeHex(e.testOnlyKeyHex)),
    ),
  );
}

/** The SdkError `p` rejects with (anything else, or no rejection, fails the test). */
export async function sdkFailure(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SdkError) return e;
    throw e;
  }
  throw new Error('expected an SdkError');
}
