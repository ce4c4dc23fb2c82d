import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as edSign,
  verify as edVerify,
} from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { publicKeyFingerprint } from '@symbolon/evidence';
import {
  type DomainProposal,
  type DomainState,
  type OperatorSignature,
  checkProposal,
  newProposal,
  signProposal,
  thresholdRule,
  uniformRules,
} from '@symbolon/quorum';

import { type StepsCommand, parseArgs } from './args.js';
import {
  type Answer,
  FakeCoordinator,
  type TestOperator,
  envelope,
  identityKey,
  testOperator,
  testState,
} from './domain.test-helper.js';
import { run, runSteps } from './main.js';

const HOUR = 60 * 60 * 1000;
const STATUS = 'kms.v1.domain.status';
const OPEN = 'kms.v1.domain.open';
const SUBMIT = 'kms.v1.domain.submit';
const CANCEL = 'kms.v1.domain.cancel';
const IDENTITY = 'kms.v1.domain.node-identity';
const PREPARE = 'kms.v1.domain.prepare-rotation';
/** A token's Ed25519 signing key, as a node reports it. */
const SIGNING = generateKeyPairSync('ed25519')
  .publicKey.export({ type: 'spki', format: 'der' })
  .toString('base64');
/** Check values of the test state's two live generations. */
const VALUES = [
  { generation: 1, keyCheckValue: '1'.repeat(32) },
  { generation: 2, keyCheckValue: '2'.repeat(32) },
];
const NATS = ['--runtime', '/nonexistent/runtime.json'];

const [alice, bob, carol] = ['alice', 'bob', 'carol'].map(testOperator) as [
  TestOperator,
  TestOperator,
  TestOperator,
];

function steps(argv: string[]): StepsCommand {
  const parsed = parseArgs(argv);
  if (!('run' in parsed)) throw new Error(`${argv.slice(0, 2).join(' ')} is not made of steps`);
  return parsed;
}

/** Runs a command offline (no coordinator): out, err and the exit code. */
async function offline(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const fake = new FakeCoordinator({});
  const code = await runSteps(steps(argv), fake.context());
  expect(fake.requests).toEqual([]);
  return { code, out: fake.out, err: fake.err };
}

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'symbolon-domain-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('operatorKeygen', () => {
  it('should write an Ed25519 PKCS#8 PEM with mode 0600 that node:crypto can sign with when given --id and --out', async () => {
    const out = join(dir, 'alice.pem');
    const publicOut = join(dir, 'alice.pub.json');
    const { code, out: printed } = await offline([
      'operator',
      'keygen',
      '--id',
      'alice',
      '--out',
      out,
      '--public-out',
      publicOut,
    ]);
    expect(code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const pem = readFileSync(out, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = createPrivateKey(pem);
    expect(key.asymmetricKeyType).toBe('ed25519');
    const result = JSON.parse(printed) as Record<string, string>;
    const spki = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
    expect(result).toEqual({
      OperatorId: 'alice',
      PublicKey: spki,
      Fingerprint: publicKeyFingerprint(spki),
      Out: out,
      PublicOut: publicOut,
    });
    const signature = edSign(null, Buffer.from('hello'), key);
    expect(
      edVerify(
        null,
        Buffer.from('hello'),
        createPublicKey({ key: Buffer.from(spki, 'base64'), format: 'der', type: 'spki' }),
        signature,
      ),
    ).toBe(true);
    expect(JSON.parse(readFileSync(publicOut, 'utf8'))).toEqual({ id: 'alice', publicKey: spki });
  });

  it('should leave an existing --out as it was and exit 2 when the key file already exists', async () => {
    const out = join(dir, 'alice.pem');
    writeFileSync(out, 'precious');
    const publicOut = join(dir, 'alice.pub.json');
    const { code, err } = await offline([
      'operator',
      'keygen',
      '--id',
      'alice',
      '--out',
      out,
      '--public-out',
      publicOut,
    ]);
    expect(code).toBe(2);
    expect(err).toBe(`symbolon: cannot create --out ${out}: it already exists (not overwriting)\n`);
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect(existsSync(publicOut)).toBe(false);
  });

  it('should leave no key file behind when --public-out already exists', async () => {
    const out = join(dir, 'alice.pem');
    const publicOut = writeJson('alice.pub.json', { id: 'other' });
    const { code, err } = await offline([
      'operator',
      'keygen',
      '--id',
      'alice',
      '--out',
      out,
      '--public-out',
      publicOut,
    ]);
    expect(code).toBe(2);
    expect(err).toContain(`cannot create --public-out ${publicOut}: it already exists`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('domainSign', () => {
  const rules = uniformRules(thresholdRule(['alice', 'bob', 'carol'], 2));
  rules['rotate-domain-key'] = thresholdRule(['alice', 'bob', 'carol'], 1);
  const state: DomainState = testState([alice, bob, carol], rules);

  function proposalFile(proposal: unknown): string {
    return writeJson('proposal.json', proposal);
  }

  it('should print the ceremony and write a signature checkProposal accepts when the signer satisfies the rule', async () => {
    const proposal = newProposal(
      state,
      { kind: 'rotate-domain-key', generation: 3 },
      { ttlMs: HOUR, now: new Date() },
    );
    const keyFile = join(dir, 'alice.pem');
    writeFileSync(keyFile, alice.pem);
    const out = join(dir, 'alice.sig.json');
    const p = proposalFile(proposal);
    const { code, out: printed } = await offline([
      'domain',
      'sign',
      '--proposal',
      p,
      '--key',
      keyFile,
      '--operator-id',
      'alice',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(printed) as { Ceremony: string[]; OperatorId: string; KeyFingerprint: string };
    expect(result.Ceremony).toEqual([
      'domain d1',
      'applies to epoch 3 (the domain is at epoch 4 after it)',
      'change: rotate the domain key: generation 3 becomes active, the active one retiring',
      expect.stringMatching(/^expires .*Z \(in (59 min|1 h 0 min)\)$/) as unknown as string,
      `nonce ${proposal.nonce}`,
      "decided by the rotate-domain-key rule of the domain's current state (domain status shows it)",
    ]);
    expect(result).toMatchObject({
      OperatorId: 'alice',
      KeyFingerprint: publicKeyFingerprint(alice.publicKey),
      Out: out,
    });
    const signature = JSON.parse(readFileSync(out, 'utf8')) as OperatorSignature;
    expect(Object.keys(signature).sort()).toEqual(['operatorId', 'signature']);
    const check = checkProposal(state, proposal, [signature], { now: new Date() });
    expect(check).toMatchObject({ ok: true, signers: ['alice'] });
  });

  it('should refuse with exit 1 and write nothing when the proposal has expired', async () => {
    const issued = new Date(Date.now() - 2 * HOUR);
    const proposal = newProposal(
      state,
      { kind: 'rotate-domain-key', generation: 3 },
      { ttlMs: HOUR, now: issued },
    );
    const keyFile = join(dir, 'alice.pem');
    writeFileSync(keyFile, alice.pem);
    const out = join(dir, 'sig.json');
    const p = proposalFile(proposal);
    const { code, err } = await offline([
      'domain',
      'sign',
      '--proposal',
      p,
      '--key',
      keyFile,
      '--operator-id',
      'alice',
      '--out',
      out,
    ]);
    expect(code).toBe(1);
    expect(err).toBe(
      `symbolon: --proposal ${p} cannot be signed: proposal expired at ${proposal.expiresAt}\n`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('should refuse a malformed proposal, a key that is not Ed25519 and an existing --out', async () => {
    const good = newProposal(
      state,
      { kind: 'remove-member', nodeId: 'hsm-1' },
      { ttlMs: HOUR, now: new Date() },
    );
    const keyFile = join(dir, 'alice.pem');
    writeFileSync(keyFile, alice.pem);
    const rsaFile = join(dir, 'rsa.pem');
    writeFileSync(
      rsaFile,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }) as string,
    );
    const junkFile = join(dir, 'junk.pem');
    writeFileSync(junkFile, 'not a key');
    const existing = writeJson('existing.json', {});
    const signWith = (proposal: string, key: string, out = join(dir, 'sig.json')) =>
      offline([
        'domain',
        'sign',
        '--proposal',
        proposal,
        '--key',
        key,
        '--operator-id',
        'alice',
        '--out',
        out,
      ]);

    const malformed = writeJson('malformed.json', { ...good, nonce: 'short' });
    let r = await signWith(malformed, keyFile);
    expect([r.code, r.err]).toEqual([
      1,
      `symbolon: --proposal ${malformed} is not a domain proposal: proposal.nonce is not base64 of 16 bytes\n`,
    ]);
    const p = writeJson('good.json', good);
    r = await signWith(p, rsaFile);
    expect([r.code, r.err]).toEqual([1, `symbolon: --key ${rsaFile} is not an Ed25519 private key\n`]);
    r = await signWith(p, junkFile);
    expect([r.code, r.err]).toEqual([
      1,
      `symbolon: --key ${junkFile} is not an unencrypted PEM private key\n`,
    ]);
    r = await signWith(p, join(dir, 'none.pem'));
    expect(r.code).toBe(2);
    r = await signWith(p, keyFile, existing);
    expect(r.code).toBe(2);
    expect(readFileSync(existing, 'utf8')).toBe('{}');
    expect(existsSync(join(dir, 'sig.json'))).toBe(false);
  });
});

/** A coordinator whose status answers `state` and `open`, and whose other subjects answer as given. */
function coordinator(
  state: DomainState,
  open?: DomainProposal,
  handlers: Record<string, (data: Record<string, unknown>) => Answer> = {},
): FakeCoordinator {
  return new FakeCoordinator({
    [STATUS]: () => ({
      response: {
        state,
        ...(open
          ? { open: { proposal: open, openedAt: '2030-01-01T00:00:00.000Z', rule: 'from the coordinator' } }
          : {}),
      },
    }),
    ...handlers,
  });
}

function signatureFile(name: string, proposal: DomainProposal, op: TestOperator, as = op.id): string {
  return writeJson(name, signProposal(proposal, as, op.privateKey));
}

describe('domainStatus', () => {
  const key = identityKey();
  const state: DomainState = {
    ...testState([alice, bob, carol]),
    members: [
      { nodeId: 'hsm-1', tokenLabel: 'symbolon-hsm-1', identityPublicKey: key, labels: { region: 'eu' } },
    ],
  };
  const proposal = newProposal(
    state,
    { kind: 'remove-member', nodeId: 'hsm-9' },
    { ttlMs: HOUR, now: new Date() },
  );

  interface Status {
    OpenProposal: { Ceremony: string[]; OpenedAt: string; Rule: string } | null;
    Proposal?: { Ceremony: string[]; Open: boolean };
    Signatures?: {
      Nonce: string;
      Files: { File: string; OperatorId?: string; Valid: boolean; Problem?: string }[];
      Signers: string[];
      Rule: string;
      QuorumMet: boolean;
      StillRequired?: { Alternative: string; More: number; From: string[] };
      Check: string;
    };
  }

  async function status(fake: FakeCoordinator, ...args: string[]): Promise<{ code: number; result: Status }> {
    const code = await runSteps(steps(['domain', 'status', ...NATS, ...args]), fake.context());
    return { code, result: (fake.out ? JSON.parse(fake.out) : {}) as Status };
  }

  it('should print the domain, its operators fingerprints, rules in words and the open proposal when asked', async () => {
    const fake = coordinator(state, proposal);
    const { code, result } = await status(fake);
    expect(code).toBe(0);
    expect(fake.subjects()).toEqual([STATUS]);
    expect(result).toEqual({
      Domain: 'd1',
      Epoch: 3,
      Generation: 2,
      Generations: [
        { Generation: 1, State: 'retiring' },
        { Generation: 2, State: 'active' },
      ],
      Members: [
        {
          NodeId: 'hsm-1',
          TokenLabel: 'symbolon-hsm-1',
          IdentityKey: publicKeyFingerprint(key),
          Labels: { region: 'eu' },
        },
      ],
      Operators: [alice, bob, carol].map((o) => ({
        Id: o.id,
        Fingerprint: publicKeyFingerprint(o.publicKey),
      })),
      Rules: Object.fromEntries(Object.keys(state.rules).map((k) => [k, '2 of {alice, bob, carol}'])),
      OpenProposal: {
        Ceremony: expect.arrayContaining([
          'change: remove member hsm-9',
          'decided by the remove-member rule: 2 of {alice, bob, carol}',
        ]) as unknown,
        OpenedAt: '2030-01-01T00:00:00.000Z',
        Rule: 'from the coordinator',
      },
      Domains: [],
    });
  });

  it('should ask for the domain --domain names and list every domain the coordinator serves when given', async () => {
    const eu = {
      customKeyStoreId: 'cks-00000000000000e01',
      customKeyStoreName: 'eu',
      connectionState: 'CONNECTED',
      creationDate: '2030-01-01T00:00:00.000Z',
      labels: { jurisdiction: 'EU' },
      members: 2,
      default: false,
    };
    const fake = coordinator(state, undefined, {
      [STATUS]: () => ({ response: { state, domains: [eu] } }),
    });
    const { code, result } = await status(fake, '--domain', eu.customKeyStoreId);
    expect(code).toBe(0);
    expect(fake.requests[0]!.data).toMatchObject({ domainId: eu.customKeyStoreId });
    expect((result as unknown as { Domains: unknown }).Domains).toEqual([
      {
        Id: eu.customKeyStoreId,
        Name: 'eu',
        Labels: { jurisdiction: 'EU' },
        Members: 2,
        Connection: 'CONNECTED',
        Default: false,
      },
    ]);
  });

  it('should say the quorum is met and what a node would answer when two valid signatures are given', async () => {
    const files = [signatureFile('a.json', proposal, alice), signatureFile('b.json', proposal, bob)];
    const { code, result } = await status(coordinator(state, proposal), '--signatures', ...files);
    expect(code).toBe(0);
    expect(result.Signatures).toEqual({
      Nonce: proposal.nonce,
      Files: [
        { File: files[0], OperatorId: 'alice', Valid: true },
        { File: files[1], OperatorId: 'bob', Valid: true },
      ],
      Signers: ['alice', 'bob'],
      Rule: '2 of {alice, bob, carol}',
      QuorumMet: true,
      Check: 'INVALID_CHANGE: node hsm-9 is not a member',
    });
  });

  it('should name who could still sign and how many more when the quorum is not met', async () => {
    const files = [signatureFile('a.json', proposal, alice), signatureFile('a2.json', proposal, alice)];
    const { result } = await status(coordinator(state, proposal), '--signatures', ...files);
    expect(result.Signatures).toMatchObject({
      Signers: ['alice'],
      QuorumMet: false,
      StillRequired: { Alternative: '2 of {alice, bob, carol}', More: 1, From: ['bob', 'carol'] },
      Check: expect.stringMatching(/^QUORUM_NOT_MET: /) as unknown,
    });
  });

  it('should mark unknown signers, forged signatures and bad files invalid without counting them', async () => {
    const mallory = testOperator('mallory');
    const other = newProposal(
      state,
      { kind: 'remove-member', nodeId: 'hsm-9' },
      { ttlMs: HOUR, now: new Date() },
    );
    const files = [
      signatureFile('mallory.json', proposal, mallory),
      signatureFile('forged.json', proposal, mallory, 'bob'),
      signatureFile('other.json', other, carol),
      writeJson('junk.json', { operatorId: 'bob' }),
      join(dir, 'text.txt'),
    ];
    writeFileSync(files[4]!, 'not json');
    const { code, result } = await status(coordinator(state, proposal), '--signatures', ...files);
    expect(code).toBe(0);
    expect(result.Signatures?.Files).toEqual([
      {
        File: files[0],
        OperatorId: 'mallory',
        Valid: false,
        Problem: 'mallory is not an operator of this domain',
      },
      {
        File: files[1],
        OperatorId: 'bob',
        Valid: false,
        Problem: "does not verify for this proposal with bob's key",
      },
      {
        File: files[2],
        OperatorId: 'carol',
        Valid: false,
        Problem: "does not verify for this proposal with carol's key",
      },
      { File: files[3], Valid: false, Problem: 'not a signature file ({ operatorId, signature })' },
      { File: files[4], Valid: false, Problem: 'not JSON' },
    ]);
    expect(result.Signatures).toMatchObject({ Signers: [], QuorumMet: false });
  });

  it('should check against --proposal and say whether it is the open one when a proposal file is given', async () => {
    const mine = newProposal(
      state,
      { kind: 'rotate-domain-key', generation: 3 },
      { ttlMs: HOUR, now: new Date() },
    );
    const p = writeJson('mine.json', mine);
    const files = [signatureFile('a.json', mine, alice), signatureFile('c.json', mine, carol)];
    const { result } = await status(coordinator(state, proposal), '--proposal', p, '--signatures', ...files);
    expect(result.Proposal).toMatchObject({ Open: false });
    expect(result.Signatures).toMatchObject({
      Nonce: mine.nonce,
      Signers: ['alice', 'carol'],
      QuorumMet: true,
      Check: 'accepted',
    });
  });

  it('should exit 2 when signatures are given but there is no proposal, and 2 when a signature file is missing', async () => {
    const fake = coordinator(state);
    const files = [signatureFile('a.json', proposal, alice)];
    const code = await runSteps(
      steps(['domain', 'status', ...NATS, '--signatures', ...files]),
      fake.context(),
    );
    expect(code).toBe(2);
    expect(fake.err).toBe(
      'symbolon: the domain has no open proposal to check --signatures against: give --proposal\n',
    );
    const missing = coordinator(state, proposal);
    const none = join(dir, 'none.json');
    expect(
      await runSteps(steps(['domain', 'status', ...NATS, '--signatures', none]), missing.context()),
    ).toBe(2);
    expect(missing.err).toBe(`symbolon: cannot read --signatures ${none}: no such file\n`);
  });

  it('should print the error envelope as __type and message with exit 1 when the coordinator refuses', async () => {
    const fake = new FakeCoordinator({ [STATUS]: () => envelope('NOT_FOUND', 'no domain yet') });
    expect(await runSteps(steps(['domain', 'status', ...NATS]), fake.context())).toBe(1);
    expect(JSON.parse(fake.err)).toEqual({ __type: 'NOT_FOUND', message: 'no domain yet' });
    expect(fake.out).toBe('');
  });

  it('should say the answer is invalid when the status reply has no domain state', async () => {
    const fake = new FakeCoordinator({ [STATUS]: () => ({ response: { state: { domainId: 'd1' } } }) });
    expect(await runSteps(steps(['domain', 'status', ...NATS]), fake.context())).toBe(1);
    expect(JSON.parse(fake.err)).toEqual({
      __type: 'InvalidResponse',
      message: `the reply to ${STATUS} has no valid domain state`,
    });
  });
});

describe('domainPropose', () => {
  const state = testState([alice, bob, carol]);

  it('should register the proposal, write it and print its ceremony when the change is valid', async () => {
    const key = identityKey();
    const change = writeJson('change.json', {
      kind: 'add-member',
      member: { nodeId: 'hsm-2', tokenLabel: 'symbolon-hsm-2', identityPublicKey: key },
      keyCheckValues: VALUES,
    });
    const out = join(dir, 'proposal.json');
    const fake = coordinator(state, undefined, { [OPEN]: () => ({ response: { opened: true } }) });
    const before = Date.now();
    const code = await runSteps(
      steps(['domain', 'propose', ...NATS, '--change', change, '--ttl', '48', '--out', out]),
      fake.context(),
    );
    expect(code).toBe(0);
    expect(fake.subjects()).toEqual([STATUS, OPEN]);
    const proposal = JSON.parse(readFileSync(out, 'utf8')) as DomainProposal;
    expect(fake.requests[1]!.data['proposal']).toEqual(proposal);
    expect(proposal).toMatchObject({ domainId: 'd1', epoch: 3, change: { kind: 'add-member' } });
    const ttl = Date.parse(proposal.expiresAt) - before;
    expect(ttl).toBeGreaterThanOrEqual(48 * HOUR - 1000);
    expect(ttl).toBeLessThanOrEqual(48 * HOUR + 5000);
    const printed = JSON.parse(fake.out) as { Proposal: string; Ceremony: string[] };
    expect(printed).toEqual({
      Proposal: out,
      Ceremony: [
        'domain d1',
        'applies to epoch 3 (the domain is at epoch 4 after it)',
        `change: add member hsm-2 (token symbolon-hsm-2, identity key ${publicKeyFingerprint(key)}), receiving the domain keys with check values generation 1 ${VALUES[0]!.keyCheckValue}, generation 2 ${VALUES[1]!.keyCheckValue}`,
        expect.stringMatching(/^expires .* \(in 4[78] h \d+ min\)$/) as unknown as string,
        `nonce ${proposal.nonce}`,
        'decided by the add-member rule: 2 of {alice, bob, carol}',
      ],
    });
  });

  it('should refuse locally with exit 1, open nothing and leave no file when libs/quorum finds the change invalid', async () => {
    const out = join(dir, 'proposal.json');
    const cases: [unknown, string][] = [
      [
        { kind: 'add-member', member: { nodeId: 'hsm-1', tokenLabel: 't' } },
        'node hsm-1 is already a member',
      ],
      [{ kind: 'rotate-domain-key', generation: 7 }, 'the new generation must be 3, not 7'],
      [{ kind: 'remove-member', nodeId: 'hsm-1', extra: true }, 'change has an unexpected field'],
      [
        { kind: 'set-rules', rules: uniformRules(thresholdRule(['alice', 'zed'], 1)) },
        'names unknown operator zed',
      ],
    ];
    for (const [c, message] of cases) {
      const change = writeJson('change.json', c);
      const fake = coordinator(state, undefined, { [OPEN]: () => ({ response: {} }) });
      expect(
        await runSteps(
          steps(['domain', 'propose', ...NATS, '--change', change, '--out', out]),
          fake.context(),
        ),
      ).toBe(1);
      expect(fake.err).toContain(`symbolon: --change ${change} cannot apply to domain d1 at epoch 3: `);
      expect(fake.err).toContain(message);
      expect(fake.subjects()).toEqual([STATUS]);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('should name the identity key the node reports when an add-member change leaves it out', async () => {
    const key = identityKey();
    const change = writeJson('change.json', {
      kind: 'add-member',
      member: { nodeId: 'hsm-2', tokenLabel: 'symbolon-hsm-2' },
    });
    const out = join(dir, 'proposal.json');
    const fake = coordinator(state, undefined, {
      [OPEN]: () => ({ response: {} }),
      [IDENTITY]: (data) => ({
        response:
          data['nodeId'] === 'hsm-2'
            ? {
                nodeId: 'hsm-2',
                tokenLabel: 'symbolon-hsm-2',
                identityPublicKey: key,
                signingPublicKey: SIGNING,
                domainId: null,
                keyCheckValues: [],
              }
            : {
                nodeId: 'hsm-1',
                tokenLabel: 't1',
                identityPublicKey: key,
                signingPublicKey: SIGNING,
                domainId: 'd1',
                keyCheckValues: VALUES,
              },
      }),
    });
    expect(
      await runSteps(steps(['domain', 'propose', ...NATS, '--change', change, '--out', out]), fake.context()),
    ).toBe(0);
    // The new node's identity, then a member's check values.
    expect(fake.subjects()).toEqual([STATUS, IDENTITY, IDENTITY, OPEN]);
    expect(fake.requests[1]!.data['nodeId']).toBe('hsm-2');
    expect(fake.requests[2]!.data['nodeId']).toBe('hsm-1');
    const proposal = JSON.parse(readFileSync(out, 'utf8')) as DomainProposal;
    expect(proposal.change).toEqual({
      kind: 'add-member',
      member: {
        nodeId: 'hsm-2',
        tokenLabel: 'symbolon-hsm-2',
        identityPublicKey: key,
        signingPublicKey: SIGNING,
      },
      keyCheckValues: VALUES,
    });
    expect(fake.out).toContain(`signing key ${publicKeyFingerprint(SIGNING)}`);
    expect(fake.out).toContain(`identity key ${publicKeyFingerprint(key)}`);
  });

  it('should name the key a member made ahead when a domain of two tokens rotates', async () => {
    const two = { ...state, members: [...state.members, { nodeId: 'hsm-2', tokenLabel: 't2' }] };
    const kcv = 'ab'.repeat(16);
    const change = writeJson('change.json', { kind: 'rotate-domain-key', generation: 3 });
    const out = join(dir, 'proposal.json');
    const fake = coordinator(two, undefined, {
      [OPEN]: () => ({ response: {} }),
      [PREPARE]: () => ({ response: { origin: 'hsm-2', generation: 3, keyCheckValue: kcv } }),
    });
    expect(
      await runSteps(steps(['domain', 'propose', ...NATS, '--change', change, '--out', out]), fake.context()),
    ).toBe(0);
    expect(fake.subjects()).toEqual([STATUS, PREPARE, OPEN]);
    const proposal = JSON.parse(readFileSync(out, 'utf8')) as DomainProposal;
    expect(proposal.change).toEqual({
      kind: 'rotate-domain-key',
      generation: 3,
      origin: 'hsm-2',
      keyCheckValue: kcv,
    });
    expect(fake.out).toContain(`(key made by hsm-2, check value ${kcv})`);
  });

  it('should answer InvalidResponse and leave no file when the coordinator names no prepared key', async () => {
    const two = { ...state, members: [...state.members, { nodeId: 'hsm-2', tokenLabel: 't2' }] };
    const change = writeJson('change.json', { kind: 'rotate-domain-key', generation: 3 });
    const out = join(dir, 'proposal.json');
    const fake = coordinator(two, undefined, {
      [PREPARE]: () => ({ response: { origin: 'hsm-2', generation: 4, keyCheckValue: 'ab'.repeat(16) } }),
    });
    expect(
      await runSteps(steps(['domain', 'propose', ...NATS, '--change', change, '--out', out]), fake.context()),
    ).toBe(1);
    expect(JSON.parse(fake.err)).toMatchObject({ __type: 'InvalidResponse' });
    expect(fake.subjects()).toEqual([STATUS, PREPARE]);
    expect(existsSync(out)).toBe(false);
  });

  it('should print the refusal and leave no file when the coordinator refuses to open it', async () => {
    const change = writeJson('change.json', { kind: 'rotate-domain-key', generation: 3 });
    const out = join(dir, 'proposal.json');
    const fake = coordinator(state, undefined, {
      [OPEN]: () => envelope('CONFLICT', 'a proposal is already open'),
    });
    expect(
      await runSteps(steps(['domain', 'propose', ...NATS, '--change', change, '--out', out]), fake.context()),
    ).toBe(1);
    expect(JSON.parse(fake.err)).toEqual({ __type: 'CONFLICT', message: 'a proposal is already open' });
    expect(existsSync(out)).toBe(false);
  });

  it('should send nothing when --out exists or --change cannot be read', async () => {
    const existing = writeJson('existing.json', {});
    const change = writeJson('change.json', { kind: 'rotate-domain-key', generation: 3 });
    const fake = coordinator(state);
    expect(
      await runSteps(
        steps(['domain', 'propose', ...NATS, '--change', change, '--out', existing]),
        fake.context(),
      ),
    ).toBe(2);
    expect(
      await runSteps(
        steps(['domain', 'propose', ...NATS, '--change', join(dir, 'no.json'), '--out', join(dir, 'p.json')]),
        fake.context(),
      ),
    ).toBe(2);
    expect(fake.requests).toEqual([]);
  });
});

describe('domainSubmit', () => {
  const state = testState([alice, bob, carol]);
  const proposal = newProposal(
    state,
    { kind: 'rotate-domain-key', generation: 3 },
    { ttlMs: HOUR, now: new Date() },
  );

  it('should send the proposal and signatures and print the new epoch, members and signers when accepted', async () => {
    const p = writeJson('p.json', proposal);
    const files = [signatureFile('a.json', proposal, alice), signatureFile('b.json', proposal, bob)];
    const fake = new FakeCoordinator({
      [SUBMIT]: () => ({
        response: { epoch: 4, members: [{ nodeId: 'hsm-1', epoch: 4 }], signers: ['alice', 'bob'] },
      }),
    });
    expect(
      await runSteps(
        steps(['domain', 'submit', ...NATS, '--proposal', p, '--signatures', ...files]),
        fake.context(),
      ),
    ).toBe(0);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.data).toEqual({
      requestId: expect.any(String) as unknown,
      proposal,
      signatures: files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as unknown),
    });
    expect(JSON.parse(fake.out)).toEqual({
      Domain: 'd1',
      Epoch: 4,
      Members: [{ NodeId: 'hsm-1', Epoch: 4 }],
      Signers: ['alice', 'bob'],
    });
  });

  it('should print the refusal with exit 1 when a node refuses the change', async () => {
    const p = writeJson('p.json', proposal);
    const fake = new FakeCoordinator({
      [SUBMIT]: () => envelope('QUORUM_REFUSED', 'QUORUM_NOT_MET: rotate-domain-key needs 2'),
    });
    const code = await runSteps(
      steps([
        'domain',
        'submit',
        ...NATS,
        '--proposal',
        p,
        '--signatures',
        signatureFile('a.json', proposal, alice),
      ]),
      fake.context(),
    );
    expect(code).toBe(1);
    expect(JSON.parse(fake.err)).toEqual({
      __type: 'QUORUM_REFUSED',
      message: 'QUORUM_NOT_MET: rotate-domain-key needs 2',
    });
  });

  it('should say no reply came within 10 s with exit 1 when the coordinator does not answer', async () => {
    const p = writeJson('p.json', proposal);
    const fake = new FakeCoordinator({ [SUBMIT]: () => 'timeout' });
    const code = await runSteps(
      steps([
        'domain',
        'submit',
        ...NATS,
        '--proposal',
        p,
        '--signatures',
        signatureFile('a.json', proposal, alice),
      ]),
      fake.context(),
    );
    expect(code).toBe(1);
    expect(fake.err).toBe(`symbolon: no reply to ${SUBMIT} within 10 s: is the coordinator running?\n`);
  });

  it('should send nothing and exit 1 when a signature file is not { operatorId, signature }', async () => {
    const p = writeJson('p.json', proposal);
    const bad = writeJson('bad.json', { operatorId: 'alice', signature: 'x', note: 'hi' });
    const fake = new FakeCoordinator({});
    expect(
      await runSteps(
        steps(['domain', 'submit', ...NATS, '--proposal', p, '--signatures', bad]),
        fake.context(),
      ),
    ).toBe(1);
    expect(fake.err).toBe(
      `symbolon: --signatures ${bad} is not a signature file ({ operatorId, signature })\n`,
    );
    expect(fake.requests).toEqual([]);
  });
});

describe('domainCancel', () => {
  const state = testState([alice, bob]);
  const proposal = newProposal(
    state,
    { kind: 'remove-member', nodeId: 'hsm-1' },
    { ttlMs: HOUR, now: new Date() },
  );

  it('should send the proposal nonce and print it when the coordinator cancels', async () => {
    const p = writeJson('p.json', proposal);
    const fake = new FakeCoordinator({ [CANCEL]: () => ({ response: {} }) });
    expect(await runSteps(steps(['domain', 'cancel', ...NATS, '--proposal', p]), fake.context())).toBe(0);
    expect(fake.requests[0]!.data).toEqual({
      requestId: expect.any(String) as unknown,
      nonce: proposal.nonce,
    });
    expect(JSON.parse(fake.out)).toEqual({ Domain: 'd1', Epoch: 3, Nonce: proposal.nonce, Cancelled: true });
  });

  it('should print the refusal with exit 1 when no such proposal is open', async () => {
    const p = writeJson('p.json', proposal);
    const fake = new FakeCoordinator({
      [CANCEL]: () => envelope('NOT_FOUND', 'no open proposal with that nonce'),
    });
    expect(await runSteps(steps(['domain', 'cancel', ...NATS, '--proposal', p]), fake.context())).toBe(1);
    expect(JSON.parse(fake.err)).toEqual({
      __type: 'NOT_FOUND',
      message: 'no open proposal with that nonce',
    });
  });
});

describe('run for domain commands', () => {
  it('should fail on the local file before connecting when a NATS command is given a missing file', async () => {
    let err = '';
    const code = await run(
      [
        'domain',
        'propose',
        '--runtime',
        join(dir, 'runtime.json'),
        '--change',
        join(dir, 'no.json'),
        '--out',
        join(dir, 'p.json'),
      ],
      { out: () => undefined, err: (t) => void (err += t) },
    );
    expect(code).toBe(2);
    expect(err).toBe(`symbolon: cannot read --change ${join(dir, 'no.json')}: no such file\n`);
  });

  it('should say it cannot read runtime.json with exit 2 when --runtime names no file', async () => {
    let err = '';
    const code = await run(['domain', 'status', '--runtime', join(dir, 'runtime.json')], {
      out: () => undefined,
      err: (t) => void (err += t),
    });
    expect(code).toBe(2);
    expect(err).toBe(`symbolon: cannot read --runtime ${join(dir, 'runtime.json')}: no such file\n`);
  });
});
