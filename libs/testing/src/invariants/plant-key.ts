/**
 * Plants a KMS key whose material the test knows, the way an import would: the known bytes are wrapped under the
 * platform token's domain key (RFC 3394, inside the token), laid out as an EKT and written into the coordinator's
 * database next to the keys CreateKey made. FOR TESTS ONLY: real key material is generated inside the token.
 */
import { serializeEkt } from '@symbolon/formats';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { domainKeyLabel } from '../../../pkcs11/src/hsm.js';
import { Pkcs11Token } from '../../../pkcs11/src/token.js';
import { activateSoftHsmConf, findSoftHsmModule } from '../../../platform/src/local/softhsm.js';

export const PLATFORM_TOKEN_LABEL = 'symbolon-hsm-1';

export interface PlantedKey {
  keyId: string;
  arn: string;
  /** The EKT as stored (base64): wrapped material, safe to search for. */
  ektBase64: string;
}

export interface PlantKeyOptions {
  dataDir: string;
  accountId: string;
  region: string;
  /** 32 bytes of AES-256 key material. */
  material: Uint8Array;
}

/** The HSM user PIN the launcher made for the platform's token. */
export function platformHsmPin(dataDir: string): string {
  return (JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { hsmPin: string }).hsmPin;
}

/** Wraps `material` under domain key generation 1 of the platform's token and returns the EKT. */
export function wrapUnderDomainKey(dataDir: string, material: Uint8Array): Uint8Array {
  const release = activateSoftHsmConf(join(dataDir, 'softhsm', 'softhsm2.conf'));
  try {
    const token = Pkcs11Token.open({
      modulePath: findSoftHsmModule(),
      tokenLabel: PLATFORM_TOKEN_LABEL,
      pin: platformHsmPin(dataDir),
    });
    try {
      const domainKeys = token.findSecretKeys(domainKeyLabel(1));
      const domainKey = domainKeys[0];
      if (domainKeys.length !== 1 || domainKey === undefined) {
        throw new Error(`expected one domain key of generation 1 in the token, found ${domainKeys.length}`);
      }
      const wrapped = token.aesKeyWrap(domainKey, material, 'rfc3394');
      return serializeEkt({ domainGeneration: 1, wrapped: new Uint8Array(wrapped) });
    } finally {
      token.close();
    }
  } finally {
    release();
  }
}

/** `YYYY-MM-DD HH:MM:SS.mmm` (UTC): how TypeORM writes a datetime column on SQLite. */
export function sqliteDatetime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

export function plantKnownKey(opts: PlantKeyOptions): PlantedKey {
  const ekt = wrapUnderDomainKey(opts.dataDir, opts.material);
  const keyId = randomUUID();
  const arn = `arn:aws:kms:${opts.region}:${opts.accountId}:key/${keyId}`;
  const ektBase64 = Buffer.from(ekt).toString('base64');
  const createdAt = sqliteDatetime(new Date());
  const db = new Database(join(opts.dataDir, 'db', 'coordinator.sqlite'));
  try {
    db.pragma('busy_timeout = 5000');
    db.transaction(() => {
      db.prepare(
        `INSERT INTO keys (id, tenant_id, arn, description, key_state, key_usage, key_spec, origin, domain_id, current_version, created_at)
         VALUES (?, ?, ?, ?, 'Enabled', 'ENCRYPT_DECRYPT', 'SYMMETRIC_DEFAULT', 'AWS_KMS',
                 (SELECT domain_id FROM domains WHERE is_default = 1), 1, ?)`,
      ).run(keyId, opts.accountId, arn, 'planted by the invariants test', createdAt);
      db.prepare(
        `INSERT INTO key_versions (key_id, version, ekt, domain_generation, created_at) VALUES (?, 1, ?, 1, ?)`,
      ).run(keyId, ektBase64, createdAt);
    })();
  } finally {
    db.close();
  }
  return { keyId, arn, ektBase64 };
}
