/** `symbolon audit export-chain | verify`: the audit chain as a libs/evidence export file, and its offline check. */
import {
  type AuditDigest,
  EvidenceError,
  type Signed,
  formatDigest,
  formatExportHeader,
  formatLink,
  readLines,
  verifyAuditExport,
} from '@symbolon/evidence';

import {
  LocalError,
  NewFile,
  type Steps,
  answer,
  checkReadable,
  invalidResponse,
  json,
  optionalLocal,
  readPinnedKeys,
  requiredLocal,
} from './steps.js';

/** The page size `audit export-chain` asks for: the most ExportAuditChain returns at once. */
export const CHAIN_PAGE_SIZE = 10000;

interface WireLink {
  s: number;
  p: string;
  h: string;
  r?: string;
}

interface ChainPage {
  keyArn?: string;
  links: WireLink[];
  digests: Signed<AuditDigest>[];
  head: number;
}

const isSequence = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

/**
 * Checks the shape of an ExportAuditChain answer asked from `from`: links in increasing order within the page's
 * range. A gap is not refused here: it is what the database holds, and `audit verify` names the missing record.
 */
function readChainPage(body: Record<string, unknown>, from: number): ChainPage {
  const { KeyId, Links, Digests, HeadSequence } = body;
  if (!Array.isArray(Links) || !Array.isArray(Digests)) {
    throw invalidResponse('an ExportAuditChain page has no Links or Digests list');
  }
  if (typeof HeadSequence !== 'number' || !Number.isSafeInteger(HeadSequence) || HeadSequence < 0) {
    throw invalidResponse('an ExportAuditChain page has no HeadSequence');
  }
  let previous = from - 1;
  Links.forEach((l: unknown, i) => {
    const link = l as Partial<WireLink> | null;
    const inOrder = isSequence(link?.s) && link.s > previous && link.s < from + CHAIN_PAGE_SIZE;
    if (inOrder) previous = link.s!;
    if (
      !inOrder ||
      link === null ||
      typeof link.p !== 'string' ||
      typeof link.h !== 'string' ||
      (link.r !== undefined && typeof link.r !== 'string')
    ) {
      throw invalidResponse(
        `an ExportAuditChain page asked from ${from} has a malformed link at position ${i}`,
      );
    }
  });
  for (const d of Digests as unknown[]) {
    if (!isSequence((d as { document?: { sequence?: unknown } } | null)?.document?.sequence)) {
      throw invalidResponse('an ExportAuditChain page has a digest without a sequence');
    }
  }
  return {
    ...(typeof KeyId === 'string' ? { keyArn: KeyId } : {}),
    links: Links as WireLink[],
    digests: Digests as Signed<AuditDigest>[],
    head: HeadSequence,
  };
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * `audit export-chain`: pages ExportAuditChain (CHAIN_PAGE_SIZE links at a time) from --from-sequence (default 1)
 * into a new --out file (mode 0600, never over an existing one): the header, then every link in order, each digest
 * line right after the link it covers. Prints `{Links, OwnRecords, Digests, Out}`; on any failure the partial file
 * is removed.
 *
 * The header names the last sequence before the links come. It is the first page's HeadSequence: the chain only
 * grows, so the export stops there and later records are left to the next export. The first page is held until the
 * header is written (it is asked for anyway, so this costs no extra request); every page is written as it comes, so
 * memory stays within one page whatever the length of the chain.
 */
export const exportChain: Steps = async (command, { io, call, accountId }) => {
  if (accountId === undefined || !ACCOUNT_ID.test(accountId)) {
    throw new LocalError(
      'the --credentials file has no accountId (12 digits): the export names the account it is for',
      2,
    );
  }
  const from = typeof command.body['FromSequence'] === 'number' ? command.body['FromSequence'] : 1;
  const keyId = command.body['KeyId'];
  const file = await NewFile.create('out', requiredLocal(command, 'out'), 0o600);
  let links = 0;
  let ownRecords = 0;
  let digests = 0;
  try {
    let next = from;
    let to: number | undefined;
    for (;;) {
      const page = readChainPage(
        answer(
          await call('ExportAuditChain', {
            ...(keyId !== undefined ? { KeyId: keyId } : {}),
            FromSequence: next,
            Limit: CHAIN_PAGE_SIZE,
          }),
        ),
        next,
      );
      let text = '';
      if (to === undefined) {
        to = page.head;
        if (to < from)
          throw new LocalError(`the audit chain has no record from ${from} on: it ends at ${to}`);
        text += `${formatExportHeader({
          tenantId: accountId,
          keyArn: page.keyArn ?? null,
          fromSequence: from,
          toSequence: to,
          exportedAt: new Date().toISOString(),
        })}\n`;
      }
      const covering = new Map<number, Signed<AuditDigest>[]>();
      for (const d of page.digests) {
        const at = d.document.sequence;
        covering.set(at, [...(covering.get(at) ?? []), d]);
      }
      for (const l of page.links) {
        if (l.s > to) break;
        const own = l.r !== undefined;
        text += `${formatLink({ sequence: l.s, prevHash: l.p, hash: l.h, record: l.r ?? '' }, own)}\n`;
        links++;
        if (own) ownRecords++;
        for (const d of covering.get(l.s) ?? []) {
          text += `${formatDigest(d)}\n`;
          digests++;
        }
      }
      await file.write(text);
      // A page covers the sequences [next, next + CHAIN_PAGE_SIZE - 1], whatever is missing among them.
      next += CHAIN_PAGE_SIZE;
      if (next > to) break;
    }
    await file.commit();
  } catch (e) {
    if (e instanceof EvidenceError) throw invalidResponse(`ExportAuditChain gave ${e.message}`);
    throw e;
  } finally {
    await file.discard();
  }
  io.out(json({ Links: links, OwnRecords: ownRecords, Digests: digests, Out: file.path }));
  return 0;
};

/**
 * `audit verify`, offline: libs/evidence verifyAuditExport over the file, streamed. Prints the report on stdout (exit
 * 0 when it verifies); when it does not, the report with FirstBreak, a one-line reason on stderr, and exit 1.
 */
export const verifyChain: Steps = async (command, { io }) => {
  const path = requiredLocal(command, 'in');
  const pinned = optionalLocal(command, 'public-key');
  const publicKey = pinned !== undefined ? readPinnedKeys('public-key', pinned) : undefined;
  checkReadable('in', path);
  const report = await verifyAuditExport(readLines(path), publicKey !== undefined ? { publicKey } : {});
  const brk = report.firstBreak;
  io.out(
    json({
      Valid: report.ok,
      Header: report.header,
      Links: report.links,
      OwnRecords: report.ownRecords,
      Digests: report.digests,
      LastAnchoredSequence: report.lastAnchoredSequence,
      UnanchoredLinks: report.unanchoredLinks,
      Signers: report.signers,
      ...(brk ? { FirstBreak: { Sequence: brk.sequence, Line: brk.line, Reason: brk.reason } } : {}),
    }),
  );
  if (!brk) return 0;
  io.err(`symbolon: ${path} does not verify: line ${brk.line}: ${brk.reason}\n`);
  return 1;
};
