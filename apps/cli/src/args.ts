/** The `symbolon` command line: subcommands, their options and the admin request each one makes. Pure, no I/O. */

export interface AdminCommand {
  endpoint: string;
  credentialsFile: string;
  region?: string;
  /** The X-Amz-Target operation name after `SymbolonAdmin.`. */
  operation: string;
  body: Record<string, string | boolean>;
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

type OptionSpec = ValueOption | FlagOption;

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
};

function isFlag(spec: OptionSpec): spec is FlagOption {
  return 'flag' in spec;
}

function usageOf(option: string, spec: OptionSpec): string {
  if (isFlag(spec)) return `[--${option}]`;
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
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const option = Object.hasOwn(spec.options, name) ? spec.options[name] : undefined;
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
  const body: Record<string, string | boolean> = {};
  const files: FileField[] = [];
  for (const [option, optionSpec] of Object.entries(spec.options)) {
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

/** Removes and returns a value option; only flags (from the command's own options) are `true`. */
function takeText(values: Map<string, string | true>, name: string): string | undefined {
  const v = values.get(name);
  values.delete(name);
  return v === true ? undefined : v;
}
