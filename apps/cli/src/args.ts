/** The `symbolon` command line: subcommands, their options and the admin request each one makes. Pure, no I/O. */

export interface AdminCommand {
  endpoint: string;
  credentialsFile: string;
  region?: string;
  /** The X-Amz-Target operation name after `SymbolonAdmin.`. */
  operation: string;
  body: Record<string, string>;
}

export class UsageError extends Error {}

interface CommandSpec {
  operation: string;
  /** option name -> request field, required or not. */
  options: Record<string, { field: string; required: boolean }>;
}

const account = { field: 'AccountId', required: false };
const user = { field: 'UserName', required: true };
const accessKey = { field: 'AccessKeyId', required: true };

export const ADMIN_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  'create-account': {
    operation: 'CreateAccount',
    options: { name: { field: 'AccountName', required: true } },
  },
  'create-user': { operation: 'CreateUser', options: { 'account-id': account, 'user-name': user } },
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
};

export const USAGE = `usage: symbolon admin <command> --endpoint <url> --credentials <file> [--region <region>] [options]
commands:
${Object.entries(ADMIN_COMMANDS)
  .map(([name, spec]) => {
    const opts = Object.entries(spec.options).map(([o, s]) => (s.required ? `--${o} <v>` : `[--${o} <v>]`));
    return `  ${name} ${opts.join(' ')}`;
  })
  .join('\n')}`;

/** Parses `admin <command> --option value ...` (also `--option=value`). */
export function parseArgs(argv: readonly string[]): AdminCommand {
  const [group, command, ...rest] = argv;
  if (group !== 'admin') throw new UsageError(`unknown command group ${group ?? '(none)'}`);
  const spec =
    command !== undefined && Object.hasOwn(ADMIN_COMMANDS, command) ? ADMIN_COMMANDS[command] : undefined;
  if (!spec) throw new UsageError(`unknown admin command ${command ?? '(none)'}`);
  const values = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (values.has(name)) throw new UsageError(`--${name} given twice`);
    values.set(name, value);
  }
  const endpoint = take(values, 'endpoint');
  const credentialsFile = take(values, 'credentials');
  if (!endpoint) throw new UsageError('--endpoint is required');
  if (!credentialsFile) throw new UsageError('--credentials is required');
  const region = take(values, 'region');
  const body: Record<string, string> = {};
  for (const [option, { field, required }] of Object.entries(spec.options)) {
    const value = take(values, option);
    if (value !== undefined) body[field] = value;
    else if (required) throw new UsageError(`--${option} is required`);
  }
  const unknown = [...values.keys()];
  if (unknown.length > 0) throw new UsageError(`unknown option --${unknown[0]}`);
  return { endpoint, credentialsFile, operation: spec.operation, body, ...(region ? { region } : {}) };
}

function take(values: Map<string, string>, name: string): string | undefined {
  const v = values.get(name);
  values.delete(name);
  return v;
}
