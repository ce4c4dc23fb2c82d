import type { CustomKeyStoreDto } from './keys.dto.js';
import { IsArray, IsInt, IsObject, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';

/**
 * Domain changes (issue 5). A proposal (libs/quorum DomainProposal) and the operators' signatures travel as they are:
 * every hsm node checks them itself with libs/quorum checkProposal against its own copy of the domain state, so these
 * DTOs only bound their size; the shape is checked there.
 */
export class DomainRequest {
  @IsString()
  @MaxLength(64)
  requestId!: string;

  /** The domain asked about; without it, the default domain (a submitted proposal names its own). */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  domainId?: string;
}

/**
 * A proposal with the operators' signatures gathered for it (libs/quorum DomainProposal and OperatorSignature), as
 * the operators submit it and as every hsm node checks it.
 */
export class SignedProposalRequest extends DomainRequest {
  @IsObject()
  proposal!: Record<string, unknown>;

  @IsArray()
  signatures!: unknown[];
}

/** operator -> coordinator: make `proposal` the domain's open proposal (one at a time). */
export class OpenProposalRequest extends DomainRequest {
  @IsObject()
  proposal!: Record<string, unknown>;
}

/** operator -> coordinator -> every member: the proposal with the signatures gathered offline. */
export class SubmitProposalRequest extends SignedProposalRequest {}
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

/** operator -> coordinator: have one member make the next generation's key ahead of a rotation proposal. */
export class PrepareRotationRequest extends DomainRequest {}
export interface PrepareRotationReply {
  /** The member that made the key: the proposal's `origin`. */
  origin: string;
  generation: number;
  keyCheckValue: string;
}

/** operator -> coordinator -> that node: its identity, for an add-member proposal (member or not). */
export class NodeIdentityRequest extends DomainRequest {
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/)
  nodeId!: string;
}
export interface NodeIdentityReply {
  nodeId: string;
  tokenLabel: string;
  identityPublicKey: string;
  signingPublicKey: string;
  /** The domain the node holds a state of, or null while it has none. */
  domainId: string | null;
  /** The check values of the live domain keys in its token: what an add-member names, and operators compare. */
  keyCheckValues: { generation: number; keyCheckValue: string }[];
}

export class DomainStatusRequest extends DomainRequest {}
export interface DomainStatusReply {
  /** libs/quorum DomainState as the coordinator holds it (every member holds its own copy). */
  state: Record<string, unknown>;
  /** Key versions whose EKT is not yet under the active generation (after a rotation; 0 when done). */
  rewrapRemaining: number;
  /** Members the coordinator routes to last (a request failed, or a health check found them not ready). */
  heldBack: string[];
  open?: {
    proposal: Record<string, unknown>;
    openedAt: string;
    /** The rule that decides it, in words ("2 of {A, B, C}"). */
    rule: string;
  };
  /** Every domain the coordinator serves (the one above among them). */
  domains: CustomKeyStoreDto[];
}

/** coordinator -> hsm node: install the first state of a new domain (epoch 1) in a node that has none. */
export class HsmDomainGenesisRequest extends DomainRequest {
  @IsObject()
  state!: Record<string, unknown>;
}

/**
 * Domain keys one member wrapped for another member's identity key (RSA-OAEP, base64 of 384 bytes), each with its key
 * check value. Checked by the receiving hsm node: it is meant for it, comes from a member of its state, and each key
 * unwraps to the value the check value names.
 */
export interface DomainKeyPackage {
  domainId: string;
  /** The state epoch the sender held when it wrapped the keys. */
  epoch: number;
  from: string;
  to: string;
  keys: { generation: number; wrapped: string; keyCheckValue: string }[];
  /**
   * Base64 Ed25519 signature by the sending token's signing key over the canonical JSON of the other fields: the
   * receiver checks it against the key its state names for `from`, so that only a member's token can send keys.
   */
  signature: string;
}

/** coordinator -> hsm node: check and apply a proposal. */
export class HsmDomainApplyRequest extends SignedProposalRequest {}

/**
 * coordinator -> a member: the next generation's key the origin made ahead of a rotation, with the approved rotation
 * proposal and its signatures (the member checks them against its own state before it takes the key).
 */
export class HsmDomainReceiveRequest extends SignedProposalRequest {
  @IsObject()
  keys!: DomainKeyPackage;
}
export interface HsmDomainReceiveReply {
  nodeId: string;
  generations: number[];
}

/** coordinator -> one member: make the next generation's domain key ahead of a rotation, and name it. */
export class HsmDomainPrepareRotationRequest extends DomainRequest {
  @IsInt()
  @Min(2)
  generation!: number;
}
export interface HsmDomainPrepareRotationReply {
  nodeId: string;
  generation: number;
  keyCheckValue: string;
}

/** coordinator -> a member: wrap the domain keys `to` needs (the generations not destroyed, or those named). */
export class HsmDomainTransportRequest extends DomainRequest {
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/)
  to!: string;

  @IsOptional()
  @IsArray()
  @IsInt({ each: true })
  generations?: number[];
}

/**
 * coordinator -> a node that holds no state: the approved add-member that made it a member (with its signatures), the
 * state it leads to, and the domain keys a member wrapped for it.
 */
export class HsmDomainJoinRequest extends SignedProposalRequest {
  @IsObject()
  state!: Record<string, unknown>;

  @IsObject()
  keys!: DomainKeyPackage;
}
export interface HsmDomainApplyReply {
  nodeId: string;
  epoch: number;
  signers: string[];
}

export class HsmDomainStateRequest extends DomainRequest {}
export interface HsmDomainStateReply {
  nodeId: string;
  /** null when the node holds no domain state yet. */
  state: Record<string, unknown> | null;
  /** The token's identity public key (RSA-3072 SPKI DER, base64): what an add-member proposal names. */
  identityPublicKey: string;
  /** The token's Ed25519 signing key (SPKI DER, base64): an add-member names it too. */
  signingPublicKey: string;
  tokenLabel: string;
  /** The check values of the live domain keys this token holds (what an add-member proposal names). */
  keyCheckValues: { generation: number; keyCheckValue: string }[];
}
