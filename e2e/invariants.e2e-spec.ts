/**
 * Security invariants of DESIGN.md against the whole running platform (started as `npm start` does):
 *   1. no plaintext key material in the database, logs or NATS messages;
 *   3. one audit record per answered request, stored before the answer; the hash chain verifies end to end;
 *   6. every ciphertext is authenticated: any flipped bit gives InvalidCiphertextException, never plaintext.
 *
 * The tests share one platform and one ledger of answered requests; the audit test runs last and also checks the
 * whole run's requests against the audit log.
 */
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  type KMSClient,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import { natsConnectionOptions } from '@symbolon/platform';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { verifyChain } from '@symbolon/evidence';
import {
  auditDbPath,
  copyAuditDb,
  countAuditRecords,
  pollUntil,
  readAuditRows,
  readUsageCounters,
  tamperRecord,
} from '../libs/testing/src/invariants/audit-db.js';
import { attachLedger, rawKmsRequest, RequestLedger } from '../libs/testing/src/invariants/ledger.js';
import {
  type Haystack,
  needlesFor,
  readTree,
  scan,
  textNeedles,
} from '../libs/testing/src/invariants/leak-scan.js';
import { type NatsRecorder, startNatsRecorder } from '../libs/testing/src/invariants/nats-recorder.js';
import { openBlobOffline, sealBlobOffline } from '../libs/testing/src/invariants/offline-blob.js';
import { type PlantedKey, plantKnownKey, platformHsmPin } from '../libs/testing/src/invariants/plant-key.js';
import { type TestPlatform, startTestPlatform } from '../libs/testing/src/platform.js';

const ENCRYPTING = new Set(['Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext']);

function natsUrlOf(dataDir: string): string {
  return (JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8')) as { natsUrl: string }).natsUrl;
}

/** The AWS error name of a failed call, or 'ok'. */
async function outcomeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as Error).name;
  }
}

/** Runs `fn` over `items` with at most `width` calls in flight. */
async function inBatches<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width)
    out.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return out;
}

describe('Security invariants (DESIGN.md 1, 3 and 6)', () => {
  let platform: TestPlatform;
  let kms: KMSClient;
  const ledger = new RequestLedger();
  /** The known AES-256 key material, planted as the key version 1 of `planted`. */
  const material = randomBytes(32);
  let planted: PlantedKey;
  let audit: string;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'symbolon-invariants-'));
    platform = await startTestPlatform();
    kms = attachLedger(platform.kms(), ledger);
    audit = auditDbPath(platform.dataDir);
    planted = plantKnownKey({
      dataDir: platform.dataDir,
      accountId: platform.credentials.accountId,
      region: platform.credentials.region,
      material,
    });
  }, 240_000);

  afterAll(async () => {
    kms?.destroy();
    await platform?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  describe('Invariant 1: no plaintext key material outside the token', () => {
    let recorder: NatsRecorder | undefined;

    afterAll(async () => {
      await recorder?.stop();
    });

    it('should find a secret in every encoding it looks for when the secret was planted in scratch files', () => {
      const dir = mkdtempSync(join(scratch, 'control-'));
      // The brief's control: the known key's base64 in a file.
      writeFileSync(
        join(dir, 'base64.json'),
        JSON.stringify({ note: 'control', value: material.toString('base64') }),
      );
      // Every other encoding, including base64 of the key inside a longer value at each byte alignment.
      writeFileSync(join(dir, 'raw.bin'), Buffer.concat([randomBytes(7), material, randomBytes(5)]));
      writeFileSync(join(dir, 'hex-lower.txt'), `k=${material.toString('hex')};`);
      writeFileSync(join(dir, 'hex-upper.txt'), `k=${material.toString('hex').toUpperCase()};`);
      writeFileSync(join(dir, 'json-buffer.json'), JSON.stringify(material));
      for (const shift of [1, 2]) {
        const embedded = Buffer.concat([randomBytes(shift), material, randomBytes(4)]);
        writeFileSync(join(dir, `base64-shift-${shift}.txt`), embedded.toString('base64'));
        writeFileSync(join(dir, `base64url-shift-${shift}.txt`), embedded.toString('base64url'));
      }
      writeFileSync(join(dir, 'unrelated.bin'), randomBytes(4096));

      const hits = scan(readTree(dir), needlesFor('known key', material));
      const files = new Set(hits.map((h) => h.source.slice(dir.length + 1)));

      expect([...files].sort()).toEqual(
        [
          'base64.json',
          'raw.bin',
          'hex-lower.txt',
          'hex-upper.txt',
          'json-buffer.json',
          'base64-shift-1.txt',
          'base64-shift-2.txt',
          'base64url-shift-1.txt',
          'base64url-shift-2.txt',
        ].sort(),
      );
      expect(hits.find((h) => h.source.endsWith('base64.json'))?.needle).toBe(
        'known key as standard base64 at alignment 0',
      );
    });

    it('should leave no trace of planted key material in the database, logs or NATS when the key is used', async () => {
      const { dataDir } = platform;
      recorder = await startNatsRecorder(natsUrlOf(dataDir));
      const context = { purpose: 'invariant-1', tenant: 'acme' };

      // Encrypt through the gateway, open the result offline with the known key.
      const plaintext = randomBytes(64);
      const enc = await kms.send(
        new EncryptCommand({ KeyId: planted.keyId, Plaintext: plaintext, EncryptionContext: context }),
      );
      expect(enc.KeyId).toBe(planted.arn);
      const opened = openBlobOffline(material, enc.CiphertextBlob!, context);
      expect(opened.keyId).toBe(planted.keyId);
      expect(opened.plaintext.equals(plaintext)).toBe(true);

      const dec = await kms.send(
        new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context }),
      );
      expect(Buffer.from(dec.Plaintext!).equals(plaintext)).toBe(true);

      const dk = await kms.send(
        new GenerateDataKeyCommand({ KeyId: planted.arn, KeySpec: 'AES_256', EncryptionContext: context }),
      );
      expect(
        openBlobOffline(material, dk.CiphertextBlob!, context).plaintext.equals(Buffer.from(dk.Plaintext!)),
      ).toBe(true);

      // A blob sealed offline under the known key decrypts through the platform: the planted key is the one in use.
      const offlinePlaintext = randomBytes(40);
      const offlineBlob = sealBlobOffline(material, planted.keyId, 1, offlinePlaintext, context);
      const offlineDec = await kms.send(
        new DecryptCommand({ CiphertextBlob: offlineBlob, EncryptionContext: context }),
      );
      expect(offlineDec.KeyId).toBe(planted.arn);
      expect(Buffer.from(offlineDec.Plaintext!).equals(offlinePlaintext)).toBe(true);

      // Everything is on disk before scanning: the last request's audit record is stored.
      const lastRequestId = ledger.entries.at(-1)!.requestId;
      const stored = await pollUntil(
        () => readAuditRows(audit).some((r) => r.requestId === lastRequestId),
        (found) => found,
        15_000,
      );
      expect(stored).toBe(true);
      await recorder.stop();

      const nats = recorder.haystacks();
      const db = readTree(join(dataDir, 'db'));
      const logs: Haystack[] = [
        ...readTree(join(dataDir, 'logs')),
        { source: 'launcher output', data: Buffer.from(platform.output()) },
      ];
      const jetstreamStore = readTree(join(dataDir, 'nats'));

      // Controls: each haystack holds what it must, so an empty hit list below means something.
      const ektNeedle = [{ name: 'EKT (wrapped, allowed)', bytes: Buffer.from(planted.ektBase64) }];
      expect(nats.some((h) => h.source.includes(' on kms.v1.'))).toBe(true);
      expect(scan(nats, ektNeedle).length).toBeGreaterThan(0); // the coordinator sends the EKT to the hsm
      expect(scan(db, ektNeedle).length).toBeGreaterThan(0);
      expect(
        scan(logs, [{ name: 'gateway start line', bytes: Buffer.from('gateway ready') }]).length,
      ).toBeGreaterThan(0);
      expect(jetstreamStore.reduce((n, h) => n + h.data.length, 0)).toBeGreaterThan(0);

      const keyNeedles = needlesFor('known key material', material);
      expect(scan([...nats, ...db, ...logs, ...jetstreamStore], keyNeedles)).toEqual([]);

      const secretNeedles = [
        ...textNeedles('admin secretAccessKey', platform.credentials.secretAccessKey),
        ...textNeedles('HSM PIN', platformHsmPin(dataDir)),
      ];
      expect(scan([...nats, ...logs], secretNeedles)).toEqual([]);
    }, 120_000);
  });

  describe('Invariant 6: every ciphertext is authenticated', () => {
    it('should refuse every single-bit change of a blob and a one-character change of its context', async () => {
      const context = { purpose: 'invariant-6', tenant: 'acme' };
      const plaintext = randomBytes(16);
      const enc = await kms.send(
        new EncryptCommand({ KeyId: planted.keyId, Plaintext: plaintext, EncryptionContext: context }),
      );
      const blob = Buffer.from(enc.CiphertextBlob!);
      expect(blob.length).toBe(16 + 49);

      // Control: the unmodified blob with its own context decrypts.
      const ok = await kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context }));
      expect(Buffer.from(ok.Plaintext!).equals(plaintext)).toBe(true);

      const bits = [...Array(blob.length * 8).keys()];
      const outcomes = await inBatches(bits, 8, async (bit) => {
        const flipped = Buffer.from(blob);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        try {
          const r = await kms.send(
            new DecryptCommand({ CiphertextBlob: flipped, EncryptionContext: context }),
          );
          return {
            bit,
            outcome: r.Plaintext !== undefined ? 'PLAINTEXT RETURNED' : 'answered without plaintext',
          };
        } catch (e) {
          return { bit, outcome: (e as Error).name };
        }
      });
      expect(outcomes).toHaveLength(520);
      expect(outcomes.filter((o) => o.outcome !== 'InvalidCiphertextException')).toEqual([]);

      const changedContexts: Record<string, string>[] = [
        { purpose: 'invariant-7', tenant: 'acme' },
        { purpose: 'invariant-6', tenant: 'acmf' },
        { purposE: 'invariant-6', tenant: 'acme' },
        { purpose: 'invariant-6' },
        {},
      ];
      for (const ctx of changedContexts) {
        expect(
          await outcomeOf(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: ctx }))),
        ).toBe('InvalidCiphertextException');
      }
    }, 180_000);
  });

  describe('Invariant 3: every answered request is audited, durably, in a verifiable chain', () => {
    let nc: NatsConnection | undefined;

    afterAll(async () => {
      await nc?.drain();
    });

    it('should store one audit record per answered request, before answering, and keep the chain verifiable', async () => {
      const { dataDir, credentials, endpoint } = platform;
      nc = await connect(natsConnectionOptions(natsUrlOf(dataDir), 'invariants-audit'));
      const jsm = await jetstreamManager(nc);
      const lastSeq = async () => (await jsm.streams.info('KMS_EVENTS')).state.last_seq;

      const created = await kms.send(new CreateKeyCommand({ Description: 'invariant-3' }));
      const key = created.KeyMetadata!;

      // Baseline: everything answered so far is stored.
      const before = await pollUntil(
        () => countAuditRecords(audit),
        (n) => n === ledger.size,
        15_000,
      );
      expect(before).toBe(ledger.size);
      const firstOfMix = ledger.size;

      const otherAccount = credentials.accountId === '111122223333' ? '444455556666' : '111122223333';
      const context = { purpose: 'invariant-3' };
      const plain = randomBytes(32);
      const body = (o: object) => JSON.stringify(o);
      const durable: { step: string; grew: number }[] = [];
      /** Each step is one answered request; the JetStream stream must hold its record when the answer arrives. */
      const step = async (name: string, fn: () => Promise<unknown>): Promise<string> => {
        const seq = await lastSeq();
        const outcome = await outcomeOf(fn());
        durable.push({ step: name, grew: (await lastSeq()) - seq });
        return outcome;
      };

      const expected: Record<string, string> = {};
      let blob: Uint8Array | undefined;
      expected['Encrypt 1'] = await step('Encrypt 1', async () => {
        blob = (
          await kms.send(
            new EncryptCommand({ KeyId: key.KeyId, Plaintext: plain, EncryptionContext: context }),
          )
        ).CiphertextBlob;
      });
      expected['Encrypt 2'] = await step('Encrypt 2', () =>
        kms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: plain })),
      );
      expected['Decrypt 1'] = await step('Decrypt 1', () =>
        kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context })),
      );
      expected['Decrypt 2'] = await step('Decrypt 2', () =>
        kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context, KeyId: key.Arn })),
      );
      expected['DescribeKey'] = await step('DescribeKey', () =>
        kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })),
      );
      expected['ListKeys'] = await step('ListKeys', () => kms.send(new ListKeysCommand({})));
      expected['GenerateRandom'] = await step('GenerateRandom', () =>
        kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 })),
      );
      expected['GenerateDataKey'] = await step('GenerateDataKey', () =>
        kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 32 })),
      );
      expected['GenerateDataKeyWithoutPlaintext'] = await step('GenerateDataKeyWithoutPlaintext', () =>
        kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_128' })),
      );
      expected['denied Encrypt'] = await step('denied Encrypt', () =>
        kms.send(
          new EncryptCommand({
            KeyId: `arn:aws:kms:${credentials.region}:${otherAccount}:key/${randomUUID()}`,
            Plaintext: plain,
          }),
        ),
      );
      expected['unknown key'] = await step('unknown key', () =>
        kms.send(new EncryptCommand({ KeyId: randomUUID(), Plaintext: plain })),
      );
      const list = body({});
      const last = credentials.secretAccessKey.slice(-1);
      const wrongSecret = `${credentials.secretAccessKey.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`;
      expected['bad signature'] = await step('bad signature', async () => {
        const r = await rawKmsRequest(
          {
            endpoint,
            credentials: { ...credentials, secretAccessKey: wrongSecret },
            target: 'TrentService.ListKeys',
            body: list,
          },
          ledger,
        );
        if (r.status !== 200) throw Object.assign(new Error(r.type), { name: r.type });
      });
      expected['unknown access key'] = await step('unknown access key', async () => {
        const r = await rawKmsRequest(
          {
            endpoint,
            credentials: { ...credentials, accessKeyId: 'AKIAINVARIANTS000000' },
            target: 'TrentService.ListKeys',
            body: list,
          },
          ledger,
        );
        if (r.status !== 200) throw Object.assign(new Error(r.type), { name: r.type });
      });
      expected['malformed JSON'] = await step('malformed JSON', async () => {
        const r = await rawKmsRequest(
          { endpoint, credentials, target: 'TrentService.ListKeys', body: '{"Limit": 5,' },
          ledger,
        );
        if (r.status !== 200) throw Object.assign(new Error(r.type), { name: r.type });
      });
      expected['unknown target'] = await step('unknown target', async () => {
        const r = await rawKmsRequest(
          {
            endpoint,
            credentials,
            target: 'TrentService.NoSuchOperation',
            body: list,
            auditOperation: 'Unknown',
          },
          ledger,
        );
        if (r.status !== 200) throw Object.assign(new Error(r.type), { name: r.type });
      });

      expect(expected).toEqual({
        'Encrypt 1': 'ok',
        'Encrypt 2': 'ok',
        'Decrypt 1': 'ok',
        'Decrypt 2': 'ok',
        DescribeKey: 'ok',
        ListKeys: 'ok',
        GenerateRandom: 'ok',
        GenerateDataKey: 'ok',
        GenerateDataKeyWithoutPlaintext: 'ok',
        'denied Encrypt': 'AccessDeniedException',
        'unknown key': 'NotFoundException',
        'bad signature': 'InvalidSignatureException',
        'unknown access key': 'UnrecognizedClientException',
        'malformed JSON': 'SerializationException',
        'unknown target': 'UnknownOperationException',
      });
      const mix = ledger.entries.slice(firstOfMix);
      expect(mix).toHaveLength(15);
      expect(ledger.unanswered).toEqual([]);
      // Durable before answered: each answer found its record already in the (file-backed) JetStream stream.
      expect(durable.filter((d) => d.grew !== 1)).toEqual([]);

      // Exactly one record per answered request, and no more later.
      const after = await pollUntil(
        () => countAuditRecords(audit),
        (n) => n >= before + mix.length,
        15_000,
      );
      expect(after).toBe(before + mix.length);
      await new Promise((r) => setTimeout(r, 2000));
      expect(countAuditRecords(audit)).toBe(before + mix.length);

      const rows = readAuditRows(audit);
      const byRequestId = new Map(rows.map((r) => [r.requestId, r]));
      for (const e of mix) {
        const row = byRequestId.get(e.requestId);
        expect({ requestId: e.requestId, operation: row?.operation, outcome: row?.outcome }).toEqual({
          requestId: e.requestId,
          operation: e.operation,
          outcome: e.outcome,
        });
      }
      const denied = mix.find((e) => e.outcome === 'AccessDeniedException')!;
      const deniedRecord = JSON.parse(byRequestId.get(denied.requestId)!.record) as {
        decision: { effect: string; reason: string } | null;
      };
      expect(deniedRecord.decision?.effect).toBe('DENY');
      expect(deniedRecord.decision?.reason).toEqual(expect.stringMatching(/\S/));

      // Usage counters: exactly the successful Encrypt and GenerateDataKey* calls, per key version, over the whole run.
      const expectedUsage = new Map<string, number>();
      for (const e of ledger.entries) {
        if (e.outcome === 'ok' && ENCRYPTING.has(e.operation)) {
          expectedUsage.set(`${e.keyArn}#1`, (expectedUsage.get(`${e.keyArn}#1`) ?? 0) + 1);
        }
      }
      expect(expectedUsage.get(`${key.Arn}#1`)).toBe(4);
      const usage = new Map(
        readUsageCounters(audit).map((u) => [`${u.keyArn}#${u.keyVersion}`, Number(u.encryptions)]),
      );
      expect(Object.fromEntries(usage)).toEqual(Object.fromEntries(expectedUsage));

      // The whole run: every answered request has its record, with its outcome, and there are no others.
      expect(rows).toHaveLength(ledger.size);
      expect(ledger.entries.filter((e) => byRequestId.get(e.requestId)?.outcome !== e.outcome)).toEqual([]);

      // The chain verifies end to end; a changed record in a copy is named by its sequence.
      const links = rows.map((r) => ({
        sequence: Number(r.sequence),
        record: r.record,
        prevHash: r.prevHash,
        hash: r.hash,
      }));
      expect(links.map((l) => l.sequence)).toEqual(links.map((_, i) => i + 1));
      expect(verifyChain(links)).toBeUndefined();

      const copy = join(scratch, 'audit-copy.sqlite');
      await copyAuditDb(audit, copy);
      const copied = readAuditRows(copy).map((r) => ({
        sequence: Number(r.sequence),
        record: r.record,
        prevHash: r.prevHash,
        hash: r.hash,
      }));
      expect(verifyChain(copied)).toBeUndefined();
      const victim = byRequestId.get(denied.requestId)!;
      tamperRecord(copy, Number(victim.sequence), victim.record.replace('"AccessDeniedException"', '"ok"'));
      const tampered = readAuditRows(copy).map((r) => ({
        sequence: Number(r.sequence),
        record: r.record,
        prevHash: r.prevHash,
        hash: r.hash,
      }));
      expect(tampered.find((t) => t.sequence === Number(victim.sequence))?.record).not.toBe(victim.record);
      expect(verifyChain(tampered)).toBe(Number(victim.sequence));
    }, 180_000);
  });
});
