// The hsm node's domain-state file, bound to its token (real SoftHSM2 tokens in a fresh folder): what the node wrote
// loads again; a file edited by hand, or copied from another node's token, is refused.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { activateSoftHsmConf, initSoftHsmToken } from '@symbolon/platform';
import { TokenHsm } from '@symbolon/pkcs11';
import { developmentDomain } from '@symbolon/quorum';

import { DomainStateStore, DomainStateTamperedError } from '../../src/domain/domain-state.store.js';

const PIN = '246810';
const SO_PIN = '13579111';

let dir: string;
let modulePath: string;
let deactivate: () => void = () => undefined;
/** One session per token in a process: each token is opened once. */
const hsms = new Map<string, TokenHsm>();

const open = (tokenLabel: string): TokenHsm => {
  let hsm = hsms.get(tokenLabel);
  if (!hsm) {
    hsm = TokenHsm.open({ modulePath, tokenLabel, pin: PIN });
    hsm.ensureStateKey();
    hsms.set(tokenLabel, hsm);
  }
  return hsm;
};

const domain = {
  state: developmentDomain('domain-it', [{ nodeId: 'hsm-1', tokenLabel: 'node-1' }], {
    id: 'operator-1',
    publicKey: 'AAAA',
  }),
  nonces: [{ nonce: 'AAAAAAAAAAAAAAAAAAAAAA==', expiresAt: '2030-01-01T00:00:00.000Z' }],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'symbolon-hsm-state-'));
  const t = await initSoftHsmToken({ dir, label: 'node-1', pin: PIN, soPin: SO_PIN });
  await initSoftHsmToken({ dir, label: 'node-2', pin: PIN, soPin: SO_PIN });
  deactivate = activateSoftHsmConf(t.conf);
  modulePath = t.modulePath;
});

afterAll(async () => {
  for (const h of hsms.values()) h.close();
  deactivate();
  await rm(dir, { recursive: true, force: true });
});

describe('DomainStateStore on a real token', () => {
  it('should load what it saved, and nothing when there is no file', () => {
    const file = join(dir, 'saved.json');
    const store = new DomainStateStore(open('node-1'), file);
    expect(store.load()).toBeUndefined();
    store.save(domain);
    expect(new DomainStateStore(open('node-1'), file).load()).toEqual(domain);
  });

  it.each([
    [
      'an operator added by hand',
      (d: typeof domain) => d.state.operators.push({ id: 'mallory', publicKey: 'BBBB' }),
    ],
    ['the epoch moved back', (d: typeof domain) => (d.state.epoch = 0)],
    ['a nonce dropped', (d: typeof domain) => d.nonces.pop()],
  ])('should refuse a file with %s', (_what, change) => {
    const file = join(dir, `tampered-${Math.random()}.json`);
    new DomainStateStore(open('node-1'), file).save(domain);
    const written = JSON.parse(readFileSync(file, 'utf8')) as { domain: typeof domain; mac: string };
    change(written.domain);
    writeFileSync(file, JSON.stringify(written));
    expect(() => new DomainStateStore(open('node-1'), file).load()).toThrow(DomainStateTamperedError);
  });

  it('should refuse a file written by another node token, and one that is not a state file', () => {
    const file = join(dir, 'other-node.json');
    new DomainStateStore(open('node-2'), file).save(domain);
    expect(() => new DomainStateStore(open('node-1'), file).load()).toThrow(/not written by this token/);
    writeFileSync(file, 'not json');
    expect(() => new DomainStateStore(open('node-1'), file).load()).toThrow(DomainStateTamperedError);
  });
});
