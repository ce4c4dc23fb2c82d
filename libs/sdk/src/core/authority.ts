import type { EnvelopeAuthority } from '@symbolon/formats';

/** What a wrap is bound to (the envelope id, where the wrap sits, the encryption context): docs/formats/envelope-v1.md. */
export type Binding = Readonly<Record<string, string>>;

/**
 * Anything that wraps and unwraps bytes under a binding: a customer key, a KMS key of any AWS-KMS-compatible endpoint.
 * Every authority of an envelope must take part to decrypt it.
 */
export interface Authority {
  /** The name the envelope header and the reader's configuration give it. */
  readonly id: string;
  /** What the header records so that a reader can find this authority again. */
  describe(): EnvelopeAuthority;
  wrap(plaintext: Uint8Array, binding: Binding): Promise<Uint8Array>;
  unwrap(wrapped: Uint8Array, binding: Binding): Promise<Uint8Array>;
  /** A fresh 32-byte secret and its wrap in one call, where the authority makes keys itself (KMS GenerateDataKey). */
  generate?(binding: Binding): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }>;
  /**
   * Moves a value this authority wrapped to `to` without the value leaving the service (KMS ReEncrypt); undefined when
   * it cannot (another kind of authority, another endpoint): the caller unwraps and wraps instead.
   */
  reEncrypt?(wrapped: Uint8Array, binding: Binding, to: Authority): Promise<Uint8Array | undefined>;
}
