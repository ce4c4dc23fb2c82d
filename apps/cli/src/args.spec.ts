import {
  ADMIN_COMMANDS,
  type AdminCommand,
  AUDIT_COMMANDS,
  KEY_COMMANDS,
  USAGE,
  UsageError,
  parseArgs,
  parsePositiveInteger,
  parseTag,
  parseTime,
} from './args.js';

const COMMON = ['--endpoint', 'http://127.0.0.1:4566', '--credentials', '/tmp/creds.json'];

/** parseArgs for a command that sends one request (not one made of steps). */
function parseRequest(argv: string[]): AdminCommand {
  const parsed = parseArgs(argv);
  if ('run' in parsed) throw new Error(`${argv.slice(0, 2).join(' ')} is made of steps`);
  return parsed;
}

describe('parseArgs', () => {
  it('should map options to request fields when a create-access-key command is given', () => {
    expect(
      parseArgs([
        'admin',
        'create-access-key',
        '--account-id',
        '111122223333',
        '--user-name',
        'alice',
        ...COMMON,
      ]),
    ).toEqual({
      endpoint: 'http://127.0.0.1:4566',
      credentialsFile: '/tmp/creds.json',
      operation: 'CreateAccessKey',
      body: { AccountId: '111122223333', UserName: 'alice' },
    });
  });

  it('should accept --option=value and a region when they are given', () => {
    expect(
      parseArgs([
        'admin',
        'update-access-key',
        '--user-name=alice',
        '--access-key-id=AKIA0000000000000000',
        '--status=Inactive',
        '--region=eu-west-1',
        ...COMMON,
      ]),
    ).toMatchObject({
      region: 'eu-west-1',
      operation: 'UpdateAccessKey',
      body: { UserName: 'alice', AccessKeyId: 'AKIA0000000000000000', Status: 'Inactive' },
    });
  });

  it('should throw a UsageError when the command, an option or a value is wrong or missing', () => {
    const cases: [string[], string][] = [
      [[], 'unknown command group (none)'],
      [['keys', 'list'], 'unknown command group keys'],
      [['admin', 'frobnicate', ...COMMON], 'unknown admin command frobnicate'],
      [['admin', 'create-user', ...COMMON], '--user-name is required'],
      [['admin', 'create-user', '--user-name', 'a'], '--endpoint is required'],
      [['admin', 'create-user', '--user-name', 'a', '--endpoint', 'http://x'], '--credentials is required'],
      [['admin', 'create-user', '--user-name', 'a', '--colour', 'red', ...COMMON], 'unknown option --colour'],
      [
        ['admin', 'create-user', '--user-name', 'a', '--user-name', 'b', ...COMMON],
        '--user-name given twice',
      ],
      [['admin', 'create-user', 'alice', ...COMMON], 'unexpected argument alice'],
      [['admin', 'create-user', ...COMMON, '--user-name'], '--user-name needs a value'],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseArgs(argv)).toThrow(UsageError);
      expect(() => parseArgs(argv)).toThrow(message);
    }
  });

  it('should list every admin command in the usage text when it is printed', () => {
    for (const name of Object.keys(ADMIN_COMMANDS)) expect(USAGE).toContain(`  ${name} `);
    expect(Object.keys(ADMIN_COMMANDS).sort()).toEqual([
      'create-access-key',
      'create-account',
      'create-user',
      'delete-access-key',
      'delete-user-policy',
      'get-user-policy',
      'list-access-keys',
      'list-user-policies',
      'list-user-tags',
      'put-user-policy',
      'tag-user',
      'untag-user',
      'update-access-key',
    ]);
    expect(USAGE).toContain(
      'tag-user [--account-id <v>] --user-name <v> --tags Key=<k>,Value=<v> [Key=<k>,Value=<v> ...]',
    );
    expect(USAGE).toContain('untag-user [--account-id <v>] --user-name <v> --tag-keys <v> [<v> ...]');
    expect(USAGE).toContain('--policy-document <v>|file://<path>');
    expect(USAGE).toContain('[--no-default-policy]');
  });

  it('should map each user-policy command to its operation and fields when all options are given', () => {
    const doc = '{"Version":"2012-10-17","Statement":[]}';
    const cases: [string[], string, Record<string, string>][] = [
      [
        ['put-user-policy', '--user-name', 'alice', '--policy-name', 'p1', '--policy-document', doc],
        'PutUserPolicy',
        { UserName: 'alice', PolicyName: 'p1', PolicyDocument: doc },
      ],
      [
        ['get-user-policy', '--user-name', 'alice', '--policy-name', 'p1'],
        'GetUserPolicy',
        { UserName: 'alice', PolicyName: 'p1' },
      ],
      [['list-user-policies', '--user-name', 'alice'], 'ListUserPolicies', { UserName: 'alice' }],
      [
        ['delete-user-policy', '--user-name', 'alice', '--policy-name', 'p1'],
        'DeleteUserPolicy',
        { UserName: 'alice', PolicyName: 'p1' },
      ],
    ];
    for (const [args, operation, body] of cases) {
      expect(parseArgs(['admin', ...args, '--account-id', '111122223333', ...COMMON])).toEqual({
        endpoint: 'http://127.0.0.1:4566',
        credentialsFile: '/tmp/creds.json',
        operation,
        body: { AccountId: '111122223333', ...body },
      });
    }
  });

  it('should leave a file:// policy document to be read when it is given as a file reference', () => {
    const parsed = parseRequest([
      'admin',
      'put-user-policy',
      '--user-name=alice',
      '--policy-name=p1',
      '--policy-document=file://./policies/p1.json',
      ...COMMON,
    ]);
    expect(parsed.body).toEqual({ UserName: 'alice', PolicyName: 'p1' });
    expect(parsed.files).toEqual([
      { field: 'PolicyDocument', option: 'policy-document', path: './policies/p1.json' },
    ]);
  });

  it('should keep file:// as text when the option does not accept files', () => {
    const parsed = parseRequest(['admin', 'create-user', '--user-name', 'file://alice', ...COMMON]);
    expect(parsed.body).toEqual({ UserName: 'file://alice' });
    expect(parsed.files).toBeUndefined();
  });

  it('should send AttachDefaultPolicy false when create-user is given --no-default-policy', () => {
    expect(
      parseArgs(['admin', 'create-user', '--no-default-policy', '--user-name', 'bob', ...COMMON]).body,
    ).toEqual({ UserName: 'bob', AttachDefaultPolicy: false });
    expect(
      parseArgs(['admin', 'create-user', '--user-name', 'bob', ...COMMON, '--no-default-policy']).body,
    ).toEqual({ UserName: 'bob', AttachDefaultPolicy: false });
    expect(parseArgs(['admin', 'create-user', '--user-name', 'bob', ...COMMON]).body).toEqual({
      UserName: 'bob',
    });
  });

  it('should throw a UsageError when a user-policy option or the flag is wrong or missing', () => {
    const put = ['admin', 'put-user-policy', '--user-name', 'a', '--policy-name', 'p'];
    const cases: [string[], string][] = [
      [[...put, ...COMMON], '--policy-document is required'],
      [[...put, '--policy-document', 'file://', ...COMMON], '--policy-document file:// needs a path'],
      [
        ['admin', 'put-user-policy', '--user-name', 'a', '--policy-document', '{}', ...COMMON],
        '--policy-name is required',
      ],
      [['admin', 'get-user-policy', '--user-name', 'a', ...COMMON], '--policy-name is required'],
      [['admin', 'get-user-policy', '--policy-name', 'p', ...COMMON], '--user-name is required'],
      [['admin', 'list-user-policies', ...COMMON], '--user-name is required'],
      [['admin', 'delete-user-policy', '--user-name', 'a', ...COMMON], '--policy-name is required'],
      [
        ['admin', 'create-user', '--user-name', 'a', '--no-default-policy=true', ...COMMON],
        '--no-default-policy takes no value',
      ],
      [
        ['admin', 'create-user', '--user-name', 'a', '--no-default-policy', '--no-default-policy', ...COMMON],
        '--no-default-policy given twice',
      ],
      [
        ['admin', 'list-user-policies', '--user-name', 'a', '--policy-name', 'p', ...COMMON],
        'unknown option --policy-name',
      ],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseArgs(argv)).toThrow(UsageError);
      expect(() => parseArgs(argv)).toThrow(message);
    }
  });

  it('should send every Key=,Value= item as a tag when tag-user is given several after one --tags', () => {
    expect(
      parseArgs([
        'admin',
        'tag-user',
        '--account-id',
        '111122223333',
        '--user-name',
        'alice',
        '--tags',
        'Key=team,Value=blue',
        'Value=prod,Key=env',
        'Key=a=b,Value=c=d',
        ...COMMON,
      ]),
    ).toEqual({
      endpoint: 'http://127.0.0.1:4566',
      credentialsFile: '/tmp/creds.json',
      operation: 'TagUser',
      body: {
        AccountId: '111122223333',
        UserName: 'alice',
        Tags: [
          { Key: 'team', Value: 'blue' },
          { Key: 'env', Value: 'prod' },
          { Key: 'a=b', Value: 'c=d' },
        ],
      },
    });
  });

  it('should add up the items when a list option is repeated or written --option=value', () => {
    expect(
      parseArgs([
        'admin',
        'tag-user',
        '--user-name=alice',
        '--tags=Key=team,Value=',
        '--tags',
        'Key=cost center,Value=4 2',
        ...COMMON,
      ]).body,
    ).toEqual({
      UserName: 'alice',
      Tags: [
        { Key: 'team', Value: '' },
        { Key: 'cost center', Value: '4 2' },
      ],
    });
    expect(
      parseArgs(['admin', 'untag-user', '--user-name', 'alice', '--tag-keys', 'team', 'env', ...COMMON]).body,
    ).toEqual({ UserName: 'alice', TagKeys: ['team', 'env'] });
    expect(
      parseArgs([
        'admin',
        'untag-user',
        '--tag-keys=--odd',
        '--user-name',
        'alice',
        '--tag-keys',
        'x',
        ...COMMON,
      ]).body,
    ).toEqual({ UserName: 'alice', TagKeys: ['--odd', 'x'] });
  });

  it('should map list-user-tags to ListUserTags when a user is named', () => {
    expect(
      parseArgs(['admin', 'list-user-tags', '--user-name', 'alice', '--account-id', '1', ...COMMON]),
    ).toEqual({
      endpoint: 'http://127.0.0.1:4566',
      credentialsFile: '/tmp/creds.json',
      operation: 'ListUserTags',
      body: { AccountId: '1', UserName: 'alice' },
    });
  });

  it('should throw a UsageError when a tag option is missing, empty or not Key=,Value=', () => {
    const tag = ['admin', 'tag-user', '--user-name', 'a'];
    const untag = ['admin', 'untag-user', '--user-name', 'a'];
    const cases: [string[], string][] = [
      [[...tag, ...COMMON], '--tags is required'],
      [[...tag, '--tags', ...COMMON], '--tags needs a value'],
      [[...tag, ...COMMON, '--tags'], '--tags needs a value'],
      [
        [...tag, '--tags', 'team=blue', ...COMMON],
        '--tags takes Key=<key>,Value=<value> (no commas in either), not team=blue',
      ],
      [[...untag, ...COMMON], '--tag-keys is required'],
      [[...untag, '--tag-keys', '--endpoint', 'http://x', '--credentials', 'c'], '--tag-keys needs a value'],
      [
        ['admin', 'list-user-tags', '--user-name', 'a', '--tags', 'Key=a,Value=b', ...COMMON],
        'unknown option --tags',
      ],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseArgs(argv)).toThrow(UsageError);
      expect(() => parseArgs(argv)).toThrow(message);
    }
  });
});

describe('parseArgs for key and audit commands', () => {
  it('should make a Symbolon GetKeyUsage request when key usage is given a key id', () => {
    expect(parseArgs(['key', 'usage', '--key-id', 'alias/app', ...COMMON])).toEqual({
      endpoint: 'http://127.0.0.1:4566',
      credentialsFile: '/tmp/creds.json',
      service: 'Symbolon',
      operation: 'GetKeyUsage',
      body: { KeyId: 'alias/app' },
    });
  });

  it('should send times as epoch seconds and the limit as a number when audit list is given every option', () => {
    expect(
      parseArgs([
        'audit',
        'list',
        '--key-id',
        'k1',
        '--operation',
        'Decrypt',
        '--start-time',
        '2024-06-10T08:00:00Z',
        '--end-time=1718020800',
        '--limit',
        '50',
        '--marker',
        'm-1',
        ...COMMON,
      ]),
    ).toStrictEqual({
      endpoint: 'http://127.0.0.1:4566',
      credentialsFile: '/tmp/creds.json',
      service: 'Symbolon',
      operation: 'ListAuditEvents',
      body: {
        KeyId: 'k1',
        Operation: 'Decrypt',
        StartTime: 1718006400,
        EndTime: 1718020800,
        Limit: 50,
        Marker: 'm-1',
      },
    });
    expect(parseArgs(['audit', 'list', ...COMMON]).body).toEqual({});
  });

  it('should keep the filters and the out file apart when audit export is given both', () => {
    expect(
      parseArgs([
        'audit',
        'export',
        '--key-id',
        'k1',
        '--start-time',
        '2024-06-10',
        '--out',
        'events.jsonl',
        ...COMMON,
      ]),
    ).toStrictEqual({
      endpoint: 'http://127.0.0.1:4566',
      credentialsFile: '/tmp/creds.json',
      service: 'Symbolon',
      operation: 'ListAuditEvents',
      body: { KeyId: 'k1', StartTime: 1717977600 },
      exportTo: 'events.jsonl',
    });
  });

  it('should leave the service out when an admin command is parsed', () => {
    const parsed = parseRequest(['admin', 'list-access-keys', '--user-name', 'a', ...COMMON]);
    expect(parsed.service).toBeUndefined();
    expect(parsed.exportTo).toBeUndefined();
  });

  it('should throw a UsageError when a key or audit command, option or value is wrong or missing', () => {
    const cases: [string[], string][] = [
      [['key', 'rotate', ...COMMON], 'unknown key command rotate'],
      [['audit', ...COMMON], 'unknown audit command --endpoint'],
      [['key', 'usage', ...COMMON], '--key-id is required'],
      [['audit', 'export', ...COMMON], '--out is required'],
      [['audit', 'export', '--out=', ...COMMON], '--out is required'],
      [['audit', 'export', '--out', 'a', '--out', 'b', ...COMMON], '--out given twice'],
      [['audit', 'export', '--out', 'a', '--limit', '5', ...COMMON], 'unknown option --limit'],
      [['audit', 'export', '--out', 'a', '--marker', 'm', ...COMMON], 'unknown option --marker'],
      [['audit', 'list', '--out', 'a', ...COMMON], 'unknown option --out'],
      [['audit', 'list', '--limit', '0', ...COMMON], '--limit takes a whole number of at least 1, not 0'],
      [
        ['audit', 'list', '--start-time', 'yesterday', ...COMMON],
        '--start-time takes ISO 8601 (2024-06-10 or 2024-06-10T08:00:00Z) or epoch seconds, not yesterday',
      ],
      [['audit', 'export', '--out', 'a', '--end-time', '2024-02-30', ...COMMON], '--end-time takes ISO 8601'],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseArgs(argv)).toThrow(UsageError);
      expect(() => parseArgs(argv)).toThrow(message);
    }
  });

  it('should list every key and audit command in the usage text when it is printed', () => {
    expect(USAGE).toMatch(/^usage: symbolon admin\|key\|audit\|operator\|domain <command> --endpoint <url>/);
    expect(Object.keys(KEY_COMMANDS)).toEqual([
      'usage',
      'shred',
      'verify-shred',
      'signing-key',
      'suspend',
      'reinstate',
    ]);
    expect(Object.keys(AUDIT_COMMANDS)).toEqual(['list', 'export', 'export-chain', 'verify']);
    expect(USAGE).toContain('key commands:\n  usage --key-id <v>');
    expect(USAGE).toContain(
      'audit commands:\n  list [--key-id <v>] [--operation <v>] [--start-time <iso8601|epoch-seconds>] ' +
        '[--end-time <iso8601|epoch-seconds>] [--limit <n>] [--marker <v>]',
    );
    expect(USAGE).toContain(
      '  export [--key-id <v>] [--operation <v>] [--start-time <iso8601|epoch-seconds>] ' +
        '[--end-time <iso8601|epoch-seconds>] --out <file>',
    );
  });
});

describe('parseArgs for commands made of steps', () => {
  const connection = { endpoint: 'http://127.0.0.1:4566', credentialsFile: '/tmp/creds.json' };

  it('should keep request fields and local options apart when each key command is given every option', () => {
    expect(parseArgs(['key', 'shred', '--key-id', 'k1', '--out', 'r.json', ...COMMON])).toStrictEqual({
      run: 'shred',
      connection,
      body: { KeyId: 'k1' },
      local: { out: 'r.json' },
    });
    expect(parseArgs(['key', 'shred', '--key-id', 'k1', ...COMMON, '--region', 'eu-west-1'])).toStrictEqual({
      run: 'shred',
      connection: { ...connection, region: 'eu-west-1' },
      body: { KeyId: 'k1' },
      local: {},
    });
    expect(parseArgs(['key', 'signing-key', ...COMMON])).toStrictEqual({
      run: 'signing-key',
      connection,
      body: {},
      local: {},
    });
    expect(
      parseArgs(['key', 'suspend', '--key-id', 'k1', '--public-key', 'pub.pem', '--out=pkg.json', ...COMMON]),
    ).toStrictEqual({
      run: 'suspend',
      connection,
      body: { KeyId: 'k1' },
      local: { 'public-key': 'pub.pem', out: 'pkg.json' },
    });
    const reinstate = ['key', 'reinstate', '--key-id', 'k1', '--package', 'p.json', '--private-key', 'k.pem'];
    expect(parseArgs([...reinstate, ...COMMON])).toStrictEqual({
      run: 'reinstate',
      connection,
      body: { KeyId: 'k1' },
      local: { package: 'p.json', 'private-key': 'k.pem' },
    });
    expect(parseArgs([...reinstate, '--literal-form', ...COMMON])).toMatchObject({
      local: { package: 'p.json', 'private-key': 'k.pem', 'literal-form': true },
    });
  });

  it('should need no connection when key verify-shred and audit verify are offline', () => {
    expect(
      parseArgs(['key', 'verify-shred', '--receipt', 'r.json', '--key-id', 'arn:k', '--public-key', 's.b64']),
    ).toStrictEqual({
      run: 'verify-shred',
      body: {},
      local: { receipt: 'r.json', 'key-id': 'arn:k', 'public-key': 's.b64' },
    });
    expect(parseArgs(['audit', 'verify', '--in', 'chain.jsonl'])).toStrictEqual({
      run: 'verify-chain',
      body: {},
      local: { in: 'chain.jsonl' },
    });
  });

  it('should send the key and the first sequence as request fields when audit export-chain is given them', () => {
    expect(
      parseArgs([
        'audit',
        'export-chain',
        '--key-id',
        'k1',
        '--from-sequence',
        '42',
        '--out',
        'c.jsonl',
        ...COMMON,
      ]),
    ).toStrictEqual({
      run: 'export-chain',
      connection,
      body: { KeyId: 'k1', FromSequence: 42 },
      local: { out: 'c.jsonl' },
    });
    expect(parseArgs(['audit', 'export-chain', '--out', 'c.jsonl', ...COMMON])).toMatchObject({ body: {} });
  });

  it('should throw a UsageError when a command made of steps misses an option or gets a wrong one', () => {
    const cases: [string[], string][] = [
      [['key', 'shred', ...COMMON], '--key-id is required'],
      [['key', 'shred', '--key-id', 'k1', '--out=', ...COMMON], '--out needs a value'],
      [['key', 'shred', '--key-id', 'k1', '--receipt', 'r', ...COMMON], 'unknown option --receipt'],
      [['key', 'shred', '--key-id', 'k1'], '--endpoint is required'],
      [['key', 'verify-shred'], '--receipt is required'],
      [
        ['key', 'verify-shred', '--receipt', 'r', ...COMMON],
        'key verify-shred works offline: it takes no --endpoint',
      ],
      [
        ['key', 'verify-shred', '--receipt', 'r', '--credentials', 'c.json'],
        'key verify-shred works offline: it takes no --credentials',
      ],
      [['key', 'verify-shred', '--receipt', 'r', '--region', 'x'], 'works offline: it takes no --region'],
      [['key', 'verify-shred', '--receipt', 'r', '--out', 'x'], 'unknown option --out'],
      [['key', 'signing-key', '--key-id', 'k1', ...COMMON], 'unknown option --key-id'],
      [['key', 'suspend', '--key-id', 'k1', '--out', 'p.json', ...COMMON], '--public-key is required'],
      [['key', 'suspend', '--key-id', 'k1', '--public-key', 'k.pem', ...COMMON], '--out is required'],
      [['key', 'suspend', '--public-key', 'k.pem', '--out', 'p', ...COMMON], '--key-id is required'],
      [['key', 'reinstate', '--key-id', 'k1', '--private-key', 'k.pem', ...COMMON], '--package is required'],
      [['key', 'reinstate', '--key-id', 'k1', '--package', 'p.json', ...COMMON], '--private-key is required'],
      [
        [
          'key',
          'reinstate',
          '--key-id',
          'k1',
          '--package',
          'p',
          '--private-key',
          'k',
          '--literal-form=yes',
          ...COMMON,
        ],
        '--literal-form takes no value',
      ],
      [
        [
          'key',
          'reinstate',
          '--key-id',
          'k1',
          '--package',
          'p',
          '--private-key',
          'k',
          '--passphrase',
          'x',
          ...COMMON,
        ],
        'unknown option --passphrase',
      ],
      [['audit', 'export-chain', ...COMMON], '--out is required'],
      [
        ['audit', 'export-chain', '--out', 'c', '--from-sequence', '0', ...COMMON],
        '--from-sequence takes a whole',
      ],
      [['audit', 'export-chain', '--out', 'c', '--limit', '5', ...COMMON], 'unknown option --limit'],
      [['audit', 'verify'], '--in is required'],
      [['audit', 'verify', '--in', 'c', '--endpoint', 'http://x'], 'audit verify works offline'],
      [['audit', 'verify', '--in', 'c', '--key-id', 'k1'], 'unknown option --key-id'],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseArgs(argv)).toThrow(UsageError);
      expect(() => parseArgs(argv)).toThrow(message);
    }
  });

  it('should list every command made of steps, marking the offline ones, when the usage text is printed', () => {
    expect(USAGE).toContain('  shred --key-id <v> [--out <file>]\n');
    expect(USAGE).toContain(
      '  verify-shred --receipt <file> [--key-id <v>] [--public-key <file>]  (offline: no --endpoint / --credentials)\n',
    );
    expect(USAGE).toContain('  signing-key [--out <file>]\n');
    expect(USAGE).toContain('  suspend --key-id <v> --public-key <file> --out <file>\n');
    expect(USAGE).toContain(
      '  reinstate --key-id <v> --package <file> --private-key <file> [--literal-form]\n',
    );
    expect(USAGE).toContain('  export-chain [--key-id <v>] [--from-sequence <n>] --out <file>\n');
    expect(USAGE).toContain(
      '  verify --in <file> [--public-key <file>]  (offline: no --endpoint / --credentials)\n',
    );
  });
});

describe('parseArgs for operator and domain commands', () => {
  const runtime = ['--runtime', '/data/runtime.json'];

  it('should keep the id and files as local options and need no connection when operator keygen is parsed', () => {
    expect(
      parseArgs(['operator', 'keygen', '--id', 'alice.ops-1_x', '--out', 'a.pem', '--public-out', 'a.json']),
    ).toEqual({
      run: 'operator-keygen',
      body: {},
      local: { id: 'alice.ops-1_x', out: 'a.pem', 'public-out': 'a.json' },
    });
    expect(parseArgs(['operator', 'keygen', '--id', 'a'.repeat(64), '--out', 'a.pem'])).toMatchObject({
      local: { id: 'a'.repeat(64), out: 'a.pem' },
    });
  });

  it('should take --runtime as the NATS target and --signatures as a list when domain status is parsed', () => {
    expect(parseArgs(['domain', 'status', ...runtime])).toEqual({
      run: 'domain-status',
      nats: { runtimeFile: '/data/runtime.json' },
      body: {},
      local: {},
    });
    expect(
      parseArgs([
        'domain',
        'status',
        '--signatures',
        'a.json',
        'b.json',
        ...runtime,
        '--proposal',
        'p.json',
        '--signatures=c.json',
      ]),
    ).toMatchObject({ local: { signatures: ['a.json', 'b.json', 'c.json'], proposal: 'p.json' } });
  });

  it('should take the URL, nkey file and TLS files when a deployment connection is given explicitly', () => {
    expect(
      parseArgs([
        'domain',
        'cancel',
        '--proposal',
        'p.json',
        '--nats-url',
        'tls://nats-0:4222,tls://nats-1:4222',
        '--nkey-file',
        'op.nk',
        '--nats-ca',
        'ca.pem',
        '--nats-cert',
        'c.pem',
        '--nats-key',
        'c.key',
      ]),
    ).toEqual({
      run: 'domain-cancel',
      nats: {
        natsUrl: 'tls://nats-0:4222,tls://nats-1:4222',
        nkeyFile: 'op.nk',
        tls: { caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'c.key' },
      },
      body: {},
      local: { proposal: 'p.json' },
    });
    expect(
      parseArgs(['domain', 'status', '--nats-url', 'nats://h:4222', '--nkey-file', 'op.nk']),
    ).toMatchObject({
      nats: { natsUrl: 'nats://h:4222', nkeyFile: 'op.nk' },
    });
  });

  it('should keep each option of propose, sign and submit where its step reads it', () => {
    expect(
      parseArgs(['domain', 'propose', ...runtime, '--change', 'c.json', '--ttl', '168', '--out', 'p.json']),
    ).toEqual({
      run: 'domain-propose',
      nats: { runtimeFile: '/data/runtime.json' },
      body: {},
      local: { change: 'c.json', ttl: '168', out: 'p.json' },
    });
    expect(
      parseArgs(['domain', 'propose', ...runtime, '--change', 'c.json', '--out', 'p.json']),
    ).toMatchObject({
      local: { change: 'c.json', out: 'p.json' },
    });
    expect(
      parseArgs([
        'domain',
        'sign',
        '--proposal',
        'p.json',
        '--key',
        'a.pem',
        '--operator-id',
        'alice',
        '--out',
        's.json',
      ]),
    ).toEqual({
      run: 'domain-sign',
      body: {},
      local: { proposal: 'p.json', key: 'a.pem', 'operator-id': 'alice', out: 's.json' },
    });
    expect(
      parseArgs(['domain', 'submit', ...runtime, '--proposal', 'p.json', '--signatures', 'a.json', 'b.json']),
    ).toEqual({
      run: 'domain-submit',
      nats: { runtimeFile: '/data/runtime.json' },
      body: {},
      local: { proposal: 'p.json', signatures: ['a.json', 'b.json'] },
    });
  });

  it('should throw a UsageError when an operator or domain command gets a bad, missing or foreign option', () => {
    const sign = ['domain', 'sign', '--proposal', 'p', '--key', 'k', '--out', 's'];
    const cases: [string[], string][] = [
      [['operator', 'keygen', '--out', 'a.pem'], '--id is required'],
      [['operator', 'keygen', '--id', 'alice', '--public-out', 'a.json'], '--out is required'],
      [['operator', 'keygen', '--id', 'al ice', '--out', 'a'], '--id takes 1..64 of A-Z a-z 0-9 - _ .'],
      [['operator', 'keygen', '--id', 'a'.repeat(65), '--out', 'a'], '--id takes 1..64'],
      [['operator', 'keygen', '--id', 'al/ice', '--out', 'a'], '--id takes 1..64'],
      [
        ['operator', 'keygen', '--id', 'a', '--out', 'a', ...runtime],
        'operator keygen works offline: it takes no --runtime',
      ],
      [
        ['operator', 'keygen', '--id', 'a', '--out', 'a', '--endpoint', 'http://x'],
        'works offline: it takes no --endpoint',
      ],
      [[...sign], '--operator-id is required'],
      [[...sign, '--operator-id', 'bob!'], '--operator-id takes 1..64'],
      [
        [...sign, '--operator-id', 'bob', '--nats-url', 'nats://h:1'],
        'domain sign works offline: it takes no --nats-url',
      ],
      [['domain', 'status'], '--runtime <runtime.json>, or --nats-url and --nkey-file, is required'],
      [
        ['domain', 'status', ...runtime, '--nats-url', 'nats://h:1'],
        '--runtime gives the NATS connection: it takes no --nats-url',
      ],
      [
        ['domain', 'status', ...runtime, '--nats-ca', 'ca'],
        '--runtime gives the NATS connection: it takes no --nats-ca',
      ],
      [['domain', 'status', '--nats-url', 'nats://h:1'], '--nkey-file is required with --nats-url'],
      [['domain', 'status', '--nkey-file', 'k'], '--nats-url is required with --nkey-file'],
      [
        ['domain', 'status', '--nats-url', 'http://h:1', '--nkey-file', 'k'],
        '--nats-url takes nats://<host>:<port>',
      ],
      [['domain', 'status', '--nats-url', 'nats://h:1,', '--nkey-file', 'k'], '--nats-url takes nats://'],
      [
        ['domain', 'status', '--nats-url', 'nats://h:1', '--nkey-file', 'k', '--nats-cert', 'c'],
        '--nats-cert and --nats-key go together',
      ],
      [
        [
          'domain',
          'status',
          '--nats-url',
          'nats://h:1',
          '--nkey-file',
          'k',
          '--nats-cert',
          'c',
          '--nats-key',
          'k',
        ],
        '--nats-cert needs --nats-ca',
      ],
      [['domain', 'status', '--runtime', ''], '--runtime needs a value'],
      [['domain', 'status', ...runtime, '--endpoint', 'http://x'], 'unknown option --endpoint'],
      [['domain', 'status', ...runtime, '--signatures'], '--signatures needs a value'],
      [['domain', 'status', ...runtime, '--signatures='], '--signatures needs a value'],
      [
        ['domain', 'propose', ...runtime, '--change', 'c', '--out', 'p', '--ttl', '0'],
        '--ttl takes whole hours in 1..168, not 0',
      ],
      [['domain', 'propose', ...runtime, '--change', 'c', '--out', 'p', '--ttl', '169'], 'not 169'],
      [['domain', 'propose', ...runtime, '--change', 'c', '--out', 'p', '--ttl', '1.5'], 'not 1.5'],
      [['domain', 'propose', ...runtime, '--change', 'c', '--out', 'p', '--ttl', '24h'], 'not 24h'],
      [['domain', 'propose', ...runtime, '--out', 'p'], '--change is required'],
      [['domain', 'propose', ...runtime, '--change', 'c'], '--out is required'],
      [['domain', 'submit', ...runtime, '--proposal', 'p'], '--signatures is required'],
      [['domain', 'submit', ...runtime, '--signatures', 's'], '--proposal is required'],
      [['domain', 'cancel', ...runtime], '--proposal is required'],
      [['domain', 'approve', ...runtime], 'unknown domain command approve'],
      [
        ['domain', 'status', ...runtime, '--domain', 'EU_1'],
        '--domain takes a domain id (1..64 of a-z 0-9 -), not EU_1',
      ],
      [['domain', 'status', ...runtime, '--domain', 'x'.repeat(65)], '--domain takes a domain id'],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseArgs(argv)).toThrow(UsageError);
      expect(() => parseArgs(argv)).toThrow(message);
    }
  });

  it('should never echo the NATS URL when it is refused', () => {
    let message = '';
    try {
      parseArgs(['domain', 'status', '--nats-url', 'http://u:s3cret@h', '--nkey-file', 'k']);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('--nats-url takes');
    expect(message).not.toContain('s3cret');
  });

  it('should list the operator and domain commands with their NATS options when the usage text is printed', () => {
    expect(USAGE).toContain(
      'operator commands:\n  keygen --id <v> --out <file> [--public-out <file>]  (offline: no --endpoint / --credentials)\n',
    );
    expect(USAGE).toContain(
      '  status [--signatures <file> [<file> ...]] [--proposal <file>] [--domain <v>]  (NATS: --runtime <runtime.json> | ' +
        '--nats-url <url> --nkey-file <file> [--nats-ca <file> [--nats-cert <file> --nats-key <file>]])\n',
    );
    expect(USAGE).toContain('  propose --change <file> [--ttl <v>] --out <file> [--domain <v>]  (NATS: ');
    expect(USAGE).toContain('  sign --proposal <file> --key <file> --operator-id <v> --out <file>  (offline');
    expect(USAGE).toContain('  submit --proposal <file> --signatures <file> [<file> ...]  (NATS: ');
    expect(USAGE).toMatch(/ {2}cancel --proposal <file> {2}\(NATS: [^\n]*$/);
  });
});

describe('parseTime', () => {
  it('should give epoch seconds when the value is epoch seconds or ISO 8601 with a zone or a bare date', () => {
    const cases: [string, number][] = [
      ['0', 0],
      ['1718006400', 1718006400],
      ['1718006400.25', 1718006400.25],
      ['2024-06-10', 1717977600],
      ['2024-06-10T08:00:00Z', 1718006400],
      ['2024-06-10T08:00Z', 1718006400],
      ['2024-06-10T10:00:00.5+02:00', 1718006400.5],
      ['2024-06-10T03:30:00-04:30', 1718006400],
      ['2024-02-29', 1709164800],
      ['9999-12-31T23:59:59Z', 253402300799],
    ];
    for (const [text, seconds] of cases) expect(parseTime('start-time', text)).toBe(seconds);
  });

  it('should throw a UsageError when the value is not a real ISO 8601 instant or epoch seconds in range', () => {
    for (const text of [
      '',
      'yesterday',
      'June 10 2024',
      '2024-06-10T08:00:00',
      '2024-06-10 08:00:00Z',
      '2024-02-30',
      '2023-02-29',
      '2024-13-01',
      '2024-06-10T24:00:00Z',
      '2024-06-10T08:60:00Z',
      '2024-06-10T08:00:00+25:00',
      '1969-12-31T23:59:59Z',
      '-1',
      '1e9',
      '0x10',
      '1718006400.',
      '253402300800',
      ' 1718006400',
    ]) {
      expect(() => parseTime('start-time', text)).toThrow(UsageError);
    }
  });
});

describe('parsePositiveInteger', () => {
  it('should give the number when the value is a whole number of at least 1', () => {
    expect(parsePositiveInteger('limit', '1')).toBe(1);
    expect(parsePositiveInteger('limit', '1000')).toBe(1000);
    expect(parsePositiveInteger('limit', '007')).toBe(7);
  });

  it('should throw a UsageError when the value is not a whole number of at least 1', () => {
    for (const text of ['', '0', '-1', '1.5', '1e3', 'ten', '10abc', '99999999999999999999']) {
      expect(() => parsePositiveInteger('limit', text)).toThrow(UsageError);
    }
  });
});

describe('parseTag', () => {
  it('should split at the comma and each first = when the item is Key=,Value= in either order', () => {
    expect(parseTag('Key=k,Value=v')).toEqual({ Key: 'k', Value: 'v' });
    expect(parseTag('Value=v,Key=k')).toEqual({ Key: 'k', Value: 'v' });
    expect(parseTag('Key=x=y,Value==')).toEqual({ Key: 'x=y', Value: '=' });
    expect(parseTag('Key=k,Value=')).toEqual({ Key: 'k', Value: '' });
  });

  it('should throw a UsageError when a field is missing, repeated, unknown or the item has a third part', () => {
    for (const item of [
      '',
      'Key=k',
      'Value=v',
      'Key=,Value=v',
      'Key=k,Key=v',
      'key=k,value=v',
      'Key=k,Value=v,Other=x',
      'Key=k,Value=a,b',
      'Key=k;Value=v',
      'Key,Value=v',
    ]) {
      expect(() => parseTag(item)).toThrow(UsageError);
    }
  });
});
