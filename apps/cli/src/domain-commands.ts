/**
 * `symbolon operator keygen` and `symbolon domain status | propose | sign | submit | cancel`: quorum-approved domain
 * changes (DESIGN.md, "Domains and quorum"). Proposals and signatures are libs/quorum's; the coordinator and every hsm
 * node check them again, so the local checks here only spare the operators a refused ceremony.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';

import {
  NONCE_PATTERN,
  type CustomKeyStoreDto,
  type NodeIdentityReply,
  type PrepareRotationReply,
  Subjects,
  type SubmitProposalReply,
} from '@symbolon/contracts';
import {
  type DomainChange,
  type DomainProposal,
  type DomainState,
  type OperatorSignature,
  QuorumError,
  applyChange,
  checkProposal,
  describeRule,
  newProposal,
  nextGeneration,
  proposalBytes,
  signProposal,
} from '@symbolon/quorum';

import { DEFAULT_TTL_HOURS, type StepsCommand } from './args.js';
import { ceremony, fingerprint, proposalProblem, quorumProgress } from './ceremony.js';
import {
  type DomainCall,
  LocalError,
  NewFile,
  type StepContext,
  type Steps,
  invalidResponse,
  json,
  optionalLocal,
  readJsonFile,
  readOptionFile,
  requiredLocal,
} from './steps.js';

const HOUR_MS = 60 * 60 * 1000;

function domainOf(ctx: StepContext): DomainCall {
  if (!ctx.domain) throw new LocalError('this command needs a NATS connection (--runtime or --nats-url)', 2);
  return ctx.domain;
}

function filesOf(command: StepsCommand, option: string): string[] {
  const v = command.local[option];
  return Array.isArray(v) ? v : [];
}

/**
 * `operator keygen`, offline: an Ed25519 key pair. The private key goes to --out as PKCS#8 PEM (mode 0600, never over
 * a file); --public-out gets `{ id, publicKey }`, the operator's entry of a set-operators change. Prints the public key
 * (base64 SPKI DER) and its fingerprint: hand them to the other operators through a second channel.
 */
export const operatorKeygen: Steps = async (command, { io }) => {
  const id = requiredLocal(command, 'id');
  const publicOutPath = optionalLocal(command, 'public-out');
  const out = await NewFile.create('out', requiredLocal(command, 'out'), 0o600);
  let publicOut: NewFile | undefined;
  try {
    publicOut =
      publicOutPath !== undefined ? await NewFile.create('public-out', publicOutPath, 0o644) : undefined;
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    await out.write(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    await out.commit();
    if (publicOut) {
      await publicOut.write(json({ id, publicKey: spki }));
      await publicOut.commit();
    }
    io.out(
      json({
        OperatorId: id,
        PublicKey: spki,
        Fingerprint: fingerprint(spki),
        Out: out.path,
        ...(publicOut ? { PublicOut: publicOut.path } : {}),
      }),
    );
    return 0;
  } finally {
    await out.discard();
    await publicOut?.discard();
  }
};

/** A proposal file (what `domain propose` writes): a well-formed libs/quorum DomainProposal, else LocalError. */
export function readProposalFile(option: string, path: string): DomainProposal {
  const proposal = readJsonFile(option, path);
  const problem = proposalProblem(proposal, new Date());
  if (problem?.code === 'MALFORMED') {
    throw new LocalError(`--${option} ${path} is not a domain proposal: ${problem.message}`);
  }
  return proposal as DomainProposal;
}

/** A signature file (what `domain sign` writes): exactly `{ operatorId, signature }`, both strings; else undefined. */
function asSignature(v: unknown): OperatorSignature | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const keys = Object.keys(v).sort();
  const { operatorId, signature } = v as Record<string, unknown>;
  return keys.join(',') === 'operatorId,signature' &&
    typeof operatorId === 'string' &&
    typeof signature === 'string'
    ? { operatorId, signature }
    : undefined;
}

const SIGNATURE_SHAPE = 'not a signature file ({ operatorId, signature })';

/** The domain state as the coordinator reports it, checked for the fields the commands use. */
export function readDomainState(v: unknown, subject: string): DomainState {
  const s = v as Partial<DomainState> | null;
  const strings = (x: unknown): boolean => Array.isArray(x) && x.every((y) => typeof y === 'string');
  const ok =
    typeof s === 'object' &&
    s !== null &&
    typeof s.domainId === 'string' &&
    Number.isSafeInteger(s.epoch) &&
    Number.isSafeInteger(s.generation) &&
    Array.isArray(s.generations) &&
    s.generations.every((g) => Number.isSafeInteger(g?.generation) && typeof g?.state === 'string') &&
    Array.isArray(s.members) &&
    s.members.every((m) => typeof m?.nodeId === 'string' && typeof m?.tokenLabel === 'string') &&
    Array.isArray(s.operators) &&
    s.operators.every((o) => typeof o?.id === 'string' && typeof o?.publicKey === 'string') &&
    typeof s.rules === 'object' &&
    s.rules !== null &&
    Object.values(s.rules).every(
      (r) =>
        Array.isArray(r?.alternatives) &&
        r.alternatives.every((a) => strings(a?.operators) && typeof a?.threshold === 'number'),
    );
  if (!ok) throw invalidResponse(`the reply to ${subject} has no valid domain state`);
  return s as DomainState;
}

interface StatusReply {
  state: DomainState;
  open?: { proposal: unknown; openedAt?: unknown; rule?: unknown };
  /** Every domain the coordinator serves, as it lists them. */
  domains: {
    Id: string;
    Name: string;
    Labels: unknown;
    Members: number;
    Connection: string;
    Default: boolean;
  }[];
}

/** The status of one domain: `domainId`, else the default one. */
async function askStatus(domain: DomainCall, domainId?: string): Promise<StatusReply> {
  const subject = Subjects.domain.status;
  const reply = (await domain(subject, domainId !== undefined ? { domainId } : {})) as {
    state?: unknown;
    open?: unknown;
    domains?: Partial<CustomKeyStoreDto>[];
  } | null;
  const state = readDomainState(reply?.state, subject);
  const domains = (Array.isArray(reply?.domains) ? reply.domains : []).map((d) => ({
    Id: String(d?.customKeyStoreId),
    Name: String(d?.customKeyStoreName),
    Labels: d?.labels ?? {},
    Members: Number(d?.members),
    Connection: String(d?.connectionState),
    Default: d?.default === true,
  }));
  const open = reply?.open;
  if (open === undefined || open === null) return { state, domains };
  if (typeof open !== 'object' || !('proposal' in open)) {
    throw invalidResponse(`the reply to ${subject} has an open proposal without its proposal`);
  }
  return { state, domains, open: open as StatusReply['open'] & object };
}

/** One signature file's verdict against `proposal` and the state's operators. */
interface SignatureVerdict {
  File: string;
  OperatorId?: string;
  Valid: boolean;
  Problem?: string;
}

function checkSignatureFile(
  path: string,
  proposal: DomainProposal,
  state: DomainState,
): { verdict: SignatureVerdict; signature?: OperatorSignature } {
  const text = readOptionFile('signatures', path).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    return { verdict: { File: path, Valid: false, Problem: 'not JSON' } };
  }
  const signature = asSignature(parsed);
  if (!signature) return { verdict: { File: path, Valid: false, Problem: SIGNATURE_SHAPE } };
  const verdict: SignatureVerdict = { File: path, OperatorId: signature.operatorId, Valid: false };
  const operator = state.operators.find((o) => o.id === signature.operatorId);
  if (!operator)
    return { verdict: { ...verdict, Problem: `${signature.operatorId} is not an operator of this domain` } };
  if (!verifies(operator.publicKey, proposalBytes(proposal), signature.signature)) {
    return {
      verdict: {
        ...verdict,
        Problem: `does not verify for this proposal with ${signature.operatorId}'s key`,
      },
    };
  }
  return { verdict: { ...verdict, Valid: true }, signature };
}

function verifies(spkiBase64: string, bytes: Buffer, signature: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' });
    const sig = Buffer.from(signature, 'base64');
    return (
      key.asymmetricKeyType === 'ed25519' &&
      sig.length === 64 &&
      sig.toString('base64') === signature &&
      verify(null, bytes, key, sig)
    );
  } catch {
    return false;
  }
}

/**
 * `domain status`: the domain (epoch, generations, members, operators with their key fingerprints, rules in words)
 * and its open proposal. With --signatures, each file is checked against the proposal (--proposal, else the open one)
 * and the state's operators: the valid signers, whether they meet the rule, else the closest alternative and who
 * could still sign, and what an hsm node would answer now (libs/quorum checkProposal).
 */
export const domainStatus: Steps = async (command, ctx) => {
  const signatureFiles = filesOf(command, 'signatures');
  const proposalPath = optionalLocal(command, 'proposal');
  const fromFile = proposalPath !== undefined ? readProposalFile('proposal', proposalPath) : undefined;
  // The domain --domain names, else the one --proposal is for, else the default domain.
  const { state, open, domains } = await askStatus(
    domainOf(ctx),
    optionalLocal(command, 'domain') ?? fromFile?.domainId,
  );
  const now = new Date();
  const ruleOf = (p: DomainProposal) =>
    Object.hasOwn(state.rules, p.change.kind) ? state.rules[p.change.kind] : undefined;
  const describe = (p: DomainProposal) => {
    const rule = ruleOf(p);
    return ceremony(p, { now, ...(rule ? { rule } : {}) });
  };
  let openView: Record<string, unknown> | null = null;
  let openProposal: DomainProposal | undefined;
  if (open) {
    const problem = proposalProblem(open.proposal, now);
    if (problem?.code !== 'MALFORMED') openProposal = open.proposal as DomainProposal;
    openView = {
      ...(openProposal ? { Ceremony: describe(openProposal) } : {}),
      ...(problem ? { Problem: `${problem.code}: ${problem.message}` } : {}),
      OpenedAt: open.openedAt,
      Rule: open.rule,
    };
  }
  const target = fromFile ?? openProposal;
  let signatures: Record<string, unknown> | undefined;
  if (signatureFiles.length > 0) {
    if (!target) {
      throw new LocalError(
        'the domain has no open proposal to check --signatures against: give --proposal',
        2,
      );
    }
    const checked = signatureFiles.map((f) => checkSignatureFile(f, target, state));
    const valid = checked.flatMap((c) => (c.signature ? [c.signature] : []));
    const rule = ruleOf(target);
    const progress = rule
      ? quorumProgress(
          rule,
          valid.map((s) => s.operatorId),
        )
      : undefined;
    const check = checkProposal(state, target, valid, { now });
    signatures = {
      Nonce: target.nonce,
      Files: checked.map((c) => c.verdict),
      Signers: [...new Set(valid.map((s) => s.operatorId))].sort(),
      Rule: progress?.rule ?? `none for ${target.change.kind}`,
      QuorumMet: progress?.met ?? false,
      ...(progress?.closest
        ? {
            StillRequired: {
              Alternative: progress.closest.alternative,
              More: progress.closest.more,
              From: progress.closest.from,
            },
          }
        : {}),
      // What every hsm node would answer to these signatures now (epoch, expiry, quorum, change).
      Check: check.ok ? 'accepted' : `${check.code}: ${check.message}`,
    };
  }
  ctx.io.out(
    json({
      Domain: state.domainId,
      Epoch: state.epoch,
      Generation: state.generation,
      Generations: state.generations.map((g) => ({ Generation: g.generation, State: g.state })),
      Members: state.members.map((m) => ({
        NodeId: m.nodeId,
        TokenLabel: m.tokenLabel,
        IdentityKey: m.identityPublicKey !== undefined ? fingerprint(m.identityPublicKey) : null,
        ...(m.labels ? { Labels: m.labels } : {}),
      })),
      Operators: state.operators.map((o) => ({ Id: o.id, Fingerprint: fingerprint(o.publicKey) })),
      Rules: Object.fromEntries(
        Object.entries(state.rules).map(([kind, rule]) => [kind, describeRule(rule)]),
      ),
      OpenProposal: openView,
      Domains: domains,
      ...(fromFile
        ? { Proposal: { Ceremony: describe(fromFile), Open: openProposal?.nonce === fromFile.nonce } }
        : {}),
      ...(signatures ? { Signatures: signatures } : {}),
    }),
  );
  return 0;
};

/**
 * `domain propose`: creates --out (never over a file), reads the domain's state, builds the proposal of --change to
 * it (libs/quorum newProposal, --ttl hours), refuses locally a change libs/quorum would refuse, registers it as the
 * open proposal (kms.v1.domain.open), writes it to --out and prints the ceremony the signers will read.
 */
export const domainPropose: Steps = async (command, ctx) => {
  const changePath = requiredLocal(command, 'change');
  const given = readJsonFile('change', changePath) as DomainChange;
  const ttlHours = Number(optionalLocal(command, 'ttl') ?? DEFAULT_TTL_HOURS);
  const domain = domainOf(ctx);
  const file = await NewFile.create('out', requiredLocal(command, 'out'), 0o644);
  try {
    const { state } = await askStatus(domain, optionalLocal(command, 'domain'));
    const change = await completeChange(given, state, domain);
    try {
      applyChange(state, change);
    } catch (e) {
      if (!(e instanceof QuorumError)) throw e;
      throw new LocalError(
        `--change ${changePath} cannot apply to domain ${state.domainId} at epoch ${state.epoch}: ${e.message}`,
      );
    }
    const now = new Date();
    const proposal = newProposal(state, change, { ttlMs: ttlHours * HOUR_MS, now });
    await domain(Subjects.domain.open, { proposal });
    await file.write(json(proposal));
    await file.commit();
    const rule = Object.hasOwn(state.rules, change.kind) ? state.rules[change.kind] : undefined;
    ctx.io.out(
      json({ Proposal: file.path, Ceremony: ceremony(proposal, { now, ...(rule ? { rule } : {}) }) }),
    );
    return 0;
  } finally {
    await file.discard();
  }
};

/**
 * What the operators leave to the platform in a change file: for an add-member, the identity key the new node's token
 * reports and the check values of the domain's live keys as a member's token reports them (the ceremony prints both,
 * to compare with the nodes' own logs before signing); for a rotation in a domain of several tokens, the key one
 * member makes ahead, named by its check value (likewise in that member's log).
 */
export async function completeChange(
  change: DomainChange,
  state: DomainState,
  domain: DomainCall,
): Promise<DomainChange> {
  if (change?.kind === 'add-member' && typeof change.member?.nodeId === 'string') {
    if (state.members.some((m) => m.nodeId === change.member.nodeId)) return change;
    let member = change.member;
    if (member.identityPublicKey === undefined) {
      const node = await nodeIdentity(domain, member.nodeId);
      member = {
        ...member,
        identityPublicKey: node.identityPublicKey,
        signingPublicKey: node.signingPublicKey,
      };
    }
    const source = state.members[0]?.nodeId;
    const keyCheckValues =
      change.keyCheckValues ??
      (source !== undefined ? (await nodeIdentity(domain, source)).keyCheckValues : []);
    return { ...change, member, keyCheckValues };
  }
  if (
    change?.kind === 'rotate-domain-key' &&
    change.origin === undefined &&
    state.members.length > 1 &&
    change.generation === nextGeneration(state)
  ) {
    const subject = Subjects.domain.prepareRotation;
    const r = (await domain(subject, { domainId: state.domainId })) as Partial<PrepareRotationReply> | null;
    if (
      typeof r?.origin !== 'string' ||
      typeof r.keyCheckValue !== 'string' ||
      r.generation !== change.generation
    ) {
      throw invalidResponse(`the reply to ${subject} names no key of generation ${change.generation}`);
    }
    return { ...change, origin: r.origin, keyCheckValue: r.keyCheckValue };
  }
  return change;
}

async function nodeIdentity(domain: DomainCall, nodeId: string): Promise<NodeIdentityReply> {
  const subject = Subjects.domain.nodeIdentity;
  const r = (await domain(subject, { nodeId })) as Partial<NodeIdentityReply> | null;
  const values = r?.keyCheckValues;
  if (
    typeof r?.identityPublicKey !== 'string' ||
    typeof r.signingPublicKey !== 'string' ||
    !Array.isArray(values) ||
    !values.every((v) => Number.isSafeInteger(v?.generation) && typeof v?.keyCheckValue === 'string')
  ) {
    throw invalidResponse(`the reply to ${subject} has no identity key or check values`);
  }
  return r as NodeIdentityReply;
}

/**
 * `domain sign`, offline: prints the ceremony of --proposal, then signs it with --key (an unencrypted Ed25519 PKCS#8
 * PEM, as `operator keygen` writes) as --operator-id and writes `{ operatorId, signature }` to --out (never over a
 * file). Refuses a malformed, expired, or too long-lived proposal.
 */
export const domainSign: Steps = async (command, { io }) => {
  const proposalPath = requiredLocal(command, 'proposal');
  const keyPath = requiredLocal(command, 'key');
  const operatorId = requiredLocal(command, 'operator-id');
  const proposal = readProposalFile('proposal', proposalPath);
  const now = new Date();
  const problem = proposalProblem(proposal, now);
  if (problem) throw new LocalError(`--proposal ${proposalPath} cannot be signed: ${problem.message}`);
  const pem = readOptionFile('key', keyPath).toString('utf8');
  let key;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new LocalError(`--key ${keyPath} is not an unencrypted PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new LocalError(`--key ${keyPath} is not an Ed25519 private key`);
  const file = await NewFile.create('out', requiredLocal(command, 'out'), 0o644);
  try {
    const signature = signProposal(proposal, operatorId, key);
    await file.write(json(signature));
    await file.commit();
    const spki = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
    io.out(
      json({
        Ceremony: ceremony(proposal, { now }),
        OperatorId: operatorId,
        KeyFingerprint: fingerprint(spki),
        Out: file.path,
      }),
    );
    return 0;
  } finally {
    await file.discard();
  }
};

/**
 * `domain submit`: --proposal and the --signatures files to kms.v1.domain.submit; the coordinator relays them to every
 * member, each checks them itself. Prints the new epoch, each member's answer and the signers counted.
 */
export const domainSubmit: Steps = async (command, ctx) => {
  const proposalPath = requiredLocal(command, 'proposal');
  const proposal = readProposalFile('proposal', proposalPath);
  const signatures = filesOf(command, 'signatures').map((path) => {
    const signature = asSignature(readJsonFile('signatures', path));
    if (!signature) throw new LocalError(`--signatures ${path} is ${SIGNATURE_SHAPE}`);
    return signature;
  });
  const subject = Subjects.domain.submit;
  const reply = (await domainOf(ctx)(subject, {
    proposal,
    signatures,
  })) as Partial<SubmitProposalReply> | null;
  const members: unknown = reply?.members;
  if (
    !reply ||
    !Number.isSafeInteger(reply.epoch) ||
    !Array.isArray(members) ||
    !members.every((m: { nodeId?: unknown } | null) => typeof m?.nodeId === 'string')
  ) {
    throw invalidResponse(`the reply to ${subject} has no epoch or members`);
  }
  ctx.io.out(
    json({
      Domain: proposal.domainId,
      Epoch: reply.epoch,
      Members: (members as SubmitProposalReply['members']).map((m) => ({ NodeId: m.nodeId, Epoch: m.epoch })),
      Signers: reply.signers,
    }),
  );
  return 0;
};

/** `domain cancel`: withdraws the open proposal --proposal names (kms.v1.domain.cancel with its nonce). */
export const domainCancel: Steps = async (command, ctx) => {
  const proposalPath = requiredLocal(command, 'proposal');
  const proposal = readProposalFile('proposal', proposalPath);
  if (!NONCE_PATTERN.test(proposal.nonce)) {
    throw new LocalError(`--proposal ${proposalPath} has a nonce the platform does not take`);
  }
  await domainOf(ctx)(Subjects.domain.cancel, { nonce: proposal.nonce });
  ctx.io.out(
    json({ Domain: proposal.domainId, Epoch: proposal.epoch, Nonce: proposal.nonce, Cancelled: true }),
  );
  return 0;
};
