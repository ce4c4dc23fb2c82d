import { createUser } from '@nats-io/nkeys';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { natsServerConfig, natsServerPath } from '../local/nats-server.js';
import {
  type NatsRole,
  STORAGE_OBJECT_BUCKET,
  auditReplyInboxPrefix,
  inboxPrefix,
  natsPermissions,
  natsRoleName,
  natsUserConfig,
  objectStorePublish,
} from './nats-permissions.js';

const ROLES: NatsRole[] = [
  'gateway',
  'coordinator',
  'policy',
  'audit',
  'storage',
  { hsmNode: 'hsm-1' },
  { hsmNode: 'hsm-2' },
];

describe('natsPermissions', () => {
  it('should let only the storage service ask the gateway for S3 signing keys, and the gateway answer', () => {
    const askers = ROLES.filter((r) => natsPermissions(r).publish.includes('kms.v1.gateway.s3-signing-key'));
    expect(askers).toEqual(['storage']);
    expect(natsPermissions('gateway').subscribe).toContain('kms.v1.gateway.> gateway');
    expect(natsPermissions('gateway').allowResponses).toBe(true);
    expect(natsPermissions('storage')).toEqual({
      publish: [
        'kms.v1.gateway.s3-signing-key',
        // Its audit records, to the events stream (which it may create if it starts first, as the gateway may).
        'kms.v1.events.request.handled',
        '$JS.API.INFO',
        '$JS.API.STREAM.INFO.KMS_EVENTS',
        '$JS.API.STREAM.CREATE.KMS_EVENTS',
        ...objectStorePublish('symbolon-objects').filter((subject) => subject !== '$JS.API.INFO'),
      ],
      subscribe: ['_INBOX_storage.>'],
      allowResponses: false,
    });
  });

  it('should let only the coordinator publish to hsm subjects when the table is read', () => {
    const publishers = ROLES.filter((r) =>
      natsPermissions(r).publish.some((s) => s.startsWith('kms.v1.hsm.')),
    );
    expect(publishers).toEqual(['coordinator']);
  });

  it('should let each hsm node subscribe to its own subjects only, in the hsm queue group', () => {
    expect(natsPermissions({ hsmNode: 'hsm-2' })).toEqual({
      publish: [],
      subscribe: ['kms.v1.hsm.hsm-2.> hsm'],
      allowResponses: true,
    });
  });

  it('should let only audit create consumers on the events stream when the table is read', () => {
    const readers = ROLES.filter((r) =>
      natsPermissions(r).publish.some((s) => s.startsWith('$JS.API.CONSUMER')),
    );
    expect(readers).toEqual(['audit']);
  });

  it('should give every role its own inbox prefix and let it subscribe to no other role inbox', () => {
    const prefixes = ROLES.map(inboxPrefix);
    expect(new Set(prefixes).size).toBe(ROLES.length);
    for (const role of ROLES) {
      for (const sub of natsPermissions(role).subscribe) {
        if (sub.startsWith('_INBOX')) expect(sub).toBe(`${inboxPrefix(role)}.>`);
      }
    }
  });

  it('should tie every service subscription but notices and inboxes to the service queue group', () => {
    for (const role of ROLES) {
      for (const sub of natsPermissions(role).subscribe) {
        if (sub.startsWith('_INBOX') || sub === 'kms.v1.notices.policy.changed') continue;
        expect(sub).toMatch(/^kms\.v1\.\S+ (coordinator|policy|audit|hsm|gateway)$/);
      }
    }
  });

  it('should name an hsm node role after its node id and refuse an id that is not a subject token', () => {
    expect(natsRoleName({ hsmNode: 'hsm-7' })).toBe('hsm-hsm-7');
    expect(() => natsRoleName({ hsmNode: 'a.b' })).toThrow('invalid hsm node id');
  });
});

describe('natsUserConfig', () => {
  it('an nkey public key is a user key', () => {
    expect(() => natsUserConfig('gateway', 'not-a-key')).toThrow('an nkey public key is a user key');
    expect(() => natsUserConfig('gateway', `A${'A'.repeat(55)}`)).toThrow('an nkey public key is a user key');
  });

  it('should render a config nats-server accepts for every role when rendered with real nkeys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nats-perm-'));
    try {
      const users = ROLES.map((r) => natsUserConfig(r, createUser().getPublicKey()));
      const file = join(dir, 'nats.conf');
      writeFileSync(file, natsServerConfig({ dir, port: 4222, jetstream: false, users }));
      expect(() => execFileSync(natsServerPath(), ['-t', '-c', file], { stdio: 'pipe' })).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('natsPermissions, operator', () => {
  it('should let the operator tooling publish domain subjects only and read its own replies', () => {
    expect(natsPermissions('operator')).toEqual({
      publish: ['kms.v1.domain.>'],
      subscribe: ['_INBOX_operator.>'],
      allowResponses: false,
    });
  });
});

describe('natsPermissions, audit', () => {
  it('should let audit answer only in the coordinator inbox for audit queries, without allow_responses', () => {
    const audit = natsPermissions('audit');
    expect(audit.allowResponses).toBe(false);
    const replies = audit.publish.filter((p) => p.startsWith('_INBOX'));
    expect(replies).toEqual([`${auditReplyInboxPrefix()}.>`]);
    expect(auditReplyInboxPrefix()).toBe('_INBOX_coordinator.audit');
  });
});

describe('objectStorePublish', () => {
  it('should name only the stream and subjects of its own bucket and no consumer API when listed', () => {
    expect(STORAGE_OBJECT_BUCKET).toBe('symbolon-objects');
    expect(objectStorePublish('symbolon-objects')).toEqual([
      '$JS.API.INFO',
      '$JS.API.STREAM.INFO.OBJ_symbolon-objects',
      '$JS.API.STREAM.CREATE.OBJ_symbolon-objects',
      '$JS.API.STREAM.MSG.GET.OBJ_symbolon-objects',
      '$JS.API.DIRECT.GET.OBJ_symbolon-objects',
      '$JS.API.DIRECT.GET.OBJ_symbolon-objects.$O.symbolon-objects.C.>',
      '$JS.API.STREAM.PURGE.OBJ_symbolon-objects',
      '$O.symbolon-objects.C.>',
      '$O.symbolon-objects.M.>',
    ]);
    // Only the storage role touches the object store, and no other role's stream.
    const users = ROLES.filter((r) => natsPermissions(r).publish.some((s) => s.includes('symbolon-objects')));
    expect(users).toEqual(['storage']);
  });
});
