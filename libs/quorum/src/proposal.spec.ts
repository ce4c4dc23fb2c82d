import { canonicalJson } from '@symbolon/evidence';
import { generateKeyPairSync, verify } from 'node:crypto';

import { developmentDomain } from './domain-state.js';
import {
  DOMAIN_PROPOSAL_TYPE,
  MAX_PROPOSAL_TTL_MS,
  newProposal,
  proposalBytes,
  signProposal,
} from './proposal.js';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const STATE = developmentDomain('dom-1', [{ nodeId: 'hsm-1', tokenLabel: 't1' }], {
  id: 'A',
  publicKey: 'pk',
});

describe('newProposal', () => {
  const p = newProposal(STATE, { kind: 'remove-member', nodeId: 'hsm-1' }, { ttlMs: 60_000, now: NOW });

  it('should name the domain and the current epoch when built from a state', () => {
    expect(p).toMatchObject({
      type: DOMAIN_PROPOSAL_TYPE,
      domainId: 'dom-1',
      epoch: 1,
      change: { kind: 'remove-member', nodeId: 'hsm-1' },
      expiresAt: '2030-01-01T00:01:00.000Z',
    });
  });

  it('should draw a fresh 16-byte nonce when built twice', () => {
    const q = newProposal(STATE, p.change, { ttlMs: 60_000, now: NOW });
    expect(Buffer.from(p.nonce, 'base64')).toHaveLength(16);
    expect(q.nonce).not.toBe(p.nonce);
  });

  it('proposal ttlMs must be an integer in 1..7 days', () => {
    for (const ttlMs of [0, -1, 1.5, MAX_PROPOSAL_TTL_MS + 1]) {
      expect(() => newProposal(STATE, p.change, { ttlMs, now: NOW })).toThrow(
        'proposal ttlMs must be an integer in 1..7 days',
      );
    }
  });
});

describe('proposalBytes', () => {
  it('should be the UTF-8 of the canonical JSON when given a proposal', () => {
    const p = newProposal(STATE, { kind: 'rotate-domain-key', generation: 2 }, { ttlMs: 1000, now: NOW });
    expect(proposalBytes(p).toString('utf8')).toBe(canonicalJson(p));
    expect(proposalBytes(p).toString('utf8')).toMatch(
      /^\{"change":\{"generation":2,"kind":"rotate-domain-key"\},/,
    );
  });
});

describe('signProposal', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const p = newProposal(STATE, { kind: 'rotate-domain-key', generation: 2 }, { ttlMs: 1000, now: NOW });

  it('should sign the proposal bytes with Ed25519 when given an operator key', () => {
    const s = signProposal(p, 'A', privateKey);
    expect(s.operatorId).toBe('A');
    expect(verify(null, proposalBytes(p), publicKey, Buffer.from(s.signature, 'base64'))).toBe(true);
  });

  it('operator key must be an Ed25519 private key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(() => signProposal(p, 'A', ec)).toThrow('operator key must be an Ed25519 private key');
    expect(() => signProposal(p, 'A', publicKey)).toThrow('operator key must be an Ed25519 private key');
  });
});
