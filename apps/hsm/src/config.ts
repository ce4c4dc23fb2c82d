import { commonEnv, loadConfig } from '@symbolon/platform';
import { readFileSync } from 'node:fs';
import { bool, num, str } from 'envalid';

export const hsmEnv = {
  ...commonEnv,
  SYMBOLON_HSM_NODE_ID: str({
    default: 'hsm-1',
    desc: 'node id: one subject token, lower-case alphanumerics and -',
  }),
  SYMBOLON_PKCS11_MODULE: str({ default: '/usr/lib/softhsm/libsofthsm2.so' }),
  SYMBOLON_HSM_TOKEN_LABEL: str({ default: 'symbolon-hsm-1' }),
  SYMBOLON_HSM_PIN: str({ default: '', desc: 'user PIN (secret); prefer SYMBOLON_HSM_PIN_FILE' }),
  SYMBOLON_HSM_PIN_FILE: str({ default: '', desc: 'file holding the user PIN (secret)' }),
  SYMBOLON_HSM_SO_PIN_FILE: str({
    default: '',
    desc: "file holding the token's security officer PIN (secret): to trust a new member's identity key",
  }),
  SYMBOLON_HSM_OPERATORS_FILE: str({
    default: '',
    desc: 'operators this node trusts to approve its joining a domain: JSON [{ id, publicKey }] (unset: trust on first use)',
  }),
  SYMBOLON_HSM_DOMAIN_GENERATION: num({ default: 1, desc: 'domain key generation this node serves' }),
  SYMBOLON_HSM_CREATE_DOMAIN_KEY: bool({
    default: false,
    desc: 'create the domain key when the token has none (first token of a new development domain only)',
  }),
  SYMBOLON_HSM_KEY_CACHE_SIZE: num({ default: 1024, desc: 'unwrapped keys kept as session objects' }),
  SYMBOLON_HSM_STATE_FILE: str({
    default: 'domain-state.json',
    desc: "this node's copy of the domain state, authenticated under a key in its token",
  }),
};

export type HsmConfig = ReturnType<typeof hsmConfig>;
export const hsmConfig = () => loadConfig(hsmEnv);

/** The SO PIN, when configured: a node without it can receive domain keys but not send them. */
export function readSoPin(config: HsmConfig): string | undefined {
  return config.SYMBOLON_HSM_SO_PIN_FILE
    ? readFileSync(config.SYMBOLON_HSM_SO_PIN_FILE, 'utf8').trim()
    : undefined;
}

/** The PIN comes from a mounted file in production, from the environment in development. */
export function readPin(config: HsmConfig): string {
  if (config.SYMBOLON_HSM_PIN_FILE) return readFileSync(config.SYMBOLON_HSM_PIN_FILE, 'utf8').trim();
  if (config.SYMBOLON_HSM_PIN) return config.SYMBOLON_HSM_PIN;
  throw new Error('set SYMBOLON_HSM_PIN_FILE (or SYMBOLON_HSM_PIN) to the token user PIN');
}
