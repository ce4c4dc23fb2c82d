import { loadConfig } from '@symbolon/platform';

import { gatewayEnv } from './config.js';

describe('gatewayEnv', () => {
  it('should wait 10 s for the coordinator when SYMBOLON_UPSTREAM_TIMEOUT_MS is not set', () => {
    const config = loadConfig(gatewayEnv, {});
    expect(config.SYMBOLON_UPSTREAM_TIMEOUT_MS).toBe(10_000);
  });

  it("should wait longer than the coordinator's policy and hsm budgets (5 s + 3 s) when defaulted", () => {
    const config = loadConfig(gatewayEnv, {});
    expect(config.SYMBOLON_UPSTREAM_TIMEOUT_MS).toBeGreaterThan(config.SYMBOLON_RPC_TIMEOUT_MS + 3000);
  });

  it('should read SYMBOLON_UPSTREAM_TIMEOUT_MS when it is set', () => {
    const config = loadConfig(gatewayEnv, { SYMBOLON_UPSTREAM_TIMEOUT_MS: '12500' });
    expect(config.SYMBOLON_UPSTREAM_TIMEOUT_MS).toBe(12_500);
  });

  it('should refuse to start when SYMBOLON_UPSTREAM_TIMEOUT_MS is not a number', () => {
    expect(() => loadConfig(gatewayEnv, { SYMBOLON_UPSTREAM_TIMEOUT_MS: 'soon' })).toThrow(
      /SYMBOLON_UPSTREAM_TIMEOUT_MS/,
    );
  });
});
