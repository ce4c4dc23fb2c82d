import { QueueGroups } from '@symbolon/contracts';
import { Pkcs11Token, TokenHsm } from '@symbolon/pkcs11';
import { publicKeyFingerprint } from '@symbolon/evidence';
import { bootstrapService, logger, runService } from '@symbolon/platform';

import { AppModule } from './app.module.js';
import { DomainStateStore } from './domain/domain-state.store.js';
import { hsmConfig, readPin, readSoPin } from './config.js';

runService(async () => {
  const config = hsmConfig();
  const token = Pkcs11Token.open({
    modulePath: config.SYMBOLON_PKCS11_MODULE,
    tokenLabel: config.SYMBOLON_HSM_TOKEN_LABEL,
    pin: readPin(config),
  });
  const hsm = new TokenHsm(token, {
    cacheSize: config.SYMBOLON_HSM_KEY_CACHE_SIZE,
    soPin: readSoPin(config),
  });
  // The key that authenticates this node's domain-state file never leaves the token: a file edited or copied from
  // another node is refused here. The identity key receives domain keys from other members; the signing key signs
  // this node's receipts and digests.
  hsm.ensureStateKey();
  // What operators compare with the fingerprints `symbolon domain propose` prints for an add-member.
  const logKey = (name: string, key: { publicKey: Uint8Array; created: boolean }): void =>
    logger.info(
      {
        token: config.SYMBOLON_HSM_TOKEN_LABEL,
        created: key.created,
        fingerprint: publicKeyFingerprint(Buffer.from(key.publicKey).toString('base64')),
      },
      name,
    );
  logKey('identity key', hsm.ensureIdentityKey());
  logKey('signing key', hsm.ensureSigningKey());
  const domainStore = new DomainStateStore(hsm, config.SYMBOLON_HSM_STATE_FILE);
  const held = domainStore.load()?.state;
  // The domain's active generation, once the node holds the domain state (rotations change it); until then the
  // configured one.
  const generation = held?.generation ?? config.SYMBOLON_HSM_DOMAIN_GENERATION;
  const member = held?.members.some((m) => m.nodeId === config.SYMBOLON_HSM_NODE_ID) ?? false;
  if (!held && hsm.hasDomainKey(generation) && !hsm.genesisPending()) {
    // Keys without a state: the state file was lost. Taking a new genesis here would hand the keys to whoever sends it.
    hsm.close();
    throw new Error(
      `token ${config.SYMBOLON_HSM_TOKEN_LABEL} holds domain keys but this node has no domain state: ` +
        'restore the state file, or remove the node and clear its token',
    );
  }
  if (!hsm.hasDomainKey(generation) && (member || !held)) {
    if (held) {
      hsm.close();
      throw new Error(
        `token ${config.SYMBOLON_HSM_TOKEN_LABEL} lost the domain key of generation ${generation} that its state names`,
      );
    }
    if (config.SYMBOLON_HSM_CREATE_DOMAIN_KEY) {
      hsm.ensureDomainKey(generation);
      hsm.markGenesisPending();
      logger.info({ generation, token: config.SYMBOLON_HSM_TOKEN_LABEL }, 'domain key created');
    } else {
      // A token joins a domain only through an approved add-member, then receives the keys from a member.
      logger.info({ token: config.SYMBOLON_HSM_TOKEN_LABEL }, 'no domain yet: waiting to join one');
    }
  }
  const node = {
    nodeId: config.SYMBOLON_HSM_NODE_ID,
    tokenLabel: config.SYMBOLON_HSM_TOKEN_LABEL,
    domainGeneration: generation,
    ...(config.SYMBOLON_HSM_OPERATORS_FILE ? { operatorsFile: config.SYMBOLON_HSM_OPERATORS_FILE } : {}),
  };
  await bootstrapService({
    service: QueueGroups.hsm,
    module: AppModule.forNode(node, hsm, domainStore),
    natsUrl: config.SYMBOLON_NATS_URL,
    httpPort: config.SYMBOLON_METRICS_PORT,
    httpHost: config.SYMBOLON_METRICS_HOST,
  });
});
