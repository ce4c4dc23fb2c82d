import { createHmac } from 'node:crypto';

/**
 * SigV4's signing key for one day, region and service: HMAC-SHA256 chained over ("AWS4" + secret, yyyymmdd, region,
 * service, "aws4_request"). It signs only requests of that scope; the secret cannot be recovered from it.
 */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  const hmac = (key: string | Buffer, data: string) =>
    createHmac('sha256', key).update(data, 'utf8').digest();
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}
