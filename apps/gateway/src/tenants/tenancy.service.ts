import { logger } from '@symbolon/platform';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';

import { AwsError, validationError } from '../kms/aws-error.js';
import type { AccessKeyChanges } from './access-key.repository.js';
import { AccessKeyEntity, AccountEntity } from './account.entity.js';
import { newAccessKeyId, newAccountId } from './bootstrap-admin.js';
import { type SecretWrapper, sealAccessKey } from './secret-wrapper.js';
import {
  type AccessKeyStatus,
  MAX_ACCESS_KEYS_PER_USER,
  isTenantAccountId,
  isValidUserName,
  userArn,
} from './tenancy-rules.js';
import { UserEntity } from './user.entity.js';
import type { IdentityPolicies } from './identity-policies.js';

export interface AccountView {
  accountId: string;
  name: string;
  createdAt: Date;
}

export interface UserView {
  accountId: string;
  userName: string;
  arn: string;
  createdAt: Date;
}

export interface AccessKeyView {
  accessKeyId: string;
  accountId: string;
  userName: string;
  status: AccessKeyStatus;
  createdAt: Date;
}

/** A new access key: the only time its secret is shown. */
export interface NewAccessKey extends AccessKeyView {
  secretAccessKey: string;
}

const noSuchEntity = (message: string) => new AwsError('NoSuchEntityException', message);

/**
 * Accounts, users and access keys: the use cases of the admin API. Every change to an access key also drops it from
 * the SigV4 lookup cache of this gateway.
 */
export class TenancyService {
  constructor(
    private readonly ds: DataSource,
    private readonly changes: AccessKeyChanges,
    /** Wraps the secrets of new keys before they are stored. */
    private readonly secrets: SecretWrapper | undefined,
    /** Identity policies (policy service); without it (unit tests) users get none. */
    private readonly identity?: IdentityPolicies,
  ) {}

  /** Whether the principal is a platform administrator (may call the admin API). */
  async isAdmin(principalArn: string): Promise<boolean> {
    const user = await this.ds.getRepository(UserEntity).findOne({ where: { arn: principalArn } });
    return user?.isAdmin === true;
  }

  async createAccount(name: string): Promise<AccountView> {
    const accounts = this.ds.getRepository(AccountEntity);
    for (;;) {
      const id = newAccountId();
      if (await accounts.exists({ where: { id } })) continue;
      const createdAt = new Date();
      await accounts.insert({ id, name, createdAt });
      return { accountId: id, name, createdAt };
    }
  }

  /**
   * A new user, with the default identity policy unless `withDefaultPolicy` is false. The user is stored first and
   * marked seeded once its policy is attached; if that fails now, the periodic seeding attaches it shortly.
   */
  async createUser(accountId: string, userName: string, withDefaultPolicy = true): Promise<UserView> {
    await this.requireAccount(accountId);
    requireUserName(userName);
    const users = this.ds.getRepository(UserEntity);
    if (await users.exists({ where: { accountId, userName } })) {
      throw new AwsError('EntityAlreadyExistsException', `User with name ${userName} already exists.`);
    }
    const user: UserEntity = {
      accountId,
      userName,
      arn: userArn(accountId, userName),
      isAdmin: false,
      identitySeeded: !withDefaultPolicy || !this.identity,
      createdAt: new Date(),
    };
    await users.insert(user);
    if (!user.identitySeeded) {
      await this.identity?.seed(this.ds).catch((e: unknown) => {
        logger.warn(
          { user: user.arn, err: (e as Error).message },
          'default identity policy not attached yet',
        );
      });
    }
    return userView(user);
  }

  /** IAM's PutUserPolicy: the policy service validates the document (MalformedPolicyDocumentException). */
  async putUserPolicy(caller: string, accountId: string, userName: string, name: string, document: string) {
    const arn = (await this.requireUser(accountId, userName)).arn;
    await this.requireIdentity().put(caller, arn, name, document);
  }

  async getUserPolicy(caller: string, accountId: string, userName: string, name: string): Promise<string> {
    const arn = (await this.requireUser(accountId, userName)).arn;
    return this.requireIdentity().get(caller, arn, name);
  }

  async listUserPolicies(caller: string, accountId: string, userName: string): Promise<string[]> {
    const arn = (await this.requireUser(accountId, userName)).arn;
    return this.requireIdentity().list(caller, arn);
  }

  async deleteUserPolicy(caller: string, accountId: string, userName: string, name: string): Promise<void> {
    const arn = (await this.requireUser(accountId, userName)).arn;
    await this.requireIdentity().delete(caller, arn, name);
  }

  /**
   * IAM's TagUser: adds or overwrites tags, at most MAX_USER_TAGS per user (LimitExceededException). The user's
   * access keys leave this gateway's lookup cache, so aws:PrincipalTag sees the change at the next request.
   */
  async tagUser(accountId: string, userName: string, tags: Record<string, string>): Promise<void> {
    const user = await this.requireUser(accountId, userName);
    const merged = { ...userTags(user), ...tags };
    if (Object.keys(merged).length > MAX_USER_TAGS) {
      throw new AwsError('LimitExceededException', `Cannot exceed quota for TagsPerUser: ${MAX_USER_TAGS}`);
    }
    await this.saveTags(user, merged);
  }

  async untagUser(accountId: string, userName: string, tagKeys: readonly string[]): Promise<void> {
    const user = await this.requireUser(accountId, userName);
    const tags = userTags(user);
    for (const k of tagKeys) delete tags[k];
    await this.saveTags(user, tags);
  }

  async listUserTags(accountId: string, userName: string): Promise<Record<string, string>> {
    return userTags(await this.requireUser(accountId, userName));
  }

  private async saveTags(user: UserEntity, tags: Record<string, string>): Promise<void> {
    const sorted = Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    await this.ds
      .getRepository(UserEntity)
      .update(
        { accountId: user.accountId, userName: user.userName },
        { tags: Object.keys(sorted).length > 0 ? JSON.stringify(sorted) : null },
      );
    const keys = await this.ds.getRepository(AccessKeyEntity).find({ where: { principalArn: user.arn } });
    for (const k of keys) this.changes.changed(k.accessKeyId);
  }

  private requireIdentity(): IdentityPolicies {
    if (!this.identity) throw new AwsError('ServiceFailure', 'Identity policies are not available.', 500);
    return this.identity;
  }

  async listUsers(accountId: string): Promise<UserView[]> {
    await this.requireAccount(accountId);
    const rows = await this.ds
      .getRepository(UserEntity)
      .find({ where: { accountId }, order: { userName: 'ASC' } });
    return rows.map(userView);
  }

  /** IAM refuses to delete a user that still has access keys (DeleteConflictException). */
  async deleteUser(accountId: string, userName: string): Promise<void> {
    const user = await this.requireUser(accountId, userName);
    const keys = await this.ds.getRepository(AccessKeyEntity).count({ where: { principalArn: user.arn } });
    if (keys > 0) {
      throw new AwsError('DeleteConflictException', 'Cannot delete entity, must delete access keys first.');
    }
    // Its identity policies go first: a user left without them can do nothing, the reverse could leave a stale grant.
    await this.identity?.delete(user.arn, user.arn);
    await this.ds.getRepository(UserEntity).delete({ accountId, userName });
  }

  async createAccessKey(accountId: string, userName: string): Promise<NewAccessKey> {
    const user = await this.requireUser(accountId, userName);
    const limitExceeded = () =>
      new AwsError(
        'LimitExceededException',
        `Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_USER}`,
      );
    const keys = this.ds.getRepository(AccessKeyEntity);
    // Checked before the secret is wrapped (no platform key work for a refused request) and again when inserting.
    if ((await keys.count({ where: { principalArn: user.arn } })) >= MAX_ACCESS_KEYS_PER_USER)
      throw limitExceeded();
    const key: AccessKeyEntity = {
      accessKeyId: newAccessKeyId(),
      accountId,
      principalArn: user.arn,
      secret: randomBytes(30).toString('base64'),
      secretWrapped: false,
      status: 'Active',
      createdAt: new Date(),
    };
    const stored = await sealAccessKey(key, this.secrets);
    await this.ds.transaction(async (m) => {
      const count = await m.count(AccessKeyEntity, { where: { principalArn: user.arn } });
      if (count >= MAX_ACCESS_KEYS_PER_USER) throw limitExceeded();
      await m.insert(AccessKeyEntity, stored);
    });
    return { ...accessKeyView(key, userName), secretAccessKey: key.secret };
  }

  async listAccessKeys(accountId: string, userName: string): Promise<AccessKeyView[]> {
    const user = await this.requireUser(accountId, userName);
    const rows = await this.ds
      .getRepository(AccessKeyEntity)
      .find({ where: { principalArn: user.arn }, order: { createdAt: 'ASC', accessKeyId: 'ASC' } });
    return rows.map((k) => accessKeyView(k, userName));
  }

  async updateAccessKey(
    accountId: string,
    userName: string,
    accessKeyId: string,
    status: AccessKeyStatus,
  ): Promise<void> {
    const key = await this.requireAccessKey(accountId, userName, accessKeyId);
    await this.ds.getRepository(AccessKeyEntity).update({ accessKeyId: key.accessKeyId }, { status });
    this.changes.changed(accessKeyId);
  }

  async deleteAccessKey(accountId: string, userName: string, accessKeyId: string): Promise<void> {
    const key = await this.requireAccessKey(accountId, userName, accessKeyId);
    await this.ds.getRepository(AccessKeyEntity).delete({ accessKeyId: key.accessKeyId });
    this.changes.changed(accessKeyId);
  }

  private async requireAccount(accountId: string): Promise<void> {
    if (!isTenantAccountId(accountId)) {
      throw validationError(
        "1 validation error detected: Value at 'accountId' failed to satisfy constraint: Member must be a 12-digit account id",
      );
    }
    if (!(await this.ds.getRepository(AccountEntity).exists({ where: { id: accountId } }))) {
      throw noSuchEntity(`The account with id ${accountId} cannot be found.`);
    }
  }

  private async requireUser(accountId: string, userName: string): Promise<UserEntity> {
    await this.requireAccount(accountId);
    requireUserName(userName);
    const user = await this.ds.getRepository(UserEntity).findOne({ where: { accountId, userName } });
    if (!user) throw noSuchEntity(`The user with name ${userName} cannot be found.`);
    return user;
  }

  private async requireAccessKey(
    accountId: string,
    userName: string,
    accessKeyId: string,
  ): Promise<AccessKeyEntity> {
    const user = await this.requireUser(accountId, userName);
    const key = await this.ds
      .getRepository(AccessKeyEntity)
      .findOne({ where: { accessKeyId, principalArn: user.arn } });
    if (!key) throw noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);
    return key;
  }
}

/** IAM's quota of tags on a user. */
export const MAX_USER_TAGS = 50;

function userTags(user: UserEntity): Record<string, string> {
  return user.tags ? (JSON.parse(user.tags) as Record<string, string>) : {};
}

function requireUserName(userName: string): void {
  if (!isValidUserName(userName)) {
    throw validationError(
      "1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and 64",
    );
  }
}

function userView(u: UserEntity): UserView {
  return { accountId: u.accountId, userName: u.userName, arn: u.arn, createdAt: u.createdAt };
}

function accessKeyView(k: AccessKeyEntity, userName: string): AccessKeyView {
  return {
    accessKeyId: k.accessKeyId,
    accountId: k.accountId,
    userName,
    status: k.status,
    createdAt: k.createdAt,
  };
}
