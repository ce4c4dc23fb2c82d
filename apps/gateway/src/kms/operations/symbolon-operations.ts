import { type GetKeyUsageReply, Subjects } from '@symbolon/contracts';

import type { Operation } from './operation.js';

/**
 * Symbolon's own operations for key owners, beyond the AWS API: `X-Amz-Target: Symbolon.<name>`, the same SigV4, JSON
 * 1.1 and error shape, decided by the same policies (actions `kms:<name>`).
 */
export const symbolonOperations: Record<string, Operation> = {
  /** How many encryptions each version of a key has done (Encrypt, GenerateDataKey*, ReEncrypt as destination). */
  async GetKeyUsage({ input, scope, rpc }) {
    const keyId = input.string('KeyId', { required: true, max: 2048 })!;
    input.done();
    const r = await rpc.send<GetKeyUsageReply>(Subjects.keys.getUsage, { ...scope, keyId });
    return {
      output: {
        KeyId: r.keyArn,
        KeyVersions: r.versions.map((v) => ({ KeyVersion: v.keyVersion, Encryptions: v.encryptions })),
      },
      keyArn: r.keyArn,
    };
  },
};
