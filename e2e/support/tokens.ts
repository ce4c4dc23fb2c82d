/** A running platform's SoftHSM2 tokens, read through PKCS#11 from the test process (to show what a token holds). */
import { Pkcs11Token } from '@symbolon/pkcs11';
import { activateSoftHsmConf } from '@symbolon/platform';
import type { TestPlatform } from '@symbolon/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Labels of the domain keys (generations 1 to 3) in the token of hsm node `nodeId` (`symbolon-<nodeId>`). */
export function domainKeysInToken(platform: TestPlatform, nodeId = 'hsm-1'): string[] {
  const { hsmPin } = JSON.parse(readFileSync(join(platform.dataDir, 'secrets.json'), 'utf8')) as {
    hsmPin: string;
  };
  const deactivate = activateSoftHsmConf(join(platform.dataDir, 'softhsm', 'softhsm2.conf'));
  const token = Pkcs11Token.open({
    modulePath: '/usr/lib/softhsm/libsofthsm2.so',
    tokenLabel: `symbolon-${nodeId}`,
    pin: hsmPin,
  });
  try {
    return [1, 2, 3]
      .filter((g) => token.findSecretKeys(`symbolon-domain-${g}`).length > 0)
      .map((g) => `symbolon-domain-${g}`);
  } finally {
    token.close();
    deactivate();
  }
}
