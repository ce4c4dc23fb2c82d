import { commonEnv, databaseEnv, loadConfig } from '@symbolon/platform';
import { num, port, str } from 'envalid';

export const gatewayEnv = {
  ...commonEnv,
  ...databaseEnv,
  SYMBOLON_PORT: port({ default: 8080, desc: 'HTTP port of the KMS API (also serves /metrics and /health)' }),
  SYMBOLON_HOST: str({ default: '127.0.0.1' }),
  SYMBOLON_CREDENTIALS_FILE: str({
    default: '',
    desc: 'where the first start writes the admin credentials (secret)',
  }),
  SYMBOLON_MAX_BODY_BYTES: num({ default: 1024 * 1024 }),
  SYMBOLON_MAX_SKEW_MS: num({ default: 15 * 60 * 1000 }),
  SYMBOLON_ACCESS_KEY_CACHE_TTL_MS: num({ default: 30_000 }),
  SYMBOLON_UPSTREAM_TIMEOUT_MS: num({
    default: 10_000,
    desc: "how long the gateway waits for the coordinator: longer than the coordinator's own budget (policy 5 s, then 3 s per hsm node)",
  }),
  SYMBOLON_RATE_LIMIT_CRYPTO_RPS: num({
    default: 10_000,
    desc: "requests per second per account shared by the cryptographic operations (Encrypt, Decrypt, GenerateDataKey*, GenerateRandom, ReEncrypt, ...); burst one second's worth; default AWS KMS's symmetric quota (docs/adr/0007)",
  }),
  SYMBOLON_RATE_LIMIT_OTHER_RPS: num({
    default: 2000,
    desc: "requests per second per account for each other operation, counted separately; burst one second's worth; default AWS KMS's largest per-operation quota (docs/adr/0007)",
  }),
};

export type GatewayConfig = ReturnType<typeof gatewayConfig>;
export const gatewayConfig = () => loadConfig(gatewayEnv);
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
export const GATEWAY_DATA_SOURCE = Symbol('GatewayDataSource');
export const GATEWAY_RPC = Symbol('GatewayRpc');
