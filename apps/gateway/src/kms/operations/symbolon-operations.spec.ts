import { Subjects } from '@symbolon/contracts';

import { RecordingRpc } from '../../../../../libs/testing/src/fakes/index.js';
import { refusal, run } from './operation.test-helper.js';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/0b4a1f3e-1111-4222-8333-944444444444';

describe('Symbolon.GetKeyUsage', () => {
  it('should send the key id to kms.v1.keys.get-usage and answer each version with its count', async () => {
    const rpc = new RecordingRpc().reply(Subjects.keys.getUsage, {
      keyArn: ARN,
      versions: [
        { keyVersion: 1, encryptions: 10 },
        { keyVersion: 2, encryptions: 0 },
      ],
    });
    const r = await run('GetKeyUsage', { KeyId: 'alias/x' }, rpc, 'symbolon');
    expect(rpc.calls.map((c) => [c.subject, (c.payload as { keyId: string }).keyId])).toEqual([
      [Subjects.keys.getUsage, 'alias/x'],
    ]);
    expect(r.output).toEqual({
      KeyId: ARN,
      KeyVersions: [
        { KeyVersion: 1, Encryptions: 10 },
        { KeyVersion: 2, Encryptions: 0 },
      ],
    });
    expect(r.keyArn).toBe(ARN);
  });

  it.each([
    [{}, 'ValidationException'],
    [{ KeyId: '' }, 'ValidationException'],
    [{ KeyId: 7 }, 'SerializationException'],
  ])('should refuse %j with %s without calling the coordinator', async (body, type) => {
    const rpc = new RecordingRpc();
    expect((await refusal('GetKeyUsage', body, rpc, 'symbolon')).type).toBe(type);
    expect(rpc.calls).toEqual([]);
  });
});
