import type { KMSClient } from '@aws-sdk/client-kms';
import type { EnvelopeAuthority } from '@symbolon/formats';

import type { Authority, Binding } from './authority.js';
import { SdkError, causeOf } from './errors.js';

/**
 * The client's commands, loaded at the first call: a program that never asks a KMS (a customer key alone) does not
 * carry the AWS SDK in its memory (about 20 MiB).
 */
const commands = () => import('@aws-sdk/client-kms');

/**
 * A key of any endpoint that speaks the AWS KMS API (Symbolon, a second Symbolon, AWS KMS): Encrypt / Decrypt with the
 * binding as the encryption context, GenerateDataKey for a secret it makes itself, ReEncrypt to another key of the
 * same endpoint. The client (endpoint, region, credentials) comes from the caller.
 */
export class KmsKey implements Authority {
  constructor(
    readonly id: string,
    private readonly client: KMSClient,
    /** The key's ARN (or id or alias to write; the ARN the KMS answers is what the header records). */
    private keyArn: string,
    /** The endpoint URL the header records for readers; absent for the region's default endpoint. */
    readonly endpoint?: string,
  ) {}

  describe(): EnvelopeAuthority {
    return {
      id: this.id,
      type: 'kms',
      keyArn: this.keyArn,
      ...(this.endpoint ? { endpoint: this.endpoint } : {}),
    };
  }

  async wrap(plaintext: Uint8Array, binding: Binding): Promise<Uint8Array> {
    const r = await this.call(async () =>
      this.client.send(
        new (await commands()).EncryptCommand({
          KeyId: this.keyArn,
          Plaintext: plaintext,
          EncryptionContext: { ...binding },
        }),
      ),
    );
    this.learnArn(r.KeyId);
    return required(r.CiphertextBlob, this.id);
  }

  async unwrap(wrapped: Uint8Array, binding: Binding): Promise<Uint8Array> {
    const r = await this.call(async () =>
      this.client.send(
        new (await commands()).DecryptCommand({
          CiphertextBlob: wrapped,
          KeyId: this.keyArn,
          EncryptionContext: { ...binding },
        }),
      ),
    );
    return required(r.Plaintext, this.id);
  }

  async generate(binding: Binding): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }> {
    const r = await this.call(async () =>
      this.client.send(
        new (await commands()).GenerateDataKeyCommand({
          KeyId: this.keyArn,
          NumberOfBytes: 32,
          EncryptionContext: { ...binding },
        }),
      ),
    );
    this.learnArn(r.KeyId);
    // Its length is checked where every generated secret is (protectDataKey).
    return { plaintext: required(r.Plaintext, this.id), wrapped: required(r.CiphertextBlob, this.id) };
  }

  async reEncrypt(wrapped: Uint8Array, binding: Binding, to: Authority): Promise<Uint8Array | undefined> {
    if (!(to instanceof KmsKey) || to.client !== this.client) return undefined;
    let r;
    try {
      r = await this.client.send(
        new (await commands()).ReEncryptCommand({
          CiphertextBlob: wrapped,
          SourceKeyId: this.keyArn,
          SourceEncryptionContext: { ...binding },
          DestinationKeyId: to.keyArn,
          DestinationEncryptionContext: { ...binding },
        }),
      );
    } catch (e) {
      // One call for two keys: the destination is named when it is the one that cannot take part.
      throw new SdkError('AUTHORITY_FAILED', causeOf(e), (await to.usable()) ? this.id : to.id);
    }
    to.learnArn(r.KeyId);
    return required(r.CiphertextBlob, this.id);
  }

  /** Whether this key can be used now (DescribeKey answers it Enabled). */
  private async usable(): Promise<boolean> {
    try {
      const { KeyMetadata } = await this.client.send(
        new (await commands()).DescribeKeyCommand({ KeyId: this.keyArn }),
      );
      return KeyMetadata?.KeyState === 'Enabled';
    } catch {
      return false;
    }
  }

  /** Once the KMS answered with the key's ARN, the header records that (an alias may later point elsewhere). */
  private learnArn(arn: string | undefined): void {
    if (arn && arn.startsWith('arn:')) this.keyArn = arn;
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (e) {
      throw new SdkError('AUTHORITY_FAILED', causeOf(e), this.id);
    }
  }
}

function required(v: Uint8Array | undefined, id: string): Uint8Array {
  if (!v) throw new SdkError('AUTHORITY_FAILED', 'the KMS answered without the expected bytes', id);
  return v;
}
