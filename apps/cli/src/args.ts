/** The `symbolon` command line: subcommands, their options and the admin request each one makes. Pure, no I/O. */

export interface AdminCommand {
  endpoint: string;
  credentialsFile: string;
  region?: string;
  /** The X-Amz-Target operation name after `SymbolonAdmin.`. */
  operation: string;
  body: Record<string, RequestValue>;
  /** Request fields given as `file://<path>`: the caller reads each file and sends its text (like the aws cli). */
  files?: FileField[];
}

export interface FileField {
  /** The request field that gets the file's text. */
  field: string;
  /** The option it came from, for error messages. */
  option: string;
  path: string;
}

/** A user tag as the admin API takes it. */
export interface Tag {
  Key: string;
  Value: string;
}

export type RequestValue = string | boolean | string[] | Tag[];

export class UsageError extends Error {}

/** An option that takes a value. `fileable`: the value may be `file://<path>` instead of the text itself. */
interface ValueOption {
  field: string;
  required: boolean;
  fileable?: boolean;
}

/** An option without a value: given, it sets `field` to `value`. */
interface FlagOption {
  field: string;
  flag: true;
  value: boolean;
}

/**
 * An option that takes one or more values: every following argument up to the next `--option` (or one value as
 * `--option=value`); it may be repeated and the values add up. `tags` values are `Key=<key>,Value=<value>`.
 */
interface ListOption {
  field: string;
  list: 'strings' | 'tags';
  required: boolean;
}

type OptionSpec = ValueOption | FlagOption | ListOption;

interface CommandSpec {
  operation: string;
  /** option name -> request field. */
  options: Record<string, OptionSpec>;
}

const FILE_PREFIX = 'file://';

const account: ValueOption = { field: 'AccountId', required: false };
const user: ValueOption = { field: 'UserName', required: true };
const accessKey: ValueOption = { field: 'AccessKeyId', required: true };
const policy: ValueOption = { field: 'PolicyName', required: true };

export const ADMIN_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  'create-account': {
    operation: 'CreateAccount',
    options: { name: { field: 'AccountName', required: true } },
  },
  'create-user': {
    operation: 'CreateUser',
    options: {
      'account-id': account,
      'user-name': user,
      'no-default-policy': { field: 'AttachDefaultPolicy', flag: true, value: false },
    },
  },
  'create-access-key': {
    operation: 'CreateAccessKey',
    options: { 'account-id': account, 'user-name': user },
  },
  'list-access-keys': { operation: 'ListAccessKeys', options: { 'account-id': account, 'user-name': user } },
  'update-access-key': {
    operation: 'UpdateAccessKey',
    options: {
      'account-id': account,
      'user-name': user,
      'access-key-id': accessKey,
      status: { field: 'Status', required: true },
    },
  },
  'delete-access-key': {
    operation: 'DeleteAccessKey',
    options: { 'account-id': account, 'user-name': user, 'access-key-id': accessKey },
  },
  'put-user-policy': {
    operation: 'PutUserPolicy',
    options: {
      'account-id': account,
      'user-name': user,
      'policy-name': policy,
      'policy-document': { field: 'PolicyDocument', required: true, fileable: true },
    },
  },
  'get-user-policy': {
    operation: 'GetUserPolicy',
    options: { 'account-id': account, 'user-name': user, 'policy-name': policy },
  },
  'list-user-policies': {
    operation: 'ListUserPolicies',
    options: { 'account-id': account, 'user-name': user },
  },
  'delete-user-policy': {
    operation: 'DeleteUserPolicy',
    options: { 'account-id': account, 'user-name': user, 'policy-name': policy },
  },
  'tag-user': {
    operation: 'TagUser',
    options: {
      'account-id': account,
      'user-name': user,
      tags: { field: 'Tags', list: 'tags', required: true },
    },
  },
  'untag-user': {
    operation: 'UntagUser',
    options: {
      'account-id': account,
      'user-name': user,
      'tag-keys': { field: 'TagKeys', list: 'strings', required: true },
    },
  },
  'list-user-tags': { operation: 'ListUserTags', options: { 'account-id': account, 'user-name': user } },
};

function isFlag(spec: OptionSpec): spec is FlagOption {
  return 'flag' in spec;
}

function isList(spec: OptionSpec): spec is ListOption {
  return 'list' in spec;
}

function usageOf(option: string, spec: OptionSpec): string {
  if (isFlag(spec)) return `[--${option}]`;
  if (isList(spec)) {
    const value = spec.list === 'tags' ? 'Key=<k>,Value=<v>' : '<v>';
    return `--${option} ${value} [${value} ...]`;
  }
  const value = spec.fileable ? `<v>|file://<path>` : '<v>';
  return spec.required ? `--${option} ${value}` : `[--${option} ${value}]`;
}

export const USAGE = `usage: symbolon admin <command> --endpoint <url> --credentials <file> [--region <region>] [options]
commands:
${Object.entries(ADMIN_COMMANDS)
  .map(([name, spec]) => {
    const opts = Object.entries(spec.options).map(([o, s]) => usageOf(o, s));
    return `  ${name} ${opts.join(' ')}`;
  })
  .join('\n')}`;

/** Parses `admin <command> --option value ...` (also `--option=value`; flags take no value). */
export function parseArgs(argv: readonly string[]): AdminCommand {
  const [group, command, ...rest] = argv;
  if (group !== 'admin') throw new UsageError(`unknown command group ${group ?? '(none)'}`);
  const spec =
    command !== undefined && Object.hasOwn(ADMIN_COMMANDS, command) ? ADMIN_COMMANDS[command] : undefined;
  if (!spec) throw new UsageError(`unknown admin command ${command ?? '(none)'}`);
  const values = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const option = Object.hasOwn(spec.options, name) ? spec.options[name] : undefined;
    if (option && isList(option)) {
      const items = lists.get(name) ?? [];
      if (eq > 0) items.push(arg.slice(eq + 1));
      else {
        const before = items.length;
        while (i + 1 < rest.length && !rest[i + 1]!.startsWith('--')) items.push(rest[++i]!);
        if (items.length === before) throw new UsageError(`--${name} needs a value`);
      }
      lists.set(name, items);
      continue;
    }
    let value: string | true | undefined;
    if (option && isFlag(option)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      value = true;
    } else {
      value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
    }
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (values.has(name)) throw new UsageError(`--${name} given twice`);
    values.set(name, value);
  }
  const endpoint = takeText(values, 'endpoint');
  const credentialsFile = takeText(values, 'credentials');
  if (!endpoint) throw new UsageError('--endpoint is required');
  if (!credentialsFile) throw new UsageError('--credentials is required');
  const region = takeText(values, 'region');
  const body: Record<string, RequestValue> = {};
  const files: FileField[] = [];
  for (const [option, optionSpec] of Object.entries(spec.options)) {
    if (isList(optionSpec)) {
      const items = lists.get(option);
      if (items === undefined) {
        if (optionSpec.required) throw new UsageError(`--${option} is required`);
      } else body[optionSpec.field] = optionSpec.list === 'tags' ? items.map(parseTag) : items;
      continue;
    }
    if (isFlag(optionSpec)) {
      if (values.delete(option)) body[optionSpec.field] = optionSpec.value;
      continue;
    }
    const value = takeText(values, option);
    if (value === undefined) {
      if (optionSpec.required) throw new UsageError(`--${option} is required`);
    } else if (optionSpec.fileable && value.startsWith(FILE_PREFIX)) {
      const path = value.slice(FILE_PREFIX.length);
      if (!path) throw new UsageError(`--${option} ${FILE_PREFIX} needs a path`);
      files.push({ field: optionSpec.field, option, path });
    } else {
      body[optionSpec.field] = value;
    }
  }
  const unknown = [...values.keys()];
  if (unknown.length > 0) throw new UsageError(`unknown option --${unknown[0]}`);
  return {
    endpoint,
    credentialsFile,
    operation: spec.operation,
    body,
    ...(region ? { region } : {}),
    ...(files.length > 0 ? { files } : {}),
  };
}

/**
 * `Key=<key>,Value=<value>` (the aws cli's shorthand, either order) -> a tag. Unambiguous: tag text may hold `=` but
 * never `,`, so the item splits at its commas and each part at its first `=`. The value may be empty.
 */
export function parseTag(item: string): Tag {
  const fields = new Map<string, string>();
  for (const part of item.split(',')) {
    const eq = part.indexOf('=');
    const name = eq > 0 ? part.slice(0, eq) : part;
    if (eq < 0 || (name !== 'Key' && name !== 'Value') || fields.has(name)) break;
    fields.set(name, part.slice(eq + 1));
  }
  const Key = fields.get('Key');
  const Value = fields.get('Value');
  if (item.split(',').length !== 2 || Key === undefined || Key === '' || Value === undefined) {
    throw new UsageError(`--tags takes Key=<key>,Value=<value> (no commas in either), not ${item}`);
  }
  return { Key, Value };
}

/** Removes and returns a value option; only flags (from the command's own options) are `true`. */
function takeText(values: Map<string, string | true>, name: string): string | undefined {
  const v = values.get(name);
  values.delete(name);
  return v === true ? undefined : v;
}
