import { ADMIN_COMMANDS, USAGE, UsageError, parseArgs } from './args.js';

const COMMON = ['--endpoint', 'http://127.0.0.1:4566', '--credentials', '/tmp/creds.json'];

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
      'put-user-policy',
      'update-access-key',
    ]);
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
    const parsed = parseArgs([
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
    const parsed = parseArgs(['admin', 'create-user', '--user-name', 'file://alice', ...COMMON]);
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
});
