/**
 * The AWS Encryption SDK for JavaScript (@aws-crypto/client-node), a client nobody here wrote, with a KMS keyring whose
 * client is an @aws-sdk/client-kms client pointed at the platform started as the README's start command does.
 *
 * ESDK semantics, unlike Symbolon's own SDK: a keyring with several keys is any-of. Encrypt asks the generator key for
 * a data key (GenerateDataKey) and every other key to wrap it too (Encrypt); decrypt needs any one of them (Decrypt).
 */
import {
  AlgorithmSuiteIdentifier,
  CommitmentPolicy,
  KmsKeyringNode,
  buildClient,
} from '@aws-crypto/client-node';
import { CreateKeyCommand, KMS, type KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { randomBytes } from 'node:crypto';

import { auditDbPath, pollUntil, readAuditRows } from '../libs/testing/src/invariants/audit-db.js';

jest.setTimeout(120_000);

const START_TIMEOUT = 240_000;
const MIB = 1024 * 1024;
const CONTEXT = { purpose: 'esdk-interop', tenant: 'e2e', 'non-ascii': 'schlüssel' };

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

let platform: TestPlatform;
let kms: KMSClient;
/** Key ARNs: the ESDK records the key that wrapped each data key as its ARN (provider info). */
let keyA: string;
let keyB: string;
let stranger: string;
/** Every region the keyrings asked the client supplier for. */
const regionsAsked: string[] = [];
let plaintext: Buffer;

/** A KMS keyring whose client talks to the platform; `KMS` is KMSClient plus the methods the keyring calls. */
function keyring(generatorKeyId: string, keyIds: string[] = []): KmsKeyringNode {
  return new KmsKeyringNode({
    generatorKeyId,
    keyIds,
    clientProvider: (region: string) => {
      regionsAsked.push(region);
      return new KMS({
        endpoint: platform.endpoint,
        region,
        credentials: {
          accessKeyId: platform.credentials.accessKeyId,
          secretAccessKey: platform.credentials.secretAccessKey,
        },
      });
    },
  });
}

async function createKey(description: string): Promise<string> {
  const out = await kms.send(new CreateKeyCommand({ Description: description }));
  return out.KeyMetadata!.Arn!;
}

/** The rejection of a decrypt that must fail. Errors thrown by node:crypto come from another realm than Jest's, so
 * this checks the shape, not `instanceof Error`. */
async function failure(p: Promise<unknown>): Promise<{ message: string }> {
  const outcome = await p.then(
    () => ({ unexpectedSuccess: true }),
    (e: unknown) => e,
  );
  expect(outcome).toEqual(expect.objectContaining({ message: expect.any(String) }));
  return outcome as { message: string };
}

beforeAll(async () => {
  platform = await startTestPlatform();
  kms = platform.kms();
  keyA = await createKey('esdk generator');
  keyB = await createKey('esdk second key');
  stranger = await createKey('esdk key nothing was encrypted for');
  plaintext = randomBytes(MIB);
}, START_TIMEOUT);

afterAll(async () => {
  kms?.destroy();
  await platform?.stop();
}, START_TIMEOUT);

describe('AWS Encryption SDK with a KMS keyring on Symbolon', () => {
  describe('one key', () => {
    let message: Buffer;

    beforeAll(async () => {
      const { result } = await encrypt(keyring(keyA), plaintext, { encryptionContext: CONTEXT });
      message = result;
    });

    it('should decrypt 1 MiB to the same bytes with the encryption context in the header when encrypted under one key', async () => {
      expect(message.length).toBeGreaterThan(MIB);
      expect(message.includes(plaintext.subarray(0, 64))).toBe(false);
      const { plaintext: decrypted, messageHeader } = await decrypt(keyring(keyA), message);
      expect(decrypted.length).toBe(MIB);
      expect(Buffer.compare(decrypted, plaintext)).toBe(0);
      // The committing suite signs: the ESDK adds its public key to the context; ours is there unchanged.
      expect(messageHeader.suiteId).toBe(
        AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
      );
      expect(messageHeader.encryptionContext).toEqual({
        ...CONTEXT,
        'aws-crypto-public-key': expect.any(String),
      });
      expect(messageHeader.encryptedDataKeys.map((k) => [k.providerId, k.providerInfo])).toEqual([
        ['aws-kms', keyA],
      ]);
      expect(new Set(regionsAsked)).toEqual(new Set([platform.credentials.region]));
    });

    it('should have asked the platform for a data key and its decryption under the key when the round trip ran', async () => {
      const rows = await pollUntil(
        () => readAuditRows(auditDbPath(platform.dataDir)).filter((r) => r.keyArn === keyA),
        (found) =>
          ['GenerateDataKey', 'Decrypt'].every((op) =>
            found.some((r) => r.operation === op && r.outcome === 'ok'),
          ),
        15_000,
      );
      const ops = rows.filter((r) => r.outcome === 'ok').map((r) => r.operation);
      expect(ops).toEqual(expect.arrayContaining(['GenerateDataKey', 'Decrypt']));
      // The plaintext data key is the caller's: never in an audit record.
      const tenants = new Set(rows.map((r) => r.tenantId));
      expect(tenants).toEqual(new Set([platform.credentials.accountId]));
    });

    it('should refuse to decrypt when the keyring holds only a key the message was not encrypted for', async () => {
      const err = await failure(decrypt(keyring(stranger), message));
      expect(err.message).toMatch(/unencryptedDataKey has not been set/);
    });

    it('should refuse to decrypt when the header is rewritten to name a key the data key was not wrapped under', async () => {
      // Same-length ARNs: the keyring finds "its" data key and asks the platform to decrypt it under the wrong key.
      const rewritten = Buffer.from(message.toString('latin1').replace(keyA, stranger), 'latin1');
      expect(rewritten.includes(Buffer.from(stranger))).toBe(true);
      const before = readAuditRows(auditDbPath(platform.dataDir)).length;
      const err = await failure(decrypt(keyring(stranger), rewritten));
      expect(err.message).toMatch(/^Unable to decrypt data key/);
      const refused = await pollUntil(
        () =>
          readAuditRows(auditDbPath(platform.dataDir))
            .slice(before)
            // Records are stored up to 100 ms after the answer: the earlier tests' successful ones may still arrive.
            .filter((r) => r.operation === 'Decrypt' && r.outcome !== 'ok'),
        (found) => found.length >= 1,
        15_000,
      );
      expect(refused.map((r) => r.outcome)).toEqual(['IncorrectKeyException']);
      const decryptedUnderStranger = readAuditRows(auditDbPath(platform.dataDir)).filter(
        (r) => r.operation === 'Decrypt' && r.keyArn === stranger && r.outcome === 'ok',
      );
      expect(decryptedUnderStranger).toEqual([]);
    });

    it.each([
      ['a byte of the message id in the header', 10, /^Commitment does not match/],
      ['a byte of the body', MIB / 2, /unable to authenticate data/],
      ['the last byte (the signature)', -1, /^Invalid Signature/],
    ])('should refuse to decrypt when %s is flipped', async (_, at, expected) => {
      const tampered = Buffer.from(message);
      const i = at < 0 ? tampered.length + at : at;
      tampered[i] = tampered[i]! ^ 0x01;
      const err = await failure(decrypt(keyring(keyA), tampered));
      expect(err.message).toMatch(expected);
    });

    it('should refuse to decrypt when the message is truncated', async () => {
      const err = await failure(decrypt(keyring(keyA), message.subarray(0, message.length - 200)));
      expect(err.message).toMatch(/^Incomplete message/);
    });
  });

  describe('two keys (generator + one more)', () => {
    let message: Buffer;

    beforeAll(async () => {
      const { result, messageHeader } = await encrypt(keyring(keyA, [keyB]), plaintext, {
        encryptionContext: CONTEXT,
      });
      message = result;
      expect(messageHeader.encryptedDataKeys.map((k) => k.providerInfo)).toEqual([keyA, keyB]);
    });

    it.each([
      ['the generator alone', () => [keyA, []] as const],
      ['the second key alone', () => [keyB, []] as const],
      ['both keys', () => [keyA, [keyB]] as const],
      ['both keys, second key first', () => [keyB, [keyA]] as const],
    ])('should decrypt to the same bytes when the keyring holds %s', async (_, keys) => {
      const [generator, others] = keys();
      const { plaintext: decrypted, messageHeader } = await decrypt(keyring(generator, [...others]), message);
      expect(Buffer.compare(decrypted, plaintext)).toBe(0);
      expect(messageHeader.encryptionContext).toMatchObject(CONTEXT);
    });

    it('should have used the second key itself when only the second key decrypted', async () => {
      const rows = await pollUntil(
        () => readAuditRows(auditDbPath(platform.dataDir)).filter((r) => r.keyArn === keyB),
        (found) => found.some((r) => r.operation === 'Decrypt' && r.outcome === 'ok'),
        15_000,
      );
      expect(rows.map((r) => `${r.operation}:${r.outcome}`)).toEqual(
        expect.arrayContaining(['Encrypt:ok', 'Decrypt:ok']),
      );
    });

    it('should refuse to decrypt when neither key is in the keyring', async () => {
      const err = await failure(decrypt(keyring(stranger), message));
      expect(err.message).toMatch(/unencryptedDataKey has not been set/);
    });

    it('should refuse to decrypt when a byte of the body is flipped', async () => {
      const tampered = Buffer.from(message);
      const i = Math.floor(MIB / 3);
      tampered[i] = tampered[i]! ^ 0x80;
      const err = await failure(decrypt(keyring(keyB), tampered));
      expect(err.message).toMatch(/unable to authenticate data/);
    });
  });
});
