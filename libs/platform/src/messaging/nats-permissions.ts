import { AuditStream, QueueGroups, Subjects, isValidNodeId } from '@symbolon/contracts';

import { needs } from '../local/process.js';

/**
 * Who may publish and subscribe to what on NATS: the one permission table, rendered into the nats-server config of
 * every deployment (npm start, compose, the chart). Each service connects as its own NATS user (an nkey) with only
 * what its role needs: requesters publish their request subjects and read replies on their own inbox prefix;
 * responders subscribe to their subjects in their queue group only and publish nothing but replies; only the
 * coordinator publishes to hsm subjects, and each hsm node subscribes to its own subjects only; only audit reads the
 * events stream.
 */
export interface NatsPermissions {
  publish: string[];
  /** A subject, or `<subject> <queue group>` to allow it only within that queue group. */
  subscribe: string[];
  /** May publish to the reply subject of a request it received (a responder). */
  allowResponses: boolean;
}

/** `operator`: the quorum tooling of operators (`symbolon domain ...`), which submits signed domain changes. */
export type NatsRole =
  'gateway' | 'coordinator' | 'policy' | 'audit' | 'storage' | 'operator' | { hsmNode: string };

/** A role's NATS user name and inbox prefix: `hsm-<node>` for an hsm node, the service name otherwise. */
export function natsRoleName(role: NatsRole): string {
  if (typeof role === 'string') return role;
  if (!isValidNodeId(role.hsmNode)) throw new Error(`invalid hsm node id: ${JSON.stringify(role.hsmNode)}`);
  return `hsm-${role.hsmNode}`;
}

/** Replies to a role's requests arrive under this prefix (nats.js `inboxPrefix`); nobody else may read it. */
export function inboxPrefix(role: NatsRole): string {
  return `_INBOX_${natsRoleName(role).replace(/-/g, '_')}`;
}

/**
 * The coordinator's requests to the audit service use their own inbox under the coordinator's (its `audit` RpcClient),
 * so that audit may answer there without `allow_responses`: nats-server 2.9 would otherwise record the ack subject of
 * every JetStream message it delivers to audit as a pending reply, which cost about 100 us of server CPU per request
 * (measured by the bench). Audit can reach no other reply of the coordinator's.
 */
export const AUDIT_REPLY_INBOX = 'audit';
export function auditReplyInboxPrefix(): string {
  return `${inboxPrefix('coordinator')}.${AUDIT_REPLY_INBOX}`;
}

const stream = AuditStream.name;
const consumer = AuditStream.consumer;
/** JetStream API calls that create or look up the events stream (publisher and consumer both may create it). */
const STREAM_SETUP = ['$JS.API.INFO', `$JS.API.STREAM.INFO.${stream}`, `$JS.API.STREAM.CREATE.${stream}`];

/**
 * The JetStream object store bucket of the storage service's jetstream backend (SYMBOLON_STORAGE_BUCKET's default).
 * The storage role may use this bucket only: a deployment that names another bucket needs its own permission table.
 */
export const STORAGE_OBJECT_BUCKET = 'symbolon-objects';

/**
 * What apps/storage's JetStreamBlobStore (on @nats-io/obj 3.4) publishes for one bucket, and nothing more; each entry
 * is shown needed by apps/storage/test/integration/jetstream-permissions.integration-spec.ts. Replies (the publish
 * acks and API answers) come back on the role's own inbox. No consumer API: the store reads with direct gets only.
 */
export function objectStorePublish(bucket: string): string[] {
  const stream = `OBJ_${bucket}`;
  return [
    // jetstreamManager() checks the API first.
    '$JS.API.INFO',
    // Objm.create: looks the stream up and creates it when missing; recover() lists its chunk subjects.
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.CREATE.${stream}`,
    // ObjectStore.info(name): the last description of a blob.
    `$JS.API.STREAM.MSG.GET.${stream}`,
    // Reading chunks and descriptions (next_by_subj), and recover()'s last chunk of a subject (last_by_subj, which
    // puts the subject into the API subject).
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.$O.${bucket}.C.>`,
    // delete(), recover(), and the object store's cleanup of a failed put.
    `$JS.API.STREAM.PURGE.${stream}`,
    // The bytes and the descriptions themselves.
    `$O.${bucket}.C.>`,
    `$O.${bucket}.M.>`,
  ];
}

export function natsPermissions(role: NatsRole): NatsPermissions {
  const inbox = `${inboxPrefix(role)}.>`;
  if (typeof role !== 'string') {
    return {
      publish: [],
      subscribe: [`kms.v1.hsm.${role.hsmNode}.> ${QueueGroups.hsm}`],
      allowResponses: true,
    };
  }
  switch (role) {
    case 'gateway':
      return {
        publish: [
          'kms.v1.keys.>',
          'kms.v1.aliases.>',
          'kms.v1.secrets.>',
          'kms.v1.policy.identity.>',
          Subjects.events.requestHandled,
          ...STREAM_SETUP,
        ],
        // The storage service's requests for S3 signing keys (ADR 0017).
        subscribe: [`kms.v1.gateway.> ${QueueGroups.gateway}`, inbox],
        allowResponses: true,
      };
    case 'storage':
      return {
        publish: [
          ...new Set([
            Subjects.gateway.s3SigningKey,
            // Its requests' audit records, as the gateway's (the same stream and subject).
            Subjects.events.requestHandled,
            ...STREAM_SETUP,
            ...objectStorePublish(STORAGE_OBJECT_BUCKET),
          ]),
        ],
        subscribe: [inbox],
        allowResponses: false,
      };
    case 'coordinator':
      return {
        publish: [
          Subjects.policy.evaluate,
          'kms.v1.policy.key-policy.>',
          'kms.v1.policy.grants.>',
          'kms.v1.hsm.>',
          Subjects.audit.usage,
          Subjects.audit.worn,
          Subjects.audit.query,
          Subjects.audit.chain,
          // The lifecycle job's actions, recorded in the audit chain (never the gateway's request records).
          Subjects.events.jobHandled,
          ...STREAM_SETUP,
        ],
        subscribe: [
          `kms.v1.keys.> ${QueueGroups.coordinator}`,
          `kms.v1.aliases.> ${QueueGroups.coordinator}`,
          `kms.v1.secrets.> ${QueueGroups.coordinator}`,
          `${Subjects.signing.auditDigest} ${QueueGroups.coordinator}`,
          `kms.v1.domain.> ${QueueGroups.coordinator}`,
          Subjects.notices.policyChanged,
          inbox,
        ],
        allowResponses: true,
      };
    case 'policy':
      return {
        publish: [Subjects.notices.policyChanged],
        subscribe: [`kms.v1.policy.> ${QueueGroups.policy}`, Subjects.notices.policyChanged, inbox],
        allowResponses: true,
      };
    case 'operator':
      // Domain proposals go to the coordinator, which relays them; the tooling reads nothing else.
      return { publish: ['kms.v1.domain.>'], subscribe: [inbox], allowResponses: false };
    case 'audit':
      return {
        publish: [
          ...STREAM_SETUP,
          `$JS.API.CONSUMER.CREATE.${stream}.>`,
          `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.${consumer}`,
          `$JS.API.CONSUMER.INFO.${stream}.${consumer}`,
          `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
          `$JS.ACK.${stream}.${consumer}.>`,
          // The digest job asks a token (through the coordinator) to sign the chain head.
          Subjects.signing.auditDigest,
          // Replies to the coordinator's queries, in the inbox it uses for them only (auditReplyInboxPrefix).
          `${auditReplyInboxPrefix()}.>`,
        ],
        subscribe: [`kms.v1.audit.> ${QueueGroups.audit}`, inbox],
        allowResponses: false,
      };
  }
}

/** One `authorization.users` entry of a nats-server config: the role's nkey and its permissions. */
export function natsUserConfig(role: NatsRole, nkeyPublic: string): string {
  /* Precondition: an nkey public key is a user key: U and 55 base32 characters. */
  needs(/^U[A-Z2-7]{55}$/.test(nkeyPublic), 'an nkey public key is a user key');
  const p = natsPermissions(role);
  const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  return [
    `{ nkey: "${nkeyPublic}"`,
    `  # ${natsRoleName(role)}`,
    `  permissions: {`,
    // Nothing to publish but replies (allow_responses): deny everything else.
    p.publish.length > 0 ? `    publish: { allow: ${list(p.publish)} }` : `    publish: { deny: [">"] }`,
    `    subscribe: { allow: ${list(p.subscribe)} }`,
    ...(p.allowResponses ? ['    allow_responses: true'] : []),
    `  } }`,
  ].join('\n');
}
