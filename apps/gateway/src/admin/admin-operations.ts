import { validationError } from '../kms/aws-error.js';
import type { Input } from '../kms/operations/input.js';
import { ACCESS_KEY_STATUSES, type AccessKeyStatus, ACCOUNT_NAME_PATTERN } from '../tenants/tenancy-rules.js';
import { type AccessKeyView, MAX_USER_TAGS, type UserView } from '../tenants/tenancy.service.js';
import type { AdminCall, AdminOperation } from './admin-operation.js';

/** The account an operation is about: `AccountId` when given, else the caller's own. */
function accountId(call: AdminCall): string {
  return call.input.string('AccountId', { max: 12 }) ?? call.caller.accountId;
}

function userName(input: Input): string {
  return input.string('UserName', { required: true, max: 64 })!;
}

/** IAM tag keys and values: letters, spaces, digits and _.:/=+-@. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** IAM policy names: 1-128 characters of [\w+=,.@-]. */
function policyName(input: Input): string {
  const name = input.string('PolicyName', { required: true, max: 128 })!;
  if (!/^[\w+=,.@-]+$/.test(name)) {
    throw validationError(
      "1 validation error detected: Value at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
  }
  return name;
}

function accessKeyId(input: Input): string {
  return input.string('AccessKeyId', { required: true, min: 16, max: 128 })!;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

function user(u: UserView): Record<string, unknown> {
  return { AccountId: u.accountId, UserName: u.userName, Arn: u.arn, CreateDate: seconds(u.createdAt) };
}

function accessKey(k: AccessKeyView): Record<string, unknown> {
  return {
    AccountId: k.accountId,
    UserName: k.userName,
    AccessKeyId: k.accessKeyId,
    Status: k.status,
    CreateDate: seconds(k.createdAt),
  };
}

/** The platform's own admin API, `SymbolonAdmin.<name>`, for platform administrators only (see README). */
export const adminOperations: Record<string, AdminOperation> = {
  async CreateAccount({ input, tenancy }) {
    const name = input.string('AccountName', { required: true, max: 256 })!;
    input.done();
    if (!ACCOUNT_NAME_PATTERN.test(name)) {
      throw validationError(
        "1 validation error detected: Value at 'accountName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@ -]+",
      );
    }
    const a = await tenancy.createAccount(name);
    return {
      output: { Account: { AccountId: a.accountId, AccountName: a.name, CreateDate: seconds(a.createdAt) } },
    };
  },

  async CreateUser(call) {
    const account = accountId(call);
    const name = userName(call.input);
    const withDefault = call.input.boolean('AttachDefaultPolicy') ?? true;
    call.input.done();
    return { output: { User: user(await call.tenancy.createUser(account, name, withDefault)) } };
  },

  async TagUser(call) {
    const account = accountId(call);
    const name = userName(call.input);
    const items = call.input.objectList('Tags');
    call.input.done();
    if (items.length === 0 || items.length > MAX_USER_TAGS) {
      throw validationError(
        `1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length between 1 and ${MAX_USER_TAGS}`,
      );
    }
    const tags: Record<string, string> = {};
    for (const t of items) {
      const key = t.string('Key', { required: true, max: 128 })!;
      const value = t.string('Value', { required: true, min: 0, max: 256 })!;
      t.done();
      if (!TAG_TEXT.test(key) || !TAG_TEXT.test(value) || key === '__proto__') {
        throw validationError(
          "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
        );
      }
      tags[key] = value;
    }
    await call.tenancy.tagUser(account, name, tags);
    return { output: {} };
  },

  async UntagUser(call) {
    const account = accountId(call);
    const name = userName(call.input);
    const tagKeys = call.input.stringList('TagKeys', { maxItems: MAX_USER_TAGS, maxLength: 128 });
    call.input.done();
    await call.tenancy.untagUser(account, name, tagKeys);
    return { output: {} };
  },

  async ListUserTags(call) {
    const account = accountId(call);
    const name = userName(call.input);
    call.input.done();
    const tags = await call.tenancy.listUserTags(account, name);
    return {
      output: { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })), IsTruncated: false },
    };
  },

  async PutUserPolicy(call) {
    const account = accountId(call);
    const name = userName(call.input);
    const policy = policyName(call.input);
    const document = call.input.string('PolicyDocument', { required: true, max: 131_072 })!;
    call.input.done();
    await call.tenancy.putUserPolicy(call.caller.principalArn, account, name, policy, document);
    return { output: {} };
  },

  async GetUserPolicy(call) {
    const account = accountId(call);
    const name = userName(call.input);
    const policy = policyName(call.input);
    call.input.done();
    const document = await call.tenancy.getUserPolicy(call.caller.principalArn, account, name, policy);
    return { output: { UserName: name, PolicyName: policy, PolicyDocument: document } };
  },

  async ListUserPolicies(call) {
    const account = accountId(call);
    const name = userName(call.input);
    call.input.done();
    const names = await call.tenancy.listUserPolicies(call.caller.principalArn, account, name);
    return { output: { PolicyNames: names, IsTruncated: false } };
  },

  async DeleteUserPolicy(call) {
    const account = accountId(call);
    const name = userName(call.input);
    const policy = policyName(call.input);
    call.input.done();
    await call.tenancy.deleteUserPolicy(call.caller.principalArn, account, name, policy);
    return { output: {} };
  },

  async ListUsers(call) {
    const account = accountId(call);
    call.input.done();
    return { output: { Users: (await call.tenancy.listUsers(account)).map(user), IsTruncated: false } };
  },

  async DeleteUser(call) {
    const account = accountId(call);
    const name = userName(call.input);
    call.input.done();
    await call.tenancy.deleteUser(account, name);
    return { output: {} };
  },

  async CreateAccessKey(call) {
    const account = accountId(call);
    const name = userName(call.input);
    call.input.done();
    const k = await call.tenancy.createAccessKey(account, name);
    // The secret is answered here once and never again (not by ListAccessKeys, not in the audit record).
    return { output: { AccessKey: { ...accessKey(k), SecretAccessKey: k.secretAccessKey } } };
  },

  async ListAccessKeys(call) {
    const account = accountId(call);
    const name = userName(call.input);
    call.input.done();
    const keys = await call.tenancy.listAccessKeys(account, name);
    return { output: { AccessKeyMetadata: keys.map(accessKey), IsTruncated: false } };
  },

  async UpdateAccessKey(call) {
    const account = accountId(call);
    const name = userName(call.input);
    const id = accessKeyId(call.input);
    const status = call.input.oneOf<AccessKeyStatus>('Status', ACCESS_KEY_STATUSES);
    call.input.done();
    if (status === undefined) {
      throw validationError(
        "1 validation error detected: Value null at 'status' failed to satisfy constraint: Member must not be null",
      );
    }
    await call.tenancy.updateAccessKey(account, name, id, status);
    return { output: {} };
  },

  async DeleteAccessKey(call) {
    const account = accountId(call);
    const name = userName(call.input);
    const id = accessKeyId(call.input);
    call.input.done();
    await call.tenancy.deleteAccessKey(account, name, id);
    return { output: {} };
  },
};
