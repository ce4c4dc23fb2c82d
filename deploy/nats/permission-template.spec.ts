import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { natsPermissionTemplate } from './permission-template.js';

describe('natsPermissionTemplate', () => {
  it('should equal the committed deploy/nats/permissions.json when the table is rendered', () => {
    const committed = JSON.parse(
      readFileSync(fileURLToPath(new URL('./permissions.json', import.meta.url)), 'utf8'),
    ) as unknown;
    expect(committed).toEqual(natsPermissionTemplate());
  });

  it('should put the node placeholder in every hsm node subject and name when rendered', () => {
    const { hsmNode } = natsPermissionTemplate();
    expect(hsmNode).toEqual({
      publish: [],
      subscribe: ['kms.v1.hsm.{{node}}.> hsm'],
      allowResponses: true,
      user: 'hsm-{{node}}',
      inboxPrefix: '_INBOX_hsm_{{node}}',
    });
  });

  it('should carry the storage service with its object store permissions when rendered', () => {
    const { storage } = natsPermissionTemplate().services;
    expect(storage.inboxPrefix).toBe('_INBOX_storage');
    expect(storage.publish).toContain('kms.v1.gateway.s3-signing-key');
    expect(storage.publish).toContain('$O.symbolon-objects.C.>');
    expect(storage.subscribe).toEqual(['_INBOX_storage.>']);
    expect(storage.allowResponses).toBe(false);
  });
});
