/**
 * `npm start` with SYMBOLON_NATS_TLS=true: every service talks to NATS over mutual TLS with its own development
 * certificate; a client without a certificate of the development CA is refused.
 */
import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { connect } from '@nats-io/transport-node';
import { type TestPlatform, startTestPlatform } from '@symbolon/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

jest.setTimeout(60_000);

interface Runtime {
  natsUrl: string;
  natsTls: {
    SYMBOLON_NATS_TLS_CA_FILE: string;
    SYMBOLON_NATS_TLS_CERT_FILE: string;
    SYMBOLON_NATS_TLS_KEY_FILE: string;
  };
}

let platform: TestPlatform;
let runtime: Runtime;

beforeAll(async () => {
  platform = await startTestPlatform({ env: { SYMBOLON_NATS_TLS: 'true' } });
  runtime = JSON.parse(readFileSync(join(platform.dataDir, 'runtime.json'), 'utf8')) as Runtime;
}, 240_000);

afterAll(async () => {
  await platform?.stop();
}, 240_000);

const server = () => {
  const u = new URL(runtime.natsUrl);
  return {
    servers: `tls://${u.host}`,
    user: decodeURIComponent(u.username),
    pass: decodeURIComponent(u.password),
  };
};

describe('the platform on NATS with mutual TLS', () => {
  it('should serve Encrypt and Decrypt when every service reaches NATS over TLS', async () => {
    expect(runtime.natsUrl).toMatch(/^tls:\/\//);
    const kms = platform.kms();
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const blob = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('over tls') })))
      .CiphertextBlob!;
    const plain = (await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!;
    expect(Buffer.from(plain).toString()).toBe('over tls');
    expect(readFileSync(join(platform.dataDir, 'nats', 'nats-server.conf'), 'utf8')).toContain(
      'verify: true',
    );
  });

  it('should let the tooling in with its certificate and refuse it without one when both know the password', async () => {
    const tls = runtime.natsTls;
    const nc = await connect({
      ...server(),
      tls: {
        caFile: tls.SYMBOLON_NATS_TLS_CA_FILE,
        certFile: tls.SYMBOLON_NATS_TLS_CERT_FILE,
        keyFile: tls.SYMBOLON_NATS_TLS_KEY_FILE,
      },
    });
    await nc.close();
    await expect(
      connect({ ...server(), tls: { caFile: tls.SYMBOLON_NATS_TLS_CA_FILE }, reconnect: false }),
    ).rejects.toThrow(/bad certificate|ECONNRESET/); // the TLS alert, or a reset when the server closes first
  });
});
