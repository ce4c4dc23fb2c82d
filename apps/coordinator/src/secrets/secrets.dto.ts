import { IsBase64, IsString, Matches, MaxLength } from 'class-validator';

/** Subjects.secrets.wrap: a platform secret (base64) bound to what it belongs to (e.g. an access key id). */
export class WrapSecretRequest {
  @IsString()
  @MaxLength(64)
  requestId!: string;

  @IsBase64()
  @MaxLength(4096)
  secret!: string;

  @Matches(/^[\w:./-]{1,256}$/)
  boundTo!: string;
}

export interface WrapSecretReply {
  /** base64 ciphertext blob under the internal platform key. */
  wrapped: string;
}

export class UnwrapSecretRequest {
  @IsString()
  @MaxLength(64)
  requestId!: string;

  @IsBase64()
  @MaxLength(8192)
  wrapped!: string;

  @Matches(/^[\w:./-]{1,256}$/)
  boundTo!: string;
}

export interface UnwrapSecretReply {
  secret: string;
}
