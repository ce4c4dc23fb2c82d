import { commonEnv, loadConfig } from '@symbolon/platform';

export const policyConfig = () => loadConfig({ ...commonEnv });
