import { createHash } from 'node:crypto';

/**
 * The KeyMaterialId AWS shows for a key version (ListKeyRotations, ReEncrypt): 64 hex digits, stable for the life of
 * the version and derived from public names only (never from the EKT, which changes when the domain key rotates).
 */
export function keyMaterialId(keyId: string, version: number): string {
  return createHash('sha256').update(`symbolon key material\n${keyId}\n${version}`).digest('hex');
}
