import { commonEnv, databaseEnv, loadConfig } from '@symbolon/platform';

export const auditConfig = () => loadConfig({ ...commonEnv, ...databaseEnv });
export type AuditConfig = ReturnType<typeof auditConfig>;
