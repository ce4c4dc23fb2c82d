import { canonicalJson } from '@symbolon/evidence';
import type { Hsm } from '@symbolon/pkcs11';
import type { DomainState } from '@symbolon/quorum';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** What a node keeps: its copy of the domain state, and the nonces of the proposals it applied (until they expire). */
export interface NodeDomain {
  state: DomainState;
  nonces: { nonce: string; expiresAt: string }[];
}

/** The state file was changed outside this node, or made by another token: the node refuses to start on it. */
export class DomainStateTamperedError extends Error {
  override readonly name = 'DomainStateTamperedError';
}

/**
 * The node's domain state in a file, bound to its token: the file holds the state and an HMAC-SHA256 of its canonical
 * JSON made inside the token with a key that never leaves it. A file edited by hand, or copied from another node, does
 * not verify and is refused. Writes go to a temporary file renamed over the old one (mode 0600).
 */
export class DomainStateStore {
  /** What this process last read or wrote: the file is read (and its MAC checked in the token) once. */
  private held?: NodeDomain;

  constructor(
    private readonly hsm: Hsm,
    private readonly file: string,
  ) {}

  load(): NodeDomain | undefined {
    if (this.held) return this.held;
    if (!existsSync(this.file)) return undefined;
    let parsed: { domain?: NodeDomain; mac?: string };
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8')) as typeof parsed;
    } catch {
      throw new DomainStateTamperedError(`${this.file} is not a domain state file`);
    }
    if (typeof parsed.mac !== 'string' || typeof parsed.domain !== 'object' || parsed.domain === null) {
      throw new DomainStateTamperedError(`${this.file} is not a domain state file`);
    }
    const ok = this.hsm.verifyStateMac(this.bytes(parsed.domain), Buffer.from(parsed.mac, 'base64'));
    if (!ok) {
      throw new DomainStateTamperedError(
        `${this.file} was not written by this token: changed outside the node, or copied from another one`,
      );
    }
    this.held = parsed.domain;
    return parsed.domain;
  }

  save(domain: NodeDomain): void {
    const mac = Buffer.from(this.hsm.macState(this.bytes(domain))).toString('base64');
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ domain, mac }, null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
    this.held = domain;
  }

  /** Forgets the state (the node left its domain): it may join one again. */
  clear(): void {
    rmSync(this.file, { force: true });
    this.held = undefined;
  }

  private bytes(domain: NodeDomain): Buffer {
    return Buffer.from(canonicalJson(domain), 'utf8');
  }
}
