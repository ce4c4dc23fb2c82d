import { jest } from '@jest/globals';
import { ErrorCodes, type DescribeCustomKeyStoresRequest, Subjects } from '@symbolon/contracts';
import { type RpcClient, loadConfig } from '@symbolon/platform';
import { developmentDomain } from '@symbolon/quorum';

import { RecordingRpc, asFake } from '../../../../libs/testing/src/fakes/index.js';
import { coordinatorEnv } from '../config.js';
import { PolicyClient } from '../policy/policy.client.js';
import { NodeHealth } from '../routing/node-health.js';
import { CustomKeyStores } from './custom-key-stores.js';
import type { DomainService } from './domain.service.js';
import { domainsOf } from './domain.test-helper.js';

const DEFAULT = 'cks-00000000000000001';
const SECOND = 'cks-00000000000000002';
const THIRD = 'cks-00000000000000003';
const OPERATOR = { id: 'o', publicKey: '' };

const scope = {
  requestId: 'req-cks',
  tenantId: '111111111111',
  principal: 'arn:aws:iam::111111111111:user/admin',
};

/** Three domains: the default with hsm-1, the second with hsm-2a and hsm-2b, the third with hsm-3. */
function threeDomains(): DomainService {
  return domainsOf([
    developmentDomain(DEFAULT, [{ nodeId: 'hsm-1', tokenLabel: 't1' }], OPERATOR),
    developmentDomain(
      SECOND,
      [
        { nodeId: 'hsm-2a', tokenLabel: 't2a' },
        { nodeId: 'hsm-2b', tokenLabel: 't2b' },
      ],
      OPERATOR,
    ),
    developmentDomain(THIRD, [{ nodeId: 'hsm-3', tokenLabel: 't3' }], OPERATOR),
  ]);
}

interface Fixture {
  stores: CustomKeyStores;
  domains: DomainService;
  health: NodeHealth;
  policyRpc: RecordingRpc;
}

function fixture(effect: 'ALLOW' | 'DENY' = 'ALLOW', domains = threeDomains()): Fixture {
  const policyRpc = new RecordingRpc().on(Subjects.policy.evaluate, () => ({ effect, reason: 'test' }));
  const health = new NodeHealth(
    asFake<RpcClient>(new RecordingRpc()),
    domains,
    loadConfig(coordinatorEnv, {}),
  );
  const stores = new CustomKeyStores(domains, health, new PolicyClient(asFake<RpcClient>(policyRpc)));
  return { stores, domains, health, policyRpc };
}

function request(fields: Partial<DescribeCustomKeyStoresRequest> = {}): DescribeCustomKeyStoresRequest {
  return { ...scope, limit: 100, ...fields };
}

describe('CustomKeyStores', () => {
  describe('list', () => {
    it('should answer every domain, the first the default, CONNECTED when every member is up', () => {
      const { stores } = fixture();
      expect(stores.list()).toEqual([
        {
          customKeyStoreId: DEFAULT,
          customKeyStoreName: 'default',
          connectionState: 'CONNECTED',
          creationDate: '2026-01-01T00:00:00.000Z',
          labels: {},
          members: 1,
          default: true,
        },
        {
          customKeyStoreId: SECOND,
          customKeyStoreName: 'domain-2',
          connectionState: 'CONNECTED',
          creationDate: '2026-01-02T00:00:00.000Z',
          labels: {},
          members: 2,
          default: false,
        },
        {
          customKeyStoreId: THIRD,
          customKeyStoreName: 'domain-3',
          connectionState: 'CONNECTED',
          creationDate: '2026-01-03T00:00:00.000Z',
          labels: {},
          members: 1,
          default: false,
        },
      ]);
    });

    it('should answer CONNECTED when one member of the domain is held back and another is up', () => {
      const { stores, health } = fixture();
      health.holdBack('hsm-2a', 'test');
      expect(stores.list().find((s) => s.customKeyStoreId === SECOND)?.connectionState).toBe('CONNECTED');
    });

    it('should answer DISCONNECTED for that domain only when all its members are held back', () => {
      const { stores, health } = fixture();
      health.holdBack('hsm-2a', 'test');
      health.holdBack('hsm-2b', 'test');
      expect(stores.list().map((s) => [s.customKeyStoreId, s.connectionState])).toEqual([
        [DEFAULT, 'CONNECTED'],
        [SECOND, 'DISCONNECTED'],
        [THIRD, 'CONNECTED'],
      ]);
    });

    it('should answer the labels the operators gave the domain when it has some', () => {
      const { stores, domains } = fixture();
      domains.get(THIRD).labels = { region: 'eu-central', jurisdiction: 'DE' };
      expect(stores.list().map((s) => s.labels)).toEqual([
        {},
        {},
        { region: 'eu-central', jurisdiction: 'DE' },
      ]);
    });
  });

  describe('placement', () => {
    it('should answer the default domain when no CustomKeyStoreId is given', () => {
      expect(fixture().stores.placement(undefined)).toBe(DEFAULT);
    });

    it('should answer the named domain when it is connected', () => {
      const { stores, health } = fixture();
      health.holdBack('hsm-2a', 'test');
      expect(stores.placement(SECOND)).toBe(SECOND);
      expect(stores.placement(THIRD)).toBe(THIRD);
    });

    it('should refuse with CUSTOM_KEY_STORE_NOT_FOUND when no domain has the id', () => {
      expect(() => fixture().stores.placement('cks-0123456789abcdef0')).toThrow(
        expect.objectContaining({ code: ErrorCodes.CUSTOM_KEY_STORE_NOT_FOUND }),
      );
    });

    it('should refuse with CUSTOM_KEY_STORE_INVALID_STATE when every member of the domain is held back', () => {
      const { stores, health } = fixture();
      health.holdBack('hsm-2a', 'test');
      health.holdBack('hsm-2b', 'test');
      expect(() => stores.placement(SECOND)).toThrow(
        expect.objectContaining({
          code: ErrorCodes.CUSTOM_KEY_STORE_INVALID_STATE,
          message: `custom key store ${SECOND} is not connected: none of its hsm nodes is up`,
        }),
      );
      expect(stores.placement(THIRD)).toBe(THIRD);
    });
  });

  describe('describe', () => {
    it('should ask the policy for kms:DescribeCustomKeyStores on the account and answer every domain', async () => {
      const { stores, policyRpc } = fixture();
      const r = await stores.describe(request());
      expect(r.keyStores.map((s) => s.customKeyStoreId)).toEqual([DEFAULT, SECOND, THIRD]);
      expect(r).not.toHaveProperty('nextMarker');
      expect(policyRpc.to(Subjects.policy.evaluate).map((c) => c.payload)).toEqual([
        expect.objectContaining({
          tenantId: scope.tenantId,
          principal: scope.principal,
          action: 'kms:DescribeCustomKeyStores',
          keyArn: '*',
          keyAccountId: scope.tenantId,
        }),
      ]);
    });

    it('should answer only the domain with the id when CustomKeyStoreId is given', async () => {
      const { stores, health } = fixture();
      health.holdBack('hsm-3', 'test');
      const r = await stores.describe(request({ customKeyStoreId: THIRD }));
      expect(r).toEqual({
        keyStores: [
          {
            customKeyStoreId: THIRD,
            customKeyStoreName: 'domain-3',
            connectionState: 'DISCONNECTED',
            creationDate: '2026-01-03T00:00:00.000Z',
            labels: {},
            members: 1,
            default: false,
          },
        ],
      });
    });

    it('should refuse with CUSTOM_KEY_STORE_NOT_FOUND when no domain has the id', async () => {
      await expect(
        fixture().stores.describe(request({ customKeyStoreId: 'cks-0123456789abcdef0' })),
      ).rejects.toMatchObject({ code: ErrorCodes.CUSTOM_KEY_STORE_NOT_FOUND });
    });

    it('should answer only the domain with the name when CustomKeyStoreName is given', async () => {
      const r = await fixture().stores.describe(request({ customKeyStoreName: 'domain-2' }));
      expect(r.keyStores.map((s) => [s.customKeyStoreId, s.customKeyStoreName])).toEqual([
        [SECOND, 'domain-2'],
      ]);
      expect(r).not.toHaveProperty('nextMarker');
    });

    it('should refuse with CUSTOM_KEY_STORE_NOT_FOUND naming the name when no domain has it', async () => {
      await expect(
        fixture().stores.describe(request({ customKeyStoreName: 'nowhere' })),
      ).rejects.toMatchObject({
        code: ErrorCodes.CUSTOM_KEY_STORE_NOT_FOUND,
        message: 'no custom key store is named nowhere',
      });
    });

    it('should answer every domain once and no marker on the last page when paging with limit 1', async () => {
      const { stores } = fixture();
      const seen: string[] = [];
      const markers: (string | undefined)[] = [];
      let marker: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const r = await stores.describe(request({ limit: 1, ...(marker !== undefined ? { marker } : {}) }));
        expect(r.keyStores).toHaveLength(1);
        seen.push(...r.keyStores.map((s) => s.customKeyStoreId));
        marker = r.nextMarker;
        markers.push(marker);
        if (marker === undefined) break;
      }
      expect(seen).toEqual([DEFAULT, SECOND, THIRD]);
      expect(markers.map((m) => m !== undefined)).toEqual([true, true, false]);
    });

    it('should answer two then one when paging with limit 2', async () => {
      const { stores } = fixture();
      const first = await stores.describe(request({ limit: 2 }));
      expect(first.keyStores.map((s) => s.customKeyStoreId)).toEqual([DEFAULT, SECOND]);
      const second = await stores.describe(request({ limit: 2, marker: first.nextMarker! }));
      expect(second).toEqual({ keyStores: [expect.objectContaining({ customKeyStoreId: THIRD })] });
    });

    it.each([
      ['not-a-marker'],
      [Buffer.from('v2:cks-00000000000000001').toString('base64url')],
      [''],
      [Buffer.from('v1:cks-0123456789abcdef0').toString('base64url')],
    ])('should refuse with INVALID_MARKER when the marker is %j', async (marker) => {
      await expect(fixture().stores.describe(request({ limit: 1, marker }))).rejects.toMatchObject({
        code: ErrorCodes.INVALID_MARKER,
      });
    });

    it('should refuse with ACCESS_DENIED before any domain is listed when the policy denies', async () => {
      const { stores, domains, health } = fixture('DENY');
      const all = jest.spyOn(domains, 'all');
      const get = jest.spyOn(domains, 'get');
      const isUp = jest.spyOn(health, 'isUp');
      await expect(stores.describe(request({ customKeyStoreId: SECOND }))).rejects.toMatchObject({
        code: ErrorCodes.ACCESS_DENIED,
      });
      await expect(
        stores.describe(request({ customKeyStoreId: 'cks-0123456789abcdef0' })),
      ).rejects.toMatchObject({
        code: ErrorCodes.ACCESS_DENIED,
      });
      expect(all).not.toHaveBeenCalled();
      expect(get).not.toHaveBeenCalled();
      expect(isUp).not.toHaveBeenCalled();
    });
  });
});
