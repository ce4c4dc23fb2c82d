import { IsArray, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/**
 * Domain changes (issue 5). A proposal (libs/quorum DomainProposal) and the operators' signatures travel as they are:
 * every hsm node checks them itself with libs/quorum checkProposal against its own copy of the domain state, so these
 * DTOs only bound their size; the shape is checked there.
 */
export class DomainRequest {
  @IsString()
  @MaxLength(64)
  requestId!: string;
}

/** operator -> coordinator: make `proposal` the domain's open proposal (one at a time). */
export class OpenProposalRequest extends DomainRequest {
  @IsObject()
  proposal!: Record<string, unknown>;
}

/** operator -> coordinator -> every member: the proposal with the signatures gathered offline. */
export class SubmitProposalRequest extends DomainRequest {
  @IsObject()
  proposal!: Record<string, unknown>;

  @IsArray()
  signatures!: unknown[];
}
export interface SubmitProposalReply {
  epoch: number;
  /** Each member's answer. */
  members: { nodeId: string; epoch: number }[];
  signers: string[];
}

export const NONCE_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

export class CancelProposalRequest extends DomainRequest {
  @Matches(NONCE_PATTERN)
  nonce!: string;
}

export class DomainStatusRequest extends DomainRequest {}
export interface DomainStatusReply {
  /** libs/quorum DomainState as the coordinator holds it (every member holds its own copy). */
  state: Record<string, unknown>;
  /** Key versions whose EKT is not yet under the active generation (after a rotation; 0 when done). */
  rewrapRemaining: number;
  open?: {
    proposal: Record<string, unknown>;
    openedAt: string;
    /** The rule that decides it, in words ("2 of {A, B, C}"). */
    rule: string;
  };
}

/** coordinator -> hsm node: install the first state of a new domain (epoch 1) in a node that has none. */
export class HsmDomainGenesisRequest extends DomainRequest {
  @IsObject()
  state!: Record<string, unknown>;
}

/** coordinator -> hsm node: check and apply a proposal. */
export class HsmDomainApplyRequest extends DomainRequest {
  @IsObject()
  proposal!: Record<string, unknown>;

  @IsArray()
  signatures!: unknown[];
}
export interface HsmDomainApplyReply {
  nodeId: string;
  epoch: number;
  signers: string[];
}

export class HsmDomainStateRequest extends DomainRequest {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  domainId?: string;
}
export interface HsmDomainStateReply {
  nodeId: string;
  /** null when the node holds no domain state yet. */
  state: Record<string, unknown> | null;
}
