/** What both baselines do in place of the platform's HSM: AES-256-GCM in memory, the encryption context as AAD. */
import { createCipheriv, randomBytes } from 'node:crypto';

/** The NATS subject of baseline B. */
export const ENCRYPT_PATTERN = 'bench.v1.encrypt';

const key = randomBytes(32);

export interface EncryptFields {
  KeyId?: unknown;
  Plaintext?: unknown;
  EncryptionContext?: unknown;
}

/** A KMS-like Encrypt reply: CiphertextBlob = base64(iv | ciphertext | tag). */
export function encryptReply(input: EncryptFields): {
  CiphertextBlob: string;
  KeyId: string;
  EncryptionAlgorithm: string;
} {
  if (typeof input.KeyId !== 'string' || typeof input.Plaintext !== 'string')
    throw new Error('KeyId and Plaintext are required');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(JSON.stringify(input.EncryptionContext ?? {})));
  const body = Buffer.concat([cipher.update(Buffer.from(input.Plaintext, 'base64')), cipher.final()]);
  return {
    CiphertextBlob: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64'),
    KeyId: input.KeyId,
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
}
