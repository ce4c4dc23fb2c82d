import { commonEnv, databaseEnv, loadConfig } from '@symbolon/platform';
import { num } from 'envalid';

export const policyConfig = () =>
  loadConfig({
    ...commonEnv,
    ...databaseEnv,
    SYMBOLON_POLICY_DECISION_TTL_MS: num({
      default: 5000,
      desc: 'how long callers may reuse a condition-free decision (changes also drop it at once by a notice)',
    }),
  });
export type PolicyConfig = ReturnType<typeof policyConfig>;
