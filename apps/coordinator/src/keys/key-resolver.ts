import { Inject, Injectable, Optional } from '@nestjs/common';
import { ErrorCodes, type KmsAction, KmsError, type TenantScopedRequest } from '@symbolon/contracts';

import { aliasArn, parseAliasRef } from '../aliases/alias-name.js';
import { AliasRepository } from '../aliases/alias.repository.js';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config.js';
import { PolicyClient, type PolicyFacts, accessDenied } from '../policy/policy.client.js';
import { keyArn, parseKeyId } from './key-id.js';
import { KeyRepository, type StoredKey } from './key.repository.js';
import type { DecisionDto, KeyState } from '@symbolon/contracts';

const MAX_CACHED = 10_000;

export interface AuthorizedKey extends StoredKey {
  decision: DecisionDto;
}

/** What the resolver needs of the alias table: the target of one alias of one account. */
export interface AliasLookup {
  find(tenantId: string, aliasName: string): Promise<{ targetKeyId: string } | null>;
}

/**
 * Finds the key a request names and asks policy whether the caller may use it. Key metadata is cached for a short
 * TTL (keys are immutable in this version except for new keys, which are never negatively cached).
 */
@Injectable()
export class KeyResolver {
  private readonly cache = new Map<string, { value: StoredKey; expires: number }>();
  /** Alias -> target key id, same TTL as key metadata; never negatively cached, so a new alias works at once. */
  private readonly aliasCache = new Map<string, { targetKeyId: string; expires: number }>();

  constructor(
    @Inject(KeyRepository) private readonly keys: KeyRepository,
    @Inject(PolicyClient) private readonly policy: PolicyClient,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    /** Without it (specs that do not need aliases) every alias is NOT_FOUND. */
    @Optional() @Inject(AliasRepository) private readonly aliases?: AliasLookup,
  ) {}

  /** The key named by `keyIdInput` as `tenantId` sees it: NOT_FOUND for its own missing keys. */
  async find(
    tenantId: string,
    keyIdInput: string,
  ): Promise<{ stored?: StoredKey; accountId: string; keyId: string }> {
    const ref = parseKeyId(keyIdInput);
    if (ref.kind === 'alias') return this.findByAlias(tenantId, keyIdInput);
    const accountId = ref.kind === 'arn' ? ref.accountId : tenantId;
    if (ref.kind === 'arn' && ref.region !== this.config.SYMBOLON_REGION) {
      throw new KmsError(ErrorCodes.NOT_FOUND, `Key '${keyIdInput}' does not exist`);
    }
    const stored = await this.load(accountId, ref.keyId);
    if (!stored && accountId === tenantId) {
      throw new KmsError(
        ErrorCodes.NOT_FOUND,
        `Key '${keyArn(this.config.SYMBOLON_REGION, accountId, ref.keyId)}' does not exist`,
      );
    }
    return { stored, accountId, keyId: ref.keyId };
  }

  /** find + policy: a key of another account without a grant is ACCESS_DENIED whether or not it exists. */
  async authorize(
    req: TenantScopedRequest,
    keyIdInput: string,
    action: KmsAction,
    facts: PolicyFacts = {},
  ): Promise<AuthorizedKey> {
    const found = await this.find(req.tenantId, keyIdInput);
    return this.authorizeFound(req, found, action, facts);
  }

  async authorizeFound(
    req: TenantScopedRequest,
    found: { stored?: StoredKey; accountId: string; keyId: string },
    action: KmsAction,
    facts: PolicyFacts = {},
  ): Promise<AuthorizedKey> {
    if (!found.stored) {
      const arn = keyArn(this.config.SYMBOLON_REGION, found.accountId, found.keyId);
      throw accessDenied(req.principal, action, arn, {
        effect: 'DENY',
        reason: 'implicit deny: no such key visible',
      });
    }
    const decision = await this.policy.authorize(req, action, found.stored.key, {
      ...facts,
      ...(found.stored.tags !== undefined ? { resourceTags: found.stored.tags } : {}),
    });
    return { ...found.stored, decision };
  }

  /** Crypto operations need an Enabled key. */
  static requireEnabled(stored: StoredKey): void {
    KeyResolver.requireState(stored, ['Enabled']);
  }

  /**
   * The key must be in one of `allowed` states: a Disabled key is DISABLED (DisabledException), any other state
   * INVALID_STATE (KMSInvalidStateException), as AWS answers.
   */
  static requireState(stored: StoredKey, allowed: readonly KeyState[]): void {
    const { keyState, arn } = stored.key;
    if (allowed.includes(keyState)) return;
    if (keyState === 'Disabled') throw new KmsError(ErrorCodes.DISABLED, `${arn} is disabled.`);
    const what = keyState === 'PendingDeletion' ? 'pending deletion' : keyState.toLowerCase();
    const hint =
      keyState === 'Suspended'
        ? ' Its key material is with its owner: ReinstateKey brings it back.'
        : keyState === 'Shredded'
          ? ' Its key material is destroyed.'
          : '';
    throw new KmsError(ErrorCodes.INVALID_STATE, `${arn} is ${what}.${hint}`);
  }

  /**
   * An alias name or alias ARN, always in the caller's own account: an alias ARN of another account or region is
   * NOT_FOUND whether or not it exists, so aliases never resolve across tenants and never reveal that they exist.
   */
  private async findByAlias(
    tenantId: string,
    input: string,
  ): Promise<{ stored: StoredKey; accountId: string; keyId: string }> {
    const region = this.config.SYMBOLON_REGION;
    const ref = parseAliasRef(input);
    const arn = aliasArn(region, ref?.accountId ?? tenantId, ref?.aliasName ?? input);
    const notFound = () => new KmsError(ErrorCodes.NOT_FOUND, `Alias ${arn} is not found.`);
    if (!ref || (ref.accountId ?? tenantId) !== tenantId || (ref.region ?? region) !== region)
      throw notFound();
    const keyId = await this.aliasTarget(tenantId, ref.aliasName);
    if (keyId === undefined) throw notFound();
    const stored = await this.load(tenantId, keyId);
    if (!stored) {
      throw new KmsError(ErrorCodes.NOT_FOUND, `Key '${keyArn(region, tenantId, keyId)}' does not exist`);
    }
    return { stored, accountId: tenantId, keyId };
  }

  private async aliasTarget(tenantId: string, aliasName: string): Promise<string | undefined> {
    const cacheKey = `${tenantId}/${aliasName}`;
    const hit = this.aliasCache.get(cacheKey);
    if (hit && hit.expires > Date.now()) return hit.targetKeyId;
    const alias = this.aliases ? await this.aliases.find(tenantId, aliasName) : null;
    if (!alias) {
      this.aliasCache.delete(cacheKey);
      return undefined;
    }
    if (this.aliasCache.size >= MAX_CACHED)
      this.aliasCache.delete(this.aliasCache.keys().next().value as string);
    this.aliasCache.set(cacheKey, {
      targetKeyId: alias.targetKeyId,
      expires: Date.now() + this.config.SYMBOLON_KEY_CACHE_TTL_MS,
    });
    return alias.targetKeyId;
  }

  /** Drops a cached alias after it moved or was deleted, so this replica sees the change at once. */
  forgetAlias(accountId: string, aliasName: string): void {
    this.aliasCache.delete(`${accountId}/${aliasName}`);
  }

  /** Drops a cached key after it changed, so this replica sees the change at once (others within the TTL). */
  /** Drops cached metadata of these keys whatever account cached them (their EKTs changed: domain-key rotation). */
  forgetKeys(keyIds: ReadonlySet<string>): void {
    for (const cacheKey of [...this.cache.keys()]) {
      if (keyIds.has(cacheKey.slice(cacheKey.indexOf('/') + 1))) this.cache.delete(cacheKey);
    }
  }

  forget(accountId: string, keyId: string): void {
    this.cache.delete(`${accountId}/${keyId}`);
  }

  remember(stored: StoredKey): void {
    this.put(`${stored.key.tenantId}/${stored.key.id}`, stored);
  }

  private async load(accountId: string, keyId: string): Promise<StoredKey | undefined> {
    const cacheKey = `${accountId}/${keyId}`;
    const hit = this.cache.get(cacheKey);
    if (hit && hit.expires > Date.now()) return hit.value;
    const stored = await this.keys.find(accountId, keyId);
    if (stored) this.put(cacheKey, stored);
    else this.cache.delete(cacheKey);
    return stored;
  }

  private put(cacheKey: string, value: StoredKey): void {
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(cacheKey, { value, expires: Date.now() + this.config.SYMBOLON_KEY_CACHE_TTL_MS });
  }
}
