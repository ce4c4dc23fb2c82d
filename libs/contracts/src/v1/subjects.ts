/**
 * Every NATS subject Symbolon uses. Request/reply: kms.v1.<service>.<action>; events: kms.v1.events.<entity>.<past-tense>.
 * Subjects carry no ids, tenants or timestamps, except the hsm node id that routes a request to one token's process.
 */
export const Subjects = {
  keys: {
    create: 'kms.v1.keys.create',
    describe: 'kms.v1.keys.describe',
    list: 'kms.v1.keys.list',
    encrypt: 'kms.v1.keys.encrypt',
    decrypt: 'kms.v1.keys.decrypt',
    generateDataKey: 'kms.v1.keys.generate-data-key',
    generateRandom: 'kms.v1.keys.generate-random',
    reEncrypt: 'kms.v1.keys.re-encrypt',
    updateDescription: 'kms.v1.keys.update-description',
    enable: 'kms.v1.keys.enable',
    disable: 'kms.v1.keys.disable',
    scheduleDeletion: 'kms.v1.keys.schedule-deletion',
    cancelDeletion: 'kms.v1.keys.cancel-deletion',
    enableRotation: 'kms.v1.keys.enable-rotation',
    disableRotation: 'kms.v1.keys.disable-rotation',
    getRotationStatus: 'kms.v1.keys.get-rotation-status',
    rotateOnDemand: 'kms.v1.keys.rotate-on-demand',
    listRotations: 'kms.v1.keys.list-rotations',
    tagResource: 'kms.v1.keys.tag-resource',
    untagResource: 'kms.v1.keys.untag-resource',
    listResourceTags: 'kms.v1.keys.list-resource-tags',
    putKeyPolicy: 'kms.v1.keys.put-key-policy',
    getKeyPolicy: 'kms.v1.keys.get-key-policy',
    listKeyPolicies: 'kms.v1.keys.list-key-policies',
    createGrant: 'kms.v1.keys.create-grant',
    listGrants: 'kms.v1.keys.list-grants',
    listRetirableGrants: 'kms.v1.keys.list-retirable-grants',
    retireGrant: 'kms.v1.keys.retire-grant',
    revokeGrant: 'kms.v1.keys.revoke-grant',
    getUsage: 'kms.v1.keys.get-usage',
    listAuditEvents: 'kms.v1.keys.list-audit-events',
    exportAuditChain: 'kms.v1.keys.export-audit-chain',
    shred: 'kms.v1.keys.shred',
    suspend: 'kms.v1.keys.suspend',
    getParametersForReinstate: 'kms.v1.keys.get-parameters-for-reinstate',
    reinstate: 'kms.v1.keys.reinstate',
    getSigningPublicKey: 'kms.v1.keys.get-signing-public-key',
    describeCustomKeyStores: 'kms.v1.keys.describe-custom-key-stores',
  },
  secrets: {
    wrap: 'kms.v1.secrets.wrap',
    unwrap: 'kms.v1.secrets.unwrap',
  },
  aliases: {
    create: 'kms.v1.aliases.create',
    update: 'kms.v1.aliases.update',
    delete: 'kms.v1.aliases.delete',
    list: 'kms.v1.aliases.list',
  },
  policy: {
    evaluate: 'kms.v1.policy.evaluate',
    putKeyPolicy: 'kms.v1.policy.key-policy.put',
    getKeyPolicy: 'kms.v1.policy.key-policy.get',
    forgetKey: 'kms.v1.policy.key-policy.forget',
    putIdentityPolicy: 'kms.v1.policy.identity.put',
    getIdentityPolicy: 'kms.v1.policy.identity.get',
    listIdentityPolicies: 'kms.v1.policy.identity.list',
    deleteIdentityPolicy: 'kms.v1.policy.identity.delete',
    createGrant: 'kms.v1.policy.grants.create',
    listGrants: 'kms.v1.policy.grants.list',
    listRetirableGrants: 'kms.v1.policy.grants.list-retirable',
    retireGrant: 'kms.v1.policy.grants.retire',
    revokeGrant: 'kms.v1.policy.grants.revoke',
  },
  /** Served by the gateway, which alone holds access keys' secrets. */
  gateway: {
    s3SigningKey: 'kms.v1.gateway.s3-signing-key',
  },
  /** Notices: core NATS, not durable, every replica receives them (no queue group). */
  notices: {
    policyChanged: 'kms.v1.notices.policy.changed',
  },
  audit: {
    query: 'kms.v1.audit.query',
    usage: 'kms.v1.audit.usage',
    worn: 'kms.v1.audit.worn',
    chain: 'kms.v1.audit.chain',
  },
  /** Domain changes from the operators' tooling (NATS role `operator`), relayed by the coordinator to every member. */
  domain: {
    status: 'kms.v1.domain.status',
    open: 'kms.v1.domain.open',
    submit: 'kms.v1.domain.submit',
    cancel: 'kms.v1.domain.cancel',
    prepareRotation: 'kms.v1.domain.prepare-rotation',
    nodeIdentity: 'kms.v1.domain.node-identity',
  },
  /** The domain's signing key in the tokens, relayed by the coordinator to a healthy hsm node. */
  signing: {
    auditDigest: 'kms.v1.signing.audit-digest',
  },
  events: {
    all: 'kms.v1.events.>',
    requestHandled: 'kms.v1.events.request.handled',
    /** What the coordinator's lifecycle job did (a wear-out rotation), recorded like a request. */
    jobHandled: 'kms.v1.events.job.handled',
  },
} as const;

/** Actions served by every hsm node under kms.v1.hsm.<node>.<action>. */
export const HsmActions = {
  generateKey: 'generate-key',
  generateDataKey: 'generate-data-key',
  encrypt: 'encrypt',
  decrypt: 'decrypt',
  generateRandom: 'generate-random',
  reEncrypt: 're-encrypt',
  destroyKey: 'destroy-key',
  wrapSecret: 'wrap-secret',
  unwrapSecret: 'unwrap-secret',
  signingKey: 'signing-key',
  signAuditDigest: 'sign-audit-digest',
  shred: 'shred',
  completeShred: 'complete-shred',
  suspend: 'suspend',
  createImportKey: 'create-import-key',
  reinstate: 'reinstate',
  destroyImportKey: 'destroy-import-key',
  domainGenesis: 'domain-genesis',
  domainApply: 'domain-apply',
  domainState: 'domain-state',
  domainPrepareRotation: 'domain-prepare-rotation',
  domainTransport: 'domain-transport',
  domainJoin: 'domain-join',
  domainReceive: 'domain-receive',
  rewrap: 'rewrap',
  health: 'health',
} as const;
export type HsmAction = (typeof HsmActions)[keyof typeof HsmActions];

const NODE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** True when the id can be one subject token: lower-case alphanumerics and '-'. */
export function isValidNodeId(nodeId: string): boolean {
  return NODE_ID.test(nodeId);
}

export function hsmSubject(nodeId: string, action: HsmAction): string {
  if (!isValidNodeId(nodeId)) throw new Error(`invalid hsm node id: ${JSON.stringify(nodeId)}`);
  return `kms.v1.hsm.${nodeId}.${action}`;
}

/** JetStream stream that holds the events audit consumes. */
export const AuditStream = {
  name: 'KMS_EVENTS',
  subjects: [Subjects.events.all],
  consumer: 'audit',
} as const;

/** Queue group per service so replicas share load. */
export const QueueGroups = {
  gateway: 'gateway',
  policy: 'policy',
  coordinator: 'coordinator',
  hsm: 'hsm',
  audit: 'audit',
  storage: 'storage',
} as const;
