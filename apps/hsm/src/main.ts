import { QueueGroups } from '@symbolon/contracts';
import { Pkcs11Token, TokenHsm } from '@symbolon/pkcs11';
import { bootstrapService, logger, runService } from '@symbolon/platform';

import { AppModule } from './app.module.js';
import { DomainStateStore } from './domain/domain-state.store.js';
import { hsmConfig, readPin } from './config.js';

runService(async () => {
  const config = hsmConfig();
  const token = Pkcs11Token.open({
    modulePath: config.SYMBOLON_PKCS11_MODULE,
    tokenLabel: config.SYMBOLON_HSM_TOKEN_LABEL,
    pin: readPin(config),
  });
  const hsm = new TokenHsm(token, { cacheSize: config.SYMBOLON_HSM_KEY_CACHE_SIZE });
  // The key that authenticates this node's domain-state file never leaves the token: a file edited or copied from
  // another node is refused here.
  hsm.ensureStateKey();
  const domainStore = new DomainStateStore(hsm, config.SYMBOLON_HSM_STATE_FILE);
  // The domain's active generation, once the node holds the domain state (rotations change it); until then the
  // configured one.
  const generation = domainStore.load()?.state.generation ?? config.SYMBOLON_HSM_DOMAIN_GENERATION;
  if (!hsm.hasDomainKey(generation)) {
    // A token joins an existing domain only through a quorum-approved change that copies the domain key into it.
    if (!config.SYMBOLON_HSM_CREATE_DOMAIN_KEY) {
      hsm.close();
      throw new Error(
        `token ${config.SYMBOLON_HSM_TOKEN_LABEL} holds no domain key of generation ${generation}; ` +
          'set SYMBOLON_HSM_CREATE_DOMAIN_KEY=true only for the first token of a new development domain',
      );
    }
    hsm.ensureDomainKey(generation);
    logger.info({ generation, token: config.SYMBOLON_HSM_TOKEN_LABEL }, 'domain key created');
  }
  // The domain's signing key (audit digests, shred receipts) is made with the domain; a joining token receives it
  // with the domain key.
  if (config.SYMBOLON_HSM_CREATE_DOMAIN_KEY && hsm.ensureSigningKey().created) {
    logger.info({ token: config.SYMBOLON_HSM_TOKEN_LABEL }, 'domain signing key created');
  }
  const node = {
    nodeId: config.SYMBOLON_HSM_NODE_ID,
    tokenLabel: config.SYMBOLON_HSM_TOKEN_LABEL,
    domainGeneration: generation,
  };
  await bootstrapService({
    service: QueueGroups.hsm,
    module: AppModule.forNode(node, hsm, domainStore),
    natsUrl: config.SYMBOLON_NATS_URL,
    httpPort: config.SYMBOLON_METRICS_PORT,
    httpHost: config.SYMBOLON_METRICS_HOST,
  });
});
