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
      'list-access-keys',
      'update-access-key',
    ]);
  });
});
