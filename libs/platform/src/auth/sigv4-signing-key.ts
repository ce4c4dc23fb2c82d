import { createHmac } from 'node:crypto';

import { needs } from '../local/process.js';

/**
 * SigV4's signing key for one day, region and service: HMAC-SHA256 chained over ("AWS4" + secret, yyyymmdd, region,
 * service, "aws4_request"). It signs only requests of that scope; the secret cannot be recovered from it.
 */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  /* Precondition: the signing date must be yyyymmdd. */
  needs(/^\d{8}$/.test(date), 'the signing date must be yyyymmdd');
  /* Precondition: region and service must be non-empty. */
  needs(region.length > 0 && service.length > 0, 'region and service must be non-empty');
  const hmac = (key: string | Buffer, data: string) =>
    createHmac('sha256', key).update(data, 'utf8').digest();
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}
