import { commonEnv, databaseEnv, loadConfig } from '@symbolon/platform';
import { num } from 'envalid';

export const auditConfig = () =>
  loadConfig({
    ...commonEnv,
    ...databaseEnv,
    SYMBOLON_AUDIT_DIGEST_INTERVAL_MS: num({
      default: 3_600_000,
      desc: 'how often a token signs a digest of the audit chain head (when the chain grew since the last digest)',
    }),
  });
export type AuditConfig = ReturnType<typeof auditConfig>;
