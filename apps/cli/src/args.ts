/** The `symbolon` command line: subcommands, their options and the request each one makes. Pure, no I/O. */

export interface AdminCommand {
  endpoint: string;
  credentialsFile: string;
  region?: string;
  /** The X-Amz-Target prefix when it is not `SymbolonAdmin`: `Symbolon` for key owners' own operations. */
  service?: 'Symbolon';
  /** The X-Amz-Target operation name after the prefix. */
  operation: string;
  body: Record<string, RequestValue>;
  /** Request fields given as `file://<path>`: the caller reads each file and sends its text (like the aws cli). */
  files?: FileField[];
  /** `audit export`: the file to create for the events (JSON lines); the caller follows NextMarker to the end. */
  exportTo?: string;
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

export type RequestValue = string | number | boolean | string[] | Tag[];

export class UsageError extends Error {}

/**
 * An option that takes a value. `fileable`: the value may be `file://<path>` instead of the text itself. `type`: sent as
 * a JSON number, `time` (ISO 8601 or epoch seconds -> epoch seconds) or `integer` (a positive whole number).
 */
interface ValueOption {
  field: string;
  required: boolean;
  fileable?: boolean;
  type?: 'time' | 'integer';
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

/** `--out <file>`: where the command writes its result; not a request field. Always required. */
interface OutOption {
  out: true;
}

/**
 * An option of a command's own steps, not a request field: a file it reads or writes (`file`), files it reads (`files`:
 * one or more, taken as a list option's values), a value it checks locally (`text`) or a switch (`flag`, no value).
 * Given, it lands in StepsCommand.local under the option's name. `check` refuses a bad `text` value (UsageError).
 */
interface LocalOption {
  local: 'file' | 'files' | 'text' | 'flag';
  required?: boolean;
  check?: (option: string, value: string) => void;
}

type OptionSpec = ValueOption | FlagOption | ListOption | OutOption | LocalOption;

/** A command that sends one request made from its options. */
interface RequestSpec {
  operation: string;
  /** The X-Amz-Target prefix when it is not `SymbolonAdmin`. */
  service?: 'Symbolon';
  /** option name -> request field. */
  options: Record<string, OptionSpec>;
}

/** The commands main.ts runs as steps of their own (several requests, local files, local crypto). */
export type StepsName =
  | 'shred'
  | 'verify-shred'
  | 'signing-key'
  | 'suspend'
  | 'reinstate'
  | 'export-chain'
  | 'verify-chain'
  | 'operator-keygen'
  | 'domain-status'
  | 'domain-propose'
  | 'domain-sign'
  | 'domain-submit'
  | 'domain-cancel';

/**
 * A command made of steps (main.ts `STEPS[run]`); its requests are key owners' own (`Symbolon.<Op>`) through the
 * gateway, or with `via: 'nats'` the operators' `kms.v1.domain.*` requests over NATS (StepsCommand.nats).
 */
interface StepsSpec {
  run: StepsName;
  /** Works without the platform: takes no connection options at all. */
  offline?: true;
  /** Talks to the coordinator over NATS as the `operator` user: --runtime, or --nats-url and --nkey-file. */
  via?: 'nats';
  options: Record<string, OptionSpec>;
}

type CommandSpec = RequestSpec | StepsSpec;

/** Where a command's requests go. */
export interface Connection {
  endpoint: string;
  credentialsFile: string;
  region?: string;
}

/** TLS to NATS: the CA of the server's certificate, and a client certificate when the server verifies them. */
export interface NatsTls {
  caFile: string;
  certFile?: string;
  keyFile?: string;
}

/**
 * Where the operators' NATS requests go: `npm start`'s runtime.json (its natsUrl and natsTls, and the operator's nkey
 * seed in <its folder>/nats/keys/operator.nk), or a deployment's URL and nkey seed file given explicitly.
 */
export type NatsTarget = { runtimeFile: string } | { natsUrl: string; nkeyFile: string; tls?: NatsTls };

/** A parsed command made of steps: main.ts runs `run` with the request fields and the local options. */
export interface StepsCommand {
  run: StepsName;
  /** Present for commands that go through the gateway. */
  connection?: Connection;
  /** Present for commands that go over NATS (`via: 'nats'`). */
  nats?: NatsTarget;
  /** Request fields from the options (as AdminCommand.body). */
  body: Record<string, RequestValue>;
  /** Local options by option name: a file path or text, true for a flag, the paths of a `files` option. */
  local: Record<string, string | true | string[]>;
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

const keyId: ValueOption = { field: 'KeyId', required: true };
const auditFilters: Record<string, ValueOption> = {
  'key-id': { field: 'KeyId', required: false },
  operation: { field: 'Operation', required: false },
  'start-time': { field: 'StartTime', required: false, type: 'time' },
  'end-time': { field: 'EndTime', required: false, type: 'time' },
};

const requiredFile: LocalOption = { local: 'file', required: true };
const optionalFile: LocalOption = { local: 'file' };

/** Key owners' own operations on their keys (`Symbolon.<Op>`). */
export const KEY_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  usage: { operation: 'GetKeyUsage', service: 'Symbolon', options: { 'key-id': keyId } },
  shred: { run: 'shred', options: { 'key-id': keyId, out: optionalFile } },
  'verify-shred': {
    run: 'verify-shred',
    offline: true,
    options: { receipt: requiredFile, 'key-id': { local: 'text' }, 'public-key': optionalFile },
  },
  'signing-key': { run: 'signing-key', options: { out: optionalFile } },
  suspend: { run: 'suspend', options: { 'key-id': keyId, 'public-key': requiredFile, out: requiredFile } },
  reinstate: {
    run: 'reinstate',
    options: {
      'key-id': keyId,
      package: requiredFile,
      'private-key': requiredFile,
      'literal-form': { local: 'flag' },
    },
  },
};

/** The page size `audit export` asks for: the most ListAuditEvents returns at once. */
export const EXPORT_PAGE_SIZE = 1000;

/** Key owners' audit events (`Symbolon.ListAuditEvents`). */
export const AUDIT_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  list: {
    operation: 'ListAuditEvents',
    service: 'Symbolon',
    options: {
      ...auditFilters,
      limit: { field: 'Limit', required: false, type: 'integer' },
      marker: { field: 'Marker', required: false },
    },
  },
  export: {
    operation: 'ListAuditEvents',
    service: 'Symbolon',
    options: { ...auditFilters, out: { out: true } },
  },
  'export-chain': {
    run: 'export-chain',
    options: {
      'key-id': { field: 'KeyId', required: false },
      'from-sequence': { field: 'FromSequence', required: false, type: 'integer' },
      out: requiredFile,
    },
  },
  verify: { run: 'verify-chain', offline: true, options: { in: requiredFile, 'public-key': optionalFile } },
};

/** An operator's id in a domain: 1..64 of A-Z a-z 0-9 - _ . */
export const OPERATOR_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function checkOperatorId(option: string, value: string): void {
  if (!OPERATOR_ID.test(value)) {
    throw new UsageError(`--${option} takes 1..64 of A-Z a-z 0-9 - _ . , not ${value.slice(0, 80)}`);
  }
}

/** A domain's id, as the coordinator names it (`domain status` lists them): 1..64 of a-z 0-9 -. */
export function checkDomainId(option: string, value: string): void {
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(value)) {
    throw new UsageError(`--${option} takes a domain id (1..64 of a-z 0-9 -), not ${value.slice(0, 80)}`);
  }
}

const domainOption: LocalOption = { local: 'text', check: checkDomainId };

/** How long a proposal stays valid, in hours: the default, and the most libs/quorum accepts (7 days). */
export const DEFAULT_TTL_HOURS = 24;
export const MAX_TTL_HOURS = 168;

export function checkTtlHours(option: string, value: string): void {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_TTL_HOURS)) {
    throw new UsageError(`--${option} takes whole hours in 1..${MAX_TTL_HOURS}, not ${value}`);
  }
}

/** Operators' own tooling, offline. */
export const OPERATOR_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  keygen: {
    run: 'operator-keygen',
    offline: true,
    options: {
      id: { local: 'text', required: true, check: checkOperatorId },
      out: requiredFile,
      'public-out': optionalFile,
    },
  },
};

const signatureFiles: LocalOption = { local: 'files' };

/** Quorum-approved domain changes: proposals, offline signatures, submission (kms.v1.domain.* over NATS). */
export const DOMAIN_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  status: {
    run: 'domain-status',
    via: 'nats',
    options: { signatures: signatureFiles, proposal: optionalFile, domain: domainOption },
  },
  propose: {
    run: 'domain-propose',
    via: 'nats',
    options: {
      change: requiredFile,
      ttl: { local: 'text', check: checkTtlHours },
      out: requiredFile,
      domain: domainOption,
    },
  },
  sign: {
    run: 'domain-sign',
    offline: true,
    options: {
      proposal: requiredFile,
      key: requiredFile,
      'operator-id': { local: 'text', required: true, check: checkOperatorId },
      out: requiredFile,
    },
  },
  submit: {
    run: 'domain-submit',
    via: 'nats',
    options: { proposal: requiredFile, signatures: { ...signatureFiles, required: true } },
  },
  cancel: { run: 'domain-cancel', via: 'nats', options: { proposal: requiredFile } },
};

/** Command groups: `symbolon <group> <command>`. */
export const COMMAND_GROUPS: Readonly<Record<string, Readonly<Record<string, CommandSpec>>>> = {
  admin: ADMIN_COMMANDS,
  key: KEY_COMMANDS,
  audit: AUDIT_COMMANDS,
  operator: OPERATOR_COMMANDS,
  domain: DOMAIN_COMMANDS,
};

/** The options that say where a `via: 'nats'` command connects (not in its spec: every such command takes them). */
const NATS_OPTIONS = ['runtime', 'nats-url', 'nkey-file', 'nats-ca', 'nats-cert', 'nats-key'] as const;
const NATS_USAGE =
  '--runtime <runtime.json> | --nats-url <url> --nkey-file <file> [--nats-ca <file> [--nats-cert <file> --nats-key <file>]]';

function isOut(spec: OptionSpec): spec is OutOption {
  return 'out' in spec;
}

function isFlag(spec: OptionSpec): spec is FlagOption {
  return 'flag' in spec;
}

function isList(spec: OptionSpec): spec is ListOption {
  return 'list' in spec;
}

function isLocal(spec: OptionSpec): spec is LocalOption {
  return 'local' in spec;
}

/** Options whose values are every following argument up to the next `--option`. */
function takesList(spec: OptionSpec): boolean {
  return isList(spec) || (isLocal(spec) && spec.local === 'files');
}

function usageOf(option: string, spec: OptionSpec): string {
  if (isOut(spec)) return `--${option} <file>`;
  if (isFlag(spec) || (isLocal(spec) && spec.local === 'flag')) return `[--${option}]`;
  if (isLocal(spec)) {
    const value = { file: '<file>', files: '<file> [<file> ...]', text: '<v>', flag: '' }[spec.local];
    const text = `--${option} ${value}`;
    return spec.required ? text : `[${text}]`;
  }
  if (isList(spec)) {
    const value = spec.list === 'tags' ? 'Key=<k>,Value=<v>' : '<v>';
    return `--${option} ${value} [${value} ...]`;
  }
  const value = spec.fileable
    ? `<v>|file://<path>`
    : spec.type === 'time'
      ? '<iso8601|epoch-seconds>'
      : spec.type === 'integer'
        ? '<n>'
        : '<v>';
  return spec.required ? `--${option} ${value}` : `[--${option} ${value}]`;
}

export const USAGE = `usage: symbolon ${Object.keys(COMMAND_GROUPS).join('|')} <command> --endpoint <url> --credentials <file> [--region <region>] [options]
${Object.entries(COMMAND_GROUPS)
  .map(
    ([group, commands]) =>
      `${group} commands:\n${Object.entries(commands)
        .map(([name, spec]) => {
          const opts = Object.entries(spec.options).map(([o, s]) => usageOf(o, s));
          const note =
            'offline' in spec
              ? '  (offline: no --endpoint / --credentials)'
              : 'via' in spec
                ? `  (NATS: ${NATS_USAGE})`
                : '';
          return `  ${name} ${opts.join(' ')}${note}`;
        })
        .join('\n')}`,
  )
  .join('\n')}`;

/**
 * Parses `<group> <command> --option value ...` (also `--option=value`; flags take no value): a request to send as it
 * is (AdminCommand), or a command made of steps (StepsCommand, which has `run`).
 */
export function parseArgs(argv: readonly string[]): AdminCommand | StepsCommand {
  const [group, command, ...rest] = argv;
  const commands =
    group !== undefined && Object.hasOwn(COMMAND_GROUPS, group) ? COMMAND_GROUPS[group] : undefined;
  if (!commands) throw new UsageError(`unknown command group ${group ?? '(none)'}`);
  const spec = command !== undefined && Object.hasOwn(commands, command) ? commands[command] : undefined;
  if (!spec) throw new UsageError(`unknown ${group} command ${command ?? '(none)'}`);
  const values = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const option = Object.hasOwn(spec.options, name) ? spec.options[name] : undefined;
    if (option && takesList(option)) {
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
    if (option && (isFlag(option) || (isLocal(option) && option.local === 'flag'))) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      value = true;
    } else {
      value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
    }
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (values.has(name)) throw new UsageError(`--${name} given twice`);
    values.set(name, value);
  }
  let connection: Connection | undefined;
  let nats: NatsTarget | undefined;
  if ('offline' in spec) {
    for (const name of ['endpoint', 'credentials', 'region', ...NATS_OPTIONS]) {
      if (values.has(name)) throw new UsageError(`${group} ${command} works offline: it takes no --${name}`);
    }
  } else if ('via' in spec) {
    nats = parseNatsTarget(values);
  } else {
    const endpoint = takeText(values, 'endpoint');
    const credentialsFile = takeText(values, 'credentials');
    if (!endpoint) throw new UsageError('--endpoint is required');
    if (!credentialsFile) throw new UsageError('--credentials is required');
    const region = takeText(values, 'region');
    connection = { endpoint, credentialsFile, ...(region ? { region } : {}) };
  }
  const body: Record<string, RequestValue> = {};
  const local: StepsCommand['local'] = {};
  const files: FileField[] = [];
  let exportTo: string | undefined;
  for (const [option, optionSpec] of Object.entries(spec.options)) {
    if (isLocal(optionSpec)) {
      if (optionSpec.local === 'flag') {
        if (values.delete(option)) local[option] = true;
        continue;
      }
      if (optionSpec.local === 'files') {
        const items = lists.get(option);
        if (items === undefined) {
          if (optionSpec.required) throw new UsageError(`--${option} is required`);
        } else if (items.some((item) => item === '')) throw new UsageError(`--${option} needs a value`);
        else local[option] = items;
        continue;
      }
      const value = takeText(values, option);
      if (value) {
        optionSpec.check?.(option, value);
        local[option] = value;
      } else if (optionSpec.required) throw new UsageError(`--${option} is required`);
      else if (value === '') throw new UsageError(`--${option} needs a value`);
      continue;
    }
    if (isOut(optionSpec)) {
      exportTo = takeText(values, option);
      if (!exportTo) throw new UsageError(`--${option} is required`);
      continue;
    }
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
    } else if (optionSpec.type === 'time') {
      body[optionSpec.field] = parseTime(option, value);
    } else if (optionSpec.type === 'integer') {
      body[optionSpec.field] = parsePositiveInteger(option, value);
    } else {
      body[optionSpec.field] = value;
    }
  }
  const unknown = [...values.keys()];
  if (unknown.length > 0) throw new UsageError(`unknown option --${unknown[0]}`);
  if ('run' in spec)
    return { run: spec.run, ...(connection ? { connection } : {}), ...(nats ? { nats } : {}), body, local };
  const { endpoint, credentialsFile, region } = connection!;
  return {
    endpoint,
    credentialsFile,
    operation: spec.operation,
    body,
    ...(region ? { region } : {}),
    ...(spec.service ? { service: spec.service } : {}),
    ...(files.length > 0 ? { files } : {}),
    ...(exportTo !== undefined ? { exportTo } : {}),
  };
}

/**
 * The NATS target of a `via: 'nats'` command: --runtime alone, or --nats-url and --nkey-file (with --nats-ca, and
 * --nats-cert with --nats-key, for TLS). The URL is checked here (nats:// or tls://, comma-separated); files are read
 * when the command connects.
 */
function parseNatsTarget(values: Map<string, string | true>): NatsTarget {
  const [runtimeFile, natsUrl, nkeyFile, caFile, certFile, keyFile] = NATS_OPTIONS.map((name) => {
    const value = takeText(values, name);
    if (value === '') throw new UsageError(`--${name} needs a value`);
    return value;
  });
  if (runtimeFile !== undefined) {
    const extra = NATS_OPTIONS.slice(1).find((_, i) => [natsUrl, nkeyFile, caFile, certFile, keyFile][i]);
    if (extra) throw new UsageError(`--runtime gives the NATS connection: it takes no --${extra}`);
    return { runtimeFile };
  }
  if (natsUrl === undefined && nkeyFile === undefined) {
    throw new UsageError('--runtime <runtime.json>, or --nats-url and --nkey-file, is required');
  }
  if (natsUrl === undefined) throw new UsageError('--nats-url is required with --nkey-file');
  if (nkeyFile === undefined) throw new UsageError('--nkey-file is required with --nats-url');
  for (const server of natsUrl.split(',')) {
    let protocol: string | undefined;
    try {
      protocol = new URL(server).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'nats:' && protocol !== 'tls:') {
      throw new UsageError(`--nats-url takes nats://<host>:<port> or tls://<host>:<port> (comma-separated)`);
    }
  }
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError('--nats-cert and --nats-key go together');
  }
  if (certFile !== undefined && caFile === undefined) throw new UsageError('--nats-cert needs --nats-ca');
  const tls: NatsTls | undefined =
    caFile !== undefined ? { caFile, ...(certFile && keyFile ? { certFile, keyFile } : {}) } : undefined;
  return { natsUrl, nkeyFile, ...(tls ? { tls } : {}) };
}

/** The latest instant the platform takes (9999-12-31T23:59:59Z), in epoch seconds. */
const MAX_EPOCH_SECONDS = 253402300799;
const EPOCH_SECONDS = /^\d+(\.\d+)?$/;
/** A calendar date, optionally with a time that then needs its zone (`Z` or `±hh:mm`): no guessing at local time. */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

/**
 * A time option -> epoch seconds (JSON 1.1's timestamp). Takes epoch seconds (`1718000000`, fractions allowed) or
 * ISO 8601: a date (`2024-06-10`, midnight UTC) or a date and time with its zone (`2024-06-10T08:00:00Z`,
 * `2024-06-10T10:00:00.5+02:00`).
 */
export function parseTime(option: string, text: string): number {
  let seconds: number | undefined;
  if (EPOCH_SECONDS.test(text)) {
    seconds = Number(text);
  } else {
    const m = ISO_8601.exec(text);
    if (m && isCalendarTime(m)) {
      const iso = m[4] === undefined ? `${text}T00:00:00Z` : text;
      seconds = Date.parse(iso) / 1000;
    }
  }
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_EPOCH_SECONDS) {
    throw new UsageError(
      `--${option} takes ISO 8601 (2024-06-10 or 2024-06-10T08:00:00Z) or epoch seconds, not ${text}`,
    );
  }
  return seconds;
}

/** Date.parse rolls 2024-02-30 over to March 1st: check each field is in its range instead. */
function isCalendarTime(m: RegExpExecArray): boolean {
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const inRange = (v: string | undefined, max: number) => v === undefined || Number(v) <= max;
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    inRange(m[4], 23) &&
    inRange(m[5], 59) &&
    inRange(m[6], 59) &&
    inRange(m[7], 23) &&
    inRange(m[8], 59)
  );
}

/** A whole number of at least 1 (the platform checks its upper bound). */
export function parsePositiveInteger(option: string, text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--${option} takes a whole number of at least 1, not ${text}`);
  return n;
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
