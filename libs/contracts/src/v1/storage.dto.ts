import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/**
 * The storage service asks the gateway (Subjects.gateway.s3SigningKey) for the SigV4 signing key of an access key for
 * one day, its region and the service `s3`, and verifies S3 requests with it itself (ADR 0017). The secret access key
 * never leaves the gateway; a signing key signs nothing but S3 requests of that day.
 */
export class S3SigningKeyRequest {
  @IsString()
  @MaxLength(64)
  requestId!: string;

  @Matches(/^[A-Z0-9]{16,128}$/)
  accessKeyId!: string;

  /** The credential scope's day, yyyymmdd: within a day of the gateway's clock. */
  @Matches(/^\d{8}$/)
  date!: string;

  @Matches(/^[a-z0-9-]{1,32}$/)
  region!: string;

  /** The X-Amz-Security-Token the request carried: temporary credentials must present theirs, others none. */
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  sessionToken?: string;
}

export interface S3SigningKeyReply {
  /** base64 of kSigning = HMAC chain over ("AWS4" + secret, date, region, "s3", "aws4_request"). */
  signingKey: string;
  /** The tenant. */
  accountId: string;
  principalArn: string;
}
