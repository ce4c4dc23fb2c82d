import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FileFieldError, readFileFields, run } from './main.js';

/** A local HTTP endpoint that records requests and answers from a queue. */
class Endpoint {
  readonly requests: { headers: IncomingMessage['headers']; body: string }[] = [];
  answers: { status: number; body: unknown }[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        this.requests.push({ headers: req.headers, body });
        const a = this.answers.shift() ?? { status: 500, body: {} };
        res.writeHead(a.status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const addr = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}`;
  }

  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }
}

describe('run', () => {
  let dir: string;
  let creds: string;
  let endpoint: Endpoint;
  let out: string;
  let err: string;
  const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };

  beforeEach(async () => {
    out = '';
    err = '';
    dir = mkdtempSync(join(tmpdir(), 'symbolon-cli-'));
    creds = join(dir, 'credentials.json');
    writeFileSync(
      creds,
      JSON.stringify({
        accessKeyId: 'AKIACLITEST000000000',
        secretAccessKey: 'cli-secret',
        region: 'eu-west-1',
      }),
    );
    endpoint = new Endpoint();
    await endpoint.start();
  });

  afterEach(async () => {
    await endpoint.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should send a SigV4-signed SymbolonAdmin request and print the answer when the call succeeds', async () => {
    endpoint.answers.push({ status: 200, body: { User: { UserName: 'alice' } } });
    const code = await run(
      ['admin', 'create-user', '--user-name', 'alice', '--endpoint', endpoint.url, '--credentials', creds],
      io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ User: { UserName: 'alice' } });
    const [req] = endpoint.requests;
    expect(req!.headers['x-amz-target']).toBe('SymbolonAdmin.CreateUser');
    expect(req!.headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIACLITEST000000000\/\d{8}\/eu-west-1\/kms\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.parse(req!.body)).toEqual({ UserName: 'alice' });
    expect(req!.body).not.toContain('cli-secret');
  });

  it('should print the AWS error on stderr and exit 1 when the platform refuses', async () => {
    endpoint.answers.push({ status: 400, body: { __type: 'AccessDeniedException', message: 'no' } });
    const code = await run(
      ['admin', 'create-account', '--name', 'b', '--endpoint', endpoint.url, '--credentials', creds],
      io,
    );
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(JSON.parse(err)).toEqual({ __type: 'AccessDeniedException', message: 'no' });
  });

  it('should print the usage and exit 2 without calling the platform when the arguments are wrong', async () => {
    const code = await run(['admin', 'create-user', '--endpoint', endpoint.url, '--credentials', creds], io);
    expect(code).toBe(2);
    expect(err).toContain('--user-name is required');
    expect(err).toContain('usage: symbolon admin');
    expect(endpoint.requests).toEqual([]);
  });

  it('should send Tags as a list of Key/Value objects and print the tags when tag-user and list-user-tags run', async () => {
    const connect = ['--endpoint', endpoint.url, '--credentials', creds];
    endpoint.answers.push({ status: 200, body: {} });
    const tagged = await run(
      [
        'admin',
        'tag-user',
        '--user-name',
        'alice',
        '--tags',
        'Key=team,Value=blue',
        'Key=env,Value=prod',
        ...connect,
      ],
      io,
    );
    expect(tagged).toBe(0);
    expect(endpoint.requests[0]!.headers['x-amz-target']).toBe('SymbolonAdmin.TagUser');
    expect(JSON.parse(endpoint.requests[0]!.body)).toEqual({
      UserName: 'alice',
      Tags: [
        { Key: 'team', Value: 'blue' },
        { Key: 'env', Value: 'prod' },
      ],
    });

    endpoint.answers.push({ status: 200, body: {} });
    expect(
      await run(['admin', 'untag-user', '--user-name', 'alice', '--tag-keys', 'env', ...connect], io),
    ).toBe(0);
    expect(endpoint.requests[1]!.headers['x-amz-target']).toBe('SymbolonAdmin.UntagUser');
    expect(JSON.parse(endpoint.requests[1]!.body)).toEqual({ UserName: 'alice', TagKeys: ['env'] });

    out = '';
    const listing = { Tags: [{ Key: 'team', Value: 'blue' }], IsTruncated: false };
    endpoint.answers.push({ status: 200, body: listing });
    expect(await run(['admin', 'list-user-tags', '--user-name', 'alice', ...connect], io)).toBe(0);
    expect(endpoint.requests[2]!.headers['x-amz-target']).toBe('SymbolonAdmin.ListUserTags');
    expect(JSON.parse(endpoint.requests[2]!.body)).toEqual({ UserName: 'alice' });
    expect(JSON.parse(out)).toEqual(listing);
  });

  it('should exit 2 without calling the platform when a --tags item is not Key=,Value=', async () => {
    const code = await run(
      [
        'admin',
        'tag-user',
        '--user-name',
        'alice',
        '--tags',
        'team=blue',
        '--endpoint',
        endpoint.url,
        '--credentials',
        creds,
      ],
      io,
    );
    expect(code).toBe(2);
    expect(err).toContain('--tags takes Key=<key>,Value=<value>');
    expect(endpoint.requests).toEqual([]);
  });

  describe('user policies', () => {
    const doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}';
    const connect = () => ['--endpoint', endpoint.url, '--credentials', creds];

    it('should send the document text when put-user-policy is given inline JSON', async () => {
      endpoint.answers.push({ status: 200, body: {} });
      const code = await run(
        [
          'admin',
          'put-user-policy',
          '--account-id',
          '111122223333',
          '--user-name',
          'alice',
          '--policy-name',
          'p1',
          '--policy-document',
          doc,
          ...connect(),
        ],
        io,
      );
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual({});
      const [req] = endpoint.requests;
      expect(req!.headers['x-amz-target']).toBe('SymbolonAdmin.PutUserPolicy');
      expect(JSON.parse(req!.body)).toEqual({
        AccountId: '111122223333',
        UserName: 'alice',
        PolicyName: 'p1',
        PolicyDocument: doc,
      });
    });

    it('should send the file text when put-user-policy is given file://', async () => {
      const file = join(dir, 'policy.json');
      const text = `${JSON.stringify(JSON.parse(doc), null, 2)}\n`;
      writeFileSync(file, text);
      endpoint.answers.push({ status: 200, body: {} });
      const code = await run(
        [
          'admin',
          'put-user-policy',
          '--user-name',
          'alice',
          '--policy-name',
          'p1',
          `--policy-document=file://${file}`,
          ...connect(),
        ],
        io,
      );
      expect(code).toBe(0);
      const [req] = endpoint.requests;
      expect(JSON.parse(req!.body)).toEqual({ UserName: 'alice', PolicyName: 'p1', PolicyDocument: text });
    });

    it('should print a clear error and exit 2 without calling the platform when the file:// file is missing', async () => {
      const missing = join(dir, 'nope.json');
      const code = await run(
        [
          'admin',
          'put-user-policy',
          '--user-name',
          'alice',
          '--policy-name',
          'p1',
          '--policy-document',
          `file://${missing}`,
          ...connect(),
        ],
        io,
      );
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toBe(`symbolon: cannot read --policy-document file://${missing}: no such file\n`);
      expect(endpoint.requests).toEqual([]);
    });

    it('should print the reply when get-user-policy succeeds', async () => {
      const reply = { UserName: 'alice', PolicyName: 'p1', PolicyDocument: doc };
      endpoint.answers.push({ status: 200, body: reply });
      const code = await run(
        ['admin', 'get-user-policy', '--user-name', 'alice', '--policy-name', 'p1', ...connect()],
        io,
      );
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual(reply);
      const [req] = endpoint.requests;
      expect(req!.headers['x-amz-target']).toBe('SymbolonAdmin.GetUserPolicy');
      expect(JSON.parse(req!.body)).toEqual({ UserName: 'alice', PolicyName: 'p1' });
    });

    it('should send the user when list-user-policies and delete-user-policy are run', async () => {
      endpoint.answers.push({ status: 200, body: { PolicyNames: ['p1'], IsTruncated: false } });
      endpoint.answers.push({ status: 200, body: {} });
      expect(
        await run(
          [
            'admin',
            'list-user-policies',
            '--account-id',
            '111122223333',
            '--user-name',
            'alice',
            ...connect(),
          ],
          io,
        ),
      ).toBe(0);
      expect(JSON.parse(out)).toEqual({ PolicyNames: ['p1'], IsTruncated: false });
      expect(
        await run(
          ['admin', 'delete-user-policy', '--user-name', 'alice', '--policy-name', 'p1', ...connect()],
          io,
        ),
      ).toBe(0);
      const [list, del] = endpoint.requests;
      expect(list!.headers['x-amz-target']).toBe('SymbolonAdmin.ListUserPolicies');
      expect(JSON.parse(list!.body)).toEqual({ AccountId: '111122223333', UserName: 'alice' });
      expect(del!.headers['x-amz-target']).toBe('SymbolonAdmin.DeleteUserPolicy');
      expect(JSON.parse(del!.body)).toEqual({ UserName: 'alice', PolicyName: 'p1' });
    });

    it('should send AttachDefaultPolicy false as a JSON boolean when create-user is given --no-default-policy', async () => {
      endpoint.answers.push({ status: 200, body: { User: { UserName: 'bob' } } });
      const code = await run(
        ['admin', 'create-user', '--user-name', 'bob', '--no-default-policy', ...connect()],
        io,
      );
      expect(code).toBe(0);
      expect(JSON.parse(endpoint.requests[0]!.body)).toStrictEqual({
        UserName: 'bob',
        AttachDefaultPolicy: false,
      });
    });
  });
});

describe('readFileFields', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'symbolon-cli-files-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should key each file text by its request field when the files are readable', () => {
    writeFileSync(join(dir, 'a.json'), '{"a":1}');
    expect(
      readFileFields([{ field: 'PolicyDocument', option: 'policy-document', path: join(dir, 'a.json') }]),
    ).toEqual({ PolicyDocument: '{"a":1}' });
    expect(readFileFields([])).toEqual({});
  });

  it('should throw a FileFieldError naming the option, path and cause when the path cannot be read', () => {
    mkdirSync(join(dir, 'sub'));
    const cases: [string, string][] = [
      [join(dir, 'missing.json'), 'no such file'],
      [join(dir, 'sub'), 'it is a directory'],
    ];
    for (const [path, cause] of cases) {
      const read = () => readFileFields([{ field: 'PolicyDocument', option: 'policy-document', path }]);
      expect(read).toThrow(FileFieldError);
      expect(read).toThrow(`cannot read --policy-document file://${path}: ${cause}`);
    }
  });
});
