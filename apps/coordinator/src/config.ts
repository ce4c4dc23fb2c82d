import { commonEnv, databaseEnv, loadConfig } from '@symbolon/platform';
import { num, str } from 'envalid';

export const coordinatorEnv = {
  ...commonEnv,
  ...databaseEnv,
  SYMBOLON_HSM_NODES: str({
    default: 'hsm-1',
    desc: 'hsm node ids of the development domain (first start only)',
  }),
  SYMBOLON_HSM_TOKEN_LABELS: str({ default: 'symbolon-hsm-1', desc: 'their token labels, same order' }),
  SYMBOLON_DOMAINS: str({
    default: '',
    desc: 'the domains to make (JSON list of {name, node, tokenLabel?, labels?}, the first the default); empty: one from SYMBOLON_HSM_NODES',
  }),
  SYMBOLON_OPERATOR_KEY_FILE: str({
    default: '',
    desc: 'where the first start writes the development operator key (secret)',
  }),
  SYMBOLON_KEY_CACHE_TTL_MS: num({ default: 5000, desc: 'how long key metadata is cached' }),
  SYMBOLON_HSM_TIMEOUT_MS: num({ default: 3000 }),
  SYMBOLON_HSM_HEALTH_INTERVAL_MS: num({
    default: 2000,
    desc: 'how often every hsm node is asked for its health (0: never; a failed request still holds a node back)',
  }),
  SYMBOLON_KEY_WEAROUT_LIMIT: num({
    default: 2 ** 30,
    desc: 'encryptions one key version may do (AES-GCM, random nonces: well below 2^32); rotated at 90 % of it',
  }),
  SYMBOLON_JOB_INTERVAL_MS: num({
    default: 60_000,
    desc: 'how often the key lifecycle job deletes due keys and rotates keys due for rotation',
  }),
};

export type CoordinatorConfig = ReturnType<typeof coordinatorConfig>;
export const coordinatorConfig = () => loadConfig(coordinatorEnv);
export const COORDINATOR_CONFIG = Symbol('CoordinatorConfig');
