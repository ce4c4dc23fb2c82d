import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBase64,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** Requests to one hsm node (kms.v1.hsm.<node>.<action>). Bytes are base64. */
export class HsmRequest {
  @IsString()
  @MaxLength(64)
  requestId!: string;
}

export class HsmGenerateKeyRequest extends HsmRequest {}
export interface HsmGenerateKeyReply {
  /** libs/formats EKT: wrapped under the domain key generation it names. */
  ekt: string;
}

export class HsmKeyRequest extends HsmRequest {
  @IsBase64()
  @MaxLength(1024)
  ekt!: string;
}

export class HsmEncryptRequest extends HsmKeyRequest {
  @IsBase64()
  plaintext!: string;

  @IsBase64()
  aad!: string;
}
export interface HsmEncryptReply {
  iv: string;
  /** ciphertext || tag */
  sealed: string;
}

/** A random data key made inside the token and sealed under the KMS key in the same call. */
export class HsmGenerateDataKeyRequest extends HsmKeyRequest {
  @IsInt()
  @Min(1)
  @Max(1024)
  length!: number;

  @IsBase64()
  aad!: string;
}
export interface HsmGenerateDataKeyReply {
  plaintext: string;
  iv: string;
  sealed: string;
}

export class HsmDecryptRequest extends HsmKeyRequest {
  @IsBase64()
  iv!: string;

  @IsBase64()
  sealed!: string;

  @IsBase64()
  aad!: string;
}
export interface HsmDecryptReply {
  plaintext: string;
}

export class HsmGenerateRandomRequest extends HsmRequest {
  @IsInt()
  @Min(1)
  @Max(4096)
  length!: number;
}
export interface HsmGenerateRandomReply {
  random: string;
}

export interface HsmHealthReply {
  nodeId: string;
  tokenLabel: string;
  ok: boolean;
  domainGeneration: number;
  cachedKeys: number;
  /** The token holds the key of the active generation: the node can serve key operations. */
  ready: boolean;
}

/**
 * Decrypt under the source EKT and encrypt under the destination EKT in one call: the plaintext never leaves the
 * hsm process.
 */
export class HsmReEncryptRequest extends HsmRequest {
  @IsBase64()
  @MaxLength(1024)
  sourceEkt!: string;

  @IsBase64()
  iv!: string;

  @IsBase64()
  sealed!: string;

  @IsBase64()
  sourceAad!: string;

  @IsBase64()
  @MaxLength(1024)
  destinationEkt!: string;

  @IsBase64()
  destinationAad!: string;
}
export interface HsmReEncryptReply {
  iv: string;
  sealed: string;
}

/** Drop any cached unwrapped copy of these key versions from the token (the key is being deleted). */
export class HsmDestroyKeyRequest extends HsmRequest {
  @IsArray()
  @ArrayMaxSize(1000)
  @IsBase64({}, { each: true })
  @MaxLength(1024, { each: true })
  ekts!: string[];
}
export interface HsmDestroyKeyReply {
  /** How many of them were cached and are now gone. */
  evicted: number;
}

/** A document signed inside a token with the domain's Ed25519 signing key (libs/evidence verifies it). Base64. */
export interface SignedDocumentDto {
  document: Record<string, unknown>;
  signature: string;
  /** SPKI DER of the signing key. */
  publicKey: string;
}

export class HsmSigningKeyRequest extends HsmRequest {}
export interface HsmSigningKeyReply {
  /** SPKI DER, base64. */
  publicKey: string;
}

const HASH_HEX = /^[0-9a-f]{64}$/;
/** arn:<partition>:kms:<region>:<account>:key/<id> */
export const KEY_ARN_PATTERN = /^arn:[a-z-]{1,32}:kms:[a-z0-9-]{0,32}:\d{12}:key\/[A-Za-z0-9-]{1,64}$/;

/** The hsm node builds the digest document itself (type, time, node) and signs it: callers give only the chain head. */
export class HsmSignAuditDigestRequest extends HsmRequest {
  @IsInt()
  @Min(1)
  sequence!: number;

  @Matches(HASH_HEX)
  hash!: string;
}

/** Key versions as parallel arrays: versions[i] is the version whose key material ekts[i] wraps. */
export class HsmKeyVersionsRequest extends HsmRequest {
  @Matches(KEY_ARN_PATTERN)
  keyArn!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsInt({ each: true })
  @Min(1, { each: true })
  versions!: number[];

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsBase64({}, { each: true })
  @MaxLength(1024, { each: true })
  ekts!: string[];
}

/** Evicts the versions from the token's cache and signs a shred receipt naming them (libs/evidence ShredReceipt). */
export class HsmShredRequest extends HsmKeyVersionsRequest {}
export type HsmShredReply = SignedDocumentDto;

/**
 * Wraps every version's key material for the customer's RSA public key (RSA-OAEP, SHA-1) and seals a check value
 * under each, then evicts them: the coordinator keeps only the check values, which no one can use to decrypt.
 */
export class HsmSuspendRequest extends HsmKeyVersionsRequest {
  /** SPKI DER, RSA 3072 or 4096 bits. */
  @IsBase64()
  @MaxLength(1024)
  publicKey!: string;
}
export interface HsmSuspendReply {
  /** In the order of the request's versions. */
  wrapped: string[];
  /** A random value sealed under each version (iv || ciphertext || tag): proves a reinstated key is the same. */
  checks: string[];
}

export const IMPORT_KEY_ID = /^[A-Za-z0-9-]{1,64}$/;

export class HsmCreateImportKeyRequest extends HsmRequest {
  @Matches(IMPORT_KEY_ID)
  importKeyId!: string;
}
export interface HsmCreateImportKeyReply {
  /** RSA-3072, SPKI DER. */
  publicKey: string;
}

export class HsmDestroyImportKeyRequest extends HsmCreateImportKeyRequest {}
export interface HsmDestroyImportKeyReply {
  destroyed: boolean;
}

/**
 * Imports each version's key material (wrapped for the import key, or - the weaker literal form - for the customer's
 * key whose private key is given), checks it against the version's check value, and returns the new EKTs.
 */
export class HsmReinstateRequest extends HsmRequest {
  @Matches(KEY_ARN_PATTERN)
  keyArn!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsInt({ each: true })
  @Min(1, { each: true })
  versions!: number[];

  @IsArray()
  @ArrayMaxSize(1000)
  @IsBase64({}, { each: true })
  @MaxLength(1024, { each: true })
  wrapped!: string[];

  @IsArray()
  @ArrayMaxSize(1000)
  @IsBase64({}, { each: true })
  @MaxLength(256, { each: true })
  checks!: string[];

  @IsOptional()
  @Matches(IMPORT_KEY_ID)
  importKeyId?: string;

  /** PKCS#8 DER of the customer's RSA private key: only the literal form sends it. */
  @IsOptional()
  @IsBase64()
  @MaxLength(4096)
  privateKey?: string;
}
export interface HsmReinstateReply {
  ekts: string[];
}

/** Domain-key rotation: these EKTs wrapped again under the node's active generation (the material stays in the token). */
export class HsmRewrapRequest extends HsmRequest {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsBase64({}, { each: true })
  @MaxLength(1024, { each: true })
  ekts!: string[];
}
export interface HsmRewrapReply {
  /** In the request's order, each under `domainGeneration`. */
  ekts: string[];
  domainGeneration: number;
}

/** A shred receipt this domain signed: the node signs its completion once every pending generation is destroyed here. */
export class HsmCompleteShredRequest extends HsmRequest {
  @IsObject()
  receipt!: Record<string, unknown>;
}
export type HsmCompleteShredReply = SignedDocumentDto;
