/** Test keys and a scripted platform for the commands made of steps. Test code only. */
import { type KeyObject, generateKeyPair, generateKeyPairSync, sign } from 'node:crypto';

import { type Signed, signingBytes } from '@symbolon/evidence';

import type { AdminResponse } from './admin-client.js';
import type { Call, StepContext } from './steps.js';

export interface RsaPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** An RSA key pair of `bits` (async: 3072 and 4096 take a moment). */
export function rsaPair(bits: number): Promise<RsaPair> {
  return new Promise((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: bits }, (e, publicKey, privateKey) =>
      e ? reject(e) : resolve({ publicKey, privateKey }),
    ),
  );
}

export const pem = {
  spki: (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }) as string,
  pkcs1Public: (k: KeyObject) => k.export({ type: 'pkcs1', format: 'pem' }) as string,
  pkcs8: (k: KeyObject) => k.export({ type: 'pkcs8', format: 'pem' }) as string,
  pkcs1Private: (k: KeyObject) => k.export({ type: 'pkcs1', format: 'pem' }) as string,
};

/** An Ed25519 signer, as the platform's token signs receipts and digests. */
export interface TestSigner {
  publicKey: string;
  publicKeyPem: string;
  sign<T>(document: T): Signed<T>;
}

export function ed25519Signer(): TestSigner {
  const pair = generateKeyPairSync('ed25519');
  const publicKey = pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  return {
    publicKey,
    publicKeyPem: pair.publicKey.export({ format: 'pem', type: 'spki' }) as string,
    sign: (document) => ({
      document,
      signature: sign(null, signingBytes(document), pair.privateKey).toString('base64'),
      publicKey,
    }),
  };
}

type Handler = (body: Record<string, unknown>) => AdminResponse | Promise<AdminResponse>;

/** A fake `call` that plays the platform: one handler per operation, every request recorded. */
export class FakePlatform {
  readonly requests: { operation: string; body: Record<string, unknown> }[] = [];
  out = '';
  err = '';

  constructor(private readonly handlers: Record<string, Handler>) {}

  readonly call: Call = async (operation, body) => {
    this.requests.push({ operation, body: structuredClone(body) });
    const handler = this.handlers[operation];
    if (!handler) return { status: 400, body: { __type: 'UnknownOperationException', message: operation } };
    return handler(body);
  };

  context(accountId?: string): StepContext {
    return {
      io: { out: (t) => void (this.out += t), err: (t) => void (this.err += t) },
      call: this.call,
      ...(accountId !== undefined ? { accountId } : {}),
    };
  }

  operations(): string[] {
    return this.requests.map((r) => r.operation);
  }
}

export const ok = (body: Record<string, unknown>): AdminResponse => ({ status: 200, body });
export const refused = (type: string, message: string): AdminResponse => ({
  status: 400,
  body: { __type: type, message },
});
