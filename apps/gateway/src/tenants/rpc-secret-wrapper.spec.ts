import { Subjects } from '@symbolon/contracts';
import type { RpcClient } from '@symbolon/platform';

import { asFake } from '../../../../libs/testing/src/fakes/index.js';
import { RpcSecretWrapper } from './secret-wrapper.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

/** A coordinator that "wraps" by tagging with boundTo, and records every payload it receives and answers. */
function fakeCoordinator(): { rpc: RpcClient; wire: string[] } {
  const wire: string[] = [];
  const send = async <T>(subject: string, payload: object): Promise<T> => {
    wire.push(JSON.stringify(payload));
    const p = payload as { secret?: string; wrapped?: string; boundTo: string };
    let reply: object;
    if (subject === Subjects.secrets.wrap) {
      reply = { wrapped: Buffer.from(`${p.boundTo}|${p.secret}`).toString('base64') };
    } else if (subject === Subjects.secrets.unwrap) {
      const [bound, secret] = Buffer.from(p.wrapped!, 'base64').toString().split('|');
      if (bound !== p.boundTo) throw new Error('InvalidCiphertext');
      reply = { secret };
    } else throw new Error(`unexpected subject ${subject}`);
    wire.push(JSON.stringify(reply));
    return reply as T;
  };
  return { rpc: asFake<RpcClient>({ send, connect: async () => {}, close: async () => {} }), wire };
}

describe('RpcSecretWrapper', () => {
  it('should give back the secret when a wrapped secret is unwrapped for its own access key', async () => {
    const { rpc } = fakeCoordinator();
    const wrapper = new RpcSecretWrapper(rpc);
    const blob = await wrapper.wrap(SECRET, 'AKIAKEY0000000000000');
    expect(blob).toMatch(/^v1\.[^.]+\.[^.]+\.[^.]+\.[^.]+$/);
    expect(blob).not.toContain(SECRET);
    expect(await wrapper.unwrap(blob, 'AKIAKEY0000000000000')).toBe(SECRET);
  });

  it('should never send the secret over the wire in any encoding when it wraps and unwraps', async () => {
    const { rpc, wire } = fakeCoordinator();
    const wrapper = new RpcSecretWrapper(rpc);
    await wrapper.unwrap(await wrapper.wrap(SECRET, 'AKIAKEY0000000000000'), 'AKIAKEY0000000000000');
    const text = wire.join('\n');
    for (const form of [
      SECRET,
      Buffer.from(SECRET).toString('base64'),
      Buffer.from(SECRET).toString('base64url'),
    ]) {
      expect(text).not.toContain(form);
    }
    expect(wire).toHaveLength(4);
  });

  it('should refuse a blob when it is unwrapped for another access key or tampered with', async () => {
    const { rpc } = fakeCoordinator();
    const wrapper = new RpcSecretWrapper(rpc);
    const blob = await wrapper.wrap(SECRET, 'AKIAKEY0000000000000');
    await expect(wrapper.unwrap(blob, 'AKIAOTHER00000000000')).rejects.toThrow();
    const parts = blob.split('.');
    const sealed = Buffer.from(parts[3]!, 'base64');
    sealed[0] = sealed[0]! ^ 1;
    parts[3] = sealed.toString('base64');
    await expect(wrapper.unwrap(parts.join('.'), 'AKIAKEY0000000000000')).rejects.toThrow();
    await expect(wrapper.unwrap('plaintext-secret', 'AKIAKEY0000000000000')).rejects.toThrow(
      'a stored secret is a v1 envelope',
    );
  });

  it('a stored secret is a v1 envelope', async () => {
    const { rpc, wire } = fakeCoordinator();
    await expect(new RpcSecretWrapper(rpc).unwrap('v0.a.b.c.d', 'AKIAKEY0000000000000')).rejects.toThrow(
      'a stored secret is a v1 envelope',
    );
    expect(wire).toEqual([]);
  });
});
