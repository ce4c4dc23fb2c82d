// Wycheproof AES-GCM, AES-KW (RFC 3394) and AES-KWP (RFC 5649) through every path that implements
// them: node:crypto, WebCrypto and a real SoftHSM2 token. Zero failures allowed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Pkcs11Token } from '@symbolon/pkcs11';

import { activateSoftHsmConf, initSoftHsmToken } from '../../../platform/src/local/softhsm.js';
import {
  formatReportTable,
  loadAeadVectors,
  loadKeyWrapVectors,
  nodeCryptoPath,
  pkcs11Path,
  type RunReport,
  runAeadFile,
  runKeyWrapFile,
  webCryptoPath,
  type WycheproofPath,
} from '../../src/wycheproof/index.js';

const LABEL = 'symbolon-wycheproof';
const PIN = '11223344';

describe('Wycheproof AES vectors', () => {
  let dir: string;
  let token: Pkcs11Token;
  let paths: WycheproofPath[];
  let deactivate: () => void = () => undefined;
  const reports: RunReport[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'symbolon-wycheproof-'));
    const { conf, modulePath } = await initSoftHsmToken({ dir, label: LABEL, pin: PIN, soPin: '55667788' });
    deactivate = activateSoftHsmConf(conf);
    token = Pkcs11Token.open({ modulePath, tokenLabel: LABEL, pin: PIN });
    paths = [pkcs11Path(token), nodeCryptoPath(), webCryptoPath()];
  });

  afterAll(async () => {
    token?.close();
    deactivate();
    await rm(dir, { recursive: true, force: true });
    // The table the report asks for: one row per file and path.
    console.log(`Wycheproof results\n${formatReportTable(reports)}`);
  });

  it('should give zero failures on aes_gcm_test.json when run through every path', async () => {
    const file = loadAeadVectors('aes_gcm_test.json');
    expect(file.vectors).toHaveLength(file.numberOfTests);
    for (const path of paths) {
      const r = await runAeadFile(file, path);
      reports.push(r);
      expect(r.failures).toEqual([]);
      expect(r.offered).toBe(true);
      const total = Object.values(r.counts).reduce((a, b) => a + b, 0);
      expect(total).toBe(file.numberOfTests);
      // Every path runs the 12-byte-IV vectors; none of them may all be refused.
      expect(r.counts.passed).toBeGreaterThan(0);
      expect(r.counts.rejected).toBeGreaterThan(0);
    }
  });

  it('should give zero failures on aes_wrap_test.json when run through every path', async () => {
    const file = loadKeyWrapVectors('aes_wrap_test.json');
    for (const path of paths) {
      const r = await runKeyWrapFile(file, path, 'aesKw');
      reports.push(r);
      expect(r.failures).toEqual([]);
      expect(r.offered).toBe(true);
      expect(r.counts.passed + r.counts.rejected + r.counts.refused + r.counts.acceptable).toBe(
        file.numberOfTests,
      );
      expect(r.counts.refused).toBe(0);
    }
  });

  it('should give zero failures on aes_kwp_test.json when run through every path that offers it', async () => {
    const file = loadKeyWrapVectors('aes_kwp_test.json');
    for (const path of paths) {
      const r = await runKeyWrapFile(file, path, 'aesKwp');
      reports.push(r);
      expect(r.failures).toEqual([]);
      if (path.name === 'WebCrypto') {
        expect(r.offered).toBe(false);
      } else {
        expect(r.offered).toBe(true);
        expect(r.counts.passed + r.counts.rejected + r.counts.refused + r.counts.acceptable).toBe(
          file.numberOfTests,
        );
      }
    }
  });
});
