import { commonEnv, loadConfig } from '@symbolon/platform';
import { num } from 'envalid';

export const policyConfig = () =>
  loadConfig({
    ...commonEnv,
    SYMBOLON_POLICY_DECISION_TTL_MS: num({
      default: 5000,
      desc: 'how long callers may reuse a condition-free decision',
    }),
  });
