import { type NatsPermissions, inboxPrefix, natsPermissions, natsRoleName } from '@symbolon/platform';

/** Stands for an hsm node id in the template; the chart and compose put each node's id in its place. */
export const NODE_PLACEHOLDER = '{{node}}';
const SENTINEL = 'node-id-placeholder';

export interface NatsPermissionTemplate {
  /** What this file is and where it comes from. */
  comment: string;
  services: Record<
    'gateway' | 'coordinator' | 'policy' | 'audit' | 'storage',
    NatsPermissions & { inboxPrefix: string }
  >;
  /** The operators' quorum tooling (one user, its nkey held by the operators). */
  operator: NatsPermissions & { inboxPrefix: string };
  /** One user per hsm node: replace {{node}} with its node id (in inboxPrefix with every - written as _). */
  hsmNode: NatsPermissions & { user: string; inboxPrefix: string };
}

/**
 * libs/platform's permission table as data, for deployments that cannot run TypeScript at render time (the helm chart
 * reads it with .Files.Get, compose's nats.conf is rendered from it). `npm start` uses the table directly.
 */
export function natsPermissionTemplate(): NatsPermissionTemplate {
  const services = Object.fromEntries(
    (['gateway', 'coordinator', 'policy', 'audit', 'storage'] as const).map((s) => [
      s,
      { ...natsPermissions(s), inboxPrefix: inboxPrefix(s) },
    ]),
  ) as NatsPermissionTemplate['services'];
  const node = { hsmNode: SENTINEL };
  const fill = (x: string) =>
    x.replaceAll(SENTINEL, NODE_PLACEHOLDER).replaceAll(SENTINEL.replace(/-/g, '_'), NODE_PLACEHOLDER);
  const hsm = natsPermissions(node);
  return {
    comment:
      'Generated from libs/platform/src/messaging/nats-permissions.ts by `npm run render:nats`; a unit test keeps it equal. Do not edit.',
    services,
    operator: { ...natsPermissions('operator'), inboxPrefix: inboxPrefix('operator') },
    hsmNode: {
      publish: hsm.publish.map(fill),
      subscribe: hsm.subscribe.map(fill),
      allowResponses: hsm.allowResponses,
      user: fill(natsRoleName(node)),
      inboxPrefix: fill(inboxPrefix(node)),
    },
  };
}
