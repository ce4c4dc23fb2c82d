import { ArrayMaxSize, IsArray, IsBase64, IsInt, IsString, Max, MaxLength, Min } from 'class-validator';

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
