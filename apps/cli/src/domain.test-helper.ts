/** Operators, domain states and a scripted coordinator for the domain commands. Test code only. */
import { type KeyObject, generateKeyPairSync } from 'node:crypto';

import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { type DomainState, type QuorumRules, thresholdRule, uniformRules } from '@symbolon/quorum';

import { type NatsRequest, domainCall } from './nats-client.js';
import type { StepContext } from './steps.js';

export interface TestOperator {
  id: string;
  /** Base64 SPKI DER. */
  publicKey: string;
  privateKey: KeyObject;
  /** PKCS#8 PEM, as `operator keygen` writes it. */
  pem: string;
}

export function testOperator(id: string): TestOperator {
  const pair = generateKeyPairSync('ed25519');
  return {
    id,
    publicKey: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    privateKey: pair.privateKey,
    pem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/** A key to stand for a token's identity key. */
export function identityKey(): string {
  return generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** Domain `d1` at epoch 3 with member hsm-1 and `operators`; every change needs 2 of them unless `rules` say else. */
export function testState(operators: TestOperator[], rules?: QuorumRules): DomainState {
  return {
    domainId: 'd1',
    epoch: 3,
    generation: 2,
    generations: [
      { generation: 1, state: 'retiring' },
      { generation: 2, state: 'active' },
    ],
    members: [{ nodeId: 'hsm-1', tokenLabel: 'symbolon-hsm-1' }],
    operators: operators.map(({ id, publicKey }) => ({ id, publicKey })),
    rules:
      rules ??
      uniformRules(
        thresholdRule(
          operators.map((o) => o.id),
          2,
        ),
      ),
  };
}

/** What the fake coordinator does with a request: answer, answer with an error envelope, or fail as nats.js does. */
export type Answer = { response: unknown } | { err: unknown } | 'timeout' | 'no-responders';
type Handler = (data: Record<string, unknown>) => Answer;

/** Plays the coordinator behind a fake NATS request function: Nest envelopes in and out, every request recorded. */
export class FakeCoordinator {
  readonly requests: { subject: string; data: Record<string, unknown>; timeoutMs: number }[] = [];
  out = '';
  err = '';

  constructor(private readonly handlers: Record<string, Handler>) {}

  readonly request: NatsRequest = (subject, payload, timeoutMs) => {
    const { pattern, data, id } = JSON.parse(payload) as {
      pattern: string;
      data: Record<string, unknown>;
      id: string;
    };
    if (pattern !== subject) throw new Error(`pattern ${pattern} sent to ${subject}`);
    this.requests.push({ subject, data, timeoutMs });
    const handler = this.handlers[subject];
    const answer: Answer = handler ? handler(data) : 'no-responders';
    if (answer === 'timeout') return Promise.reject(new TimeoutError());
    if (answer === 'no-responders') {
      return Promise.reject(new RequestError('503', { cause: new NoRespondersError(subject) }));
    }
    return Promise.resolve(JSON.stringify({ id, isDisposed: true, ...answer }));
  };

  context(): StepContext {
    return {
      io: { out: (t) => void (this.out += t), err: (t) => void (this.err += t) },
      call: () => Promise.reject(new Error('no gateway in domain tests')),
      domain: domainCall(this.request),
    };
  }

  subjects(): string[] {
    return this.requests.map((r) => r.subject);
  }
}

/** The platform's error envelope (libs/contracts kms-error.ts) as the coordinator answers a refusal. */
export const envelope = (code: string, message: string): Answer => ({
  err: { code, message, retryable: false, requestId: 'r' },
});
