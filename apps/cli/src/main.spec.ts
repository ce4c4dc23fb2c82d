import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

  describe('key and audit commands', () => {
    const connect = () => ['--endpoint', endpoint.url, '--credentials', creds];
    const sent = () =>
      endpoint.requests.map((r) => ({
        target: r.headers['x-amz-target'],
        body: JSON.parse(r.body) as unknown,
      }));
    const event = (n: number) => ({ EventId: `req-${n}`, EventTime: 1718006400 + n, Operation: 'Encrypt' });

    it('should send Symbolon.GetKeyUsage and print the reply when key usage runs', async () => {
      const reply = {
        KeyId: 'arn:aws:kms:eu-west-1:1:key/k1',
        KeyVersions: [{ KeyVersion: 1, Encryptions: 3 }],
      };
      endpoint.answers.push({ status: 200, body: reply });
      const code = await run(['key', 'usage', '--key-id', 'k1', ...connect()], io);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual(reply);
      expect(sent()).toEqual([{ target: 'Symbolon.GetKeyUsage', body: { KeyId: 'k1' } }]);
      expect(endpoint.requests[0]!.headers['authorization']).toMatch(/\/eu-west-1\/kms\/aws4_request/);
    });

    it('should send times and the limit as JSON numbers when audit list is given them as text', async () => {
      const reply = { Events: [event(1)], Truncated: true, NextMarker: 'm-2' };
      endpoint.answers.push({ status: 200, body: reply });
      const code = await run(
        [
          'audit',
          'list',
          '--key-id',
          'k1',
          '--operation',
          'Encrypt',
          '--start-time',
          '2024-06-10T10:00:00+02:00',
          '--end-time',
          '1718020800.5',
          '--limit',
          '2',
          '--marker',
          'm-1',
          ...connect(),
        ],
        io,
      );
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual(reply);
      expect(endpoint.requests[0]!.body).toBe(
        '{"KeyId":"k1","Operation":"Encrypt","StartTime":1718006400,"EndTime":1718020800.5,"Limit":2,"Marker":"m-1"}',
      );
      expect(sent()[0]!.target).toBe('Symbolon.ListAuditEvents');
    });

    it('should print the error on stderr and exit 1 when audit list is refused', async () => {
      const refusal = { __type: 'AccessDeniedException', message: 'not allowed' };
      endpoint.answers.push({ status: 400, body: refusal });
      expect(await run(['audit', 'list', ...connect()], io)).toBe(1);
      expect(out).toBe('');
      expect(JSON.parse(err)).toEqual(refusal);
      expect(sent()).toEqual([{ target: 'Symbolon.ListAuditEvents', body: {} }]);
    });

    it('should refuse with exit 2 before sending when a time or the limit is not valid', async () => {
      const cases: [string[], string][] = [
        [['audit', 'list', '--start-time', '2024-06-10T08:00:00'], '--start-time takes ISO 8601'],
        [['audit', 'list', '--end-time', 'tomorrow'], '--end-time takes ISO 8601'],
        [['audit', 'list', '--limit', 'ten'], '--limit takes a whole number of at least 1, not ten'],
        [
          ['audit', 'export', '--out', join(dir, 'never.jsonl'), '--start-time', '2024-02-30'],
          '--start-time takes ISO 8601',
        ],
      ];
      for (const [argv, message] of cases) {
        err = '';
        expect(await run([...argv, ...connect()], io)).toBe(2);
        expect(err).toContain(message);
        expect(err).toContain('usage: symbolon');
      }
      expect(out).toBe('');
      expect(endpoint.requests).toEqual([]);
      expect(existsSync(join(dir, 'never.jsonl'))).toBe(false);
    });

    it('should follow NextMarker and write every event as a JSON line to a 0600 file when audit export runs', async () => {
      const file = join(dir, 'events.jsonl');
      endpoint.answers.push({
        status: 200,
        body: { Events: [event(1), event(2)], Truncated: true, NextMarker: 'm-2' },
      });
      endpoint.answers.push({ status: 200, body: { Events: [event(3)], Truncated: false } });
      const code = await run(
        [
          'audit',
          'export',
          '--key-id',
          'k1',
          '--operation',
          'Encrypt',
          '--start-time',
          '2024-06-10',
          '--end-time',
          '2024-06-11T00:00:00Z',
          '--out',
          file,
          ...connect(),
        ],
        io,
      );
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual({ Count: 3, Out: file });
      const filters = { KeyId: 'k1', Operation: 'Encrypt', StartTime: 1717977600, EndTime: 1718064000 };
      expect(sent()).toEqual([
        { target: 'Symbolon.ListAuditEvents', body: { ...filters, Limit: 1000 } },
        { target: 'Symbolon.ListAuditEvents', body: { ...filters, Limit: 1000, Marker: 'm-2' } },
      ]);
      expect(readFileSync(file, 'utf8')).toBe(
        `${JSON.stringify(event(1))}\n${JSON.stringify(event(2))}\n${JSON.stringify(event(3))}\n`,
      );
      expect(statSync(file).mode & 0o777).toBe(0o600);
    });

    it('should write an empty file and print a count of 0 when there are no events', async () => {
      const file = join(dir, 'none.jsonl');
      endpoint.answers.push({ status: 200, body: { Events: [], Truncated: false } });
      expect(await run(['audit', 'export', '--out', file, ...connect()], io)).toBe(0);
      expect(JSON.parse(out)).toEqual({ Count: 0, Out: file });
      expect(sent()).toEqual([{ target: 'Symbolon.ListAuditEvents', body: { Limit: 1000 } }]);
      expect(readFileSync(file, 'utf8')).toBe('');
    });

    it('should exit 2 without sending or touching the file when the --out file already exists', async () => {
      const file = join(dir, 'existing.jsonl');
      writeFileSync(file, 'keep me\n', { mode: 0o644 });
      expect(await run(['audit', 'export', '--out', file, ...connect()], io)).toBe(2);
      expect(err).toBe(`symbolon: cannot create --out ${file}: it already exists (not overwriting)\n`);
      expect(out).toBe('');
      expect(endpoint.requests).toEqual([]);
      expect(readFileSync(file, 'utf8')).toBe('keep me\n');
      expect(statSync(file).mode & 0o777).toBe(0o644);
    });

    it('should exit 2 without sending when the --out folder does not exist', async () => {
      const file = join(dir, 'missing', 'events.jsonl');
      expect(await run(['audit', 'export', '--out', file, ...connect()], io)).toBe(2);
      expect(err).toBe(`symbolon: cannot create --out ${file}: no such file\n`);
      expect(endpoint.requests).toEqual([]);
    });

    it('should remove the partial file and exit 1 when a later page is refused', async () => {
      const file = join(dir, 'partial.jsonl');
      const refusal = { __type: 'ThrottlingException', message: 'slow down' };
      endpoint.answers.push({
        status: 200,
        body: { Events: [event(1)], Truncated: true, NextMarker: 'm-2' },
      });
      endpoint.answers.push({ status: 400, body: refusal });
      expect(await run(['audit', 'export', '--out', file, ...connect()], io)).toBe(1);
      expect(out).toBe('');
      expect(JSON.parse(err)).toEqual(refusal);
      expect(endpoint.requests).toHaveLength(2);
      expect(existsSync(file)).toBe(false);
    });

    it('should stop with an InvalidResponse and no file when a truncated page gives no new NextMarker', async () => {
      const file = join(dir, 'loop.jsonl');
      endpoint.answers.push({
        status: 200,
        body: { Events: [event(1)], Truncated: true, NextMarker: 'm-2' },
      });
      endpoint.answers.push({
        status: 200,
        body: { Events: [event(2)], Truncated: true, NextMarker: 'm-2' },
      });
      expect(await run(['audit', 'export', '--out', file, ...connect()], io)).toBe(1);
      expect(JSON.parse(err)).toEqual({
        __type: 'InvalidResponse',
        message: 'a ListAuditEvents page is truncated without a new NextMarker',
      });
      expect(endpoint.requests).toHaveLength(2);
      expect(existsSync(file)).toBe(false);
    });

    it('should stop with an InvalidResponse and no file when a page has no Events list', async () => {
      const file = join(dir, 'odd.jsonl');
      endpoint.answers.push({ status: 200, body: { Truncated: false } });
      expect(await run(['audit', 'export', '--out', file, ...connect()], io)).toBe(1);
      expect(JSON.parse(err)).toEqual({
        __type: 'InvalidResponse',
        message: 'a ListAuditEvents page has no Events list',
      });
      expect(existsSync(file)).toBe(false);
    });
  });
});

describe('run for commands made of steps', () => {
  let dir: string;
  let creds: string;
  let endpoint: Endpoint;
  let out: string;
  let err: string;
  const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };

  beforeEach(async () => {
    out = '';
    err = '';
    dir = mkdtempSync(join(tmpdir(), 'symbolon-cli-steps-'));
    creds = join(dir, 'credentials.json');
    writeFileSync(
      creds,
      JSON.stringify({
        accessKeyId: 'AKIACLITEST000000000',
        secretAccessKey: 'cli-secret',
        region: 'eu-west-1',
        accountId: '123456789012',
      }),
    );
    endpoint = new Endpoint();
    await endpoint.start();
  });

  afterEach(async () => {
    await endpoint.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should send a signed Symbolon request when key signing-key runs', async () => {
    const publicKey = 'MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=';
    endpoint.answers.push({ status: 200, body: { PublicKey: publicKey } });
    const code = await run(['key', 'signing-key', '--endpoint', endpoint.url, '--credentials', creds], io);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      PublicKey: publicKey,
      Fingerprint: 'SHA256:BuP9j9opu2CrWVV95h7bCuzbIxE0vjDnW0Vfjht5L6k',
      SigningKeys: [],
    });
    const [req] = endpoint.requests;
    expect(req!.headers['x-amz-target']).toBe('Symbolon.GetSigningPublicKey');
    expect(req!.headers['authorization']).toMatch(/Credential=AKIACLITEST000000000\/\d{8}\/eu-west-1\/kms\//);
    expect(JSON.parse(req!.body)).toEqual({});
  });

  it('should name the credentials account in the header when audit export-chain runs', async () => {
    const link = { s: 1, p: '0'.repeat(64), h: 'a'.repeat(64) };
    endpoint.answers.push({ status: 200, body: { Links: [link], Digests: [], HeadSequence: 1 } });
    const file = join(dir, 'chain.jsonl');
    const code = await run(
      ['audit', 'export-chain', '--out', file, '--endpoint', endpoint.url, '--credentials', creds],
      io,
    );
    expect(code).toBe(0);
    expect(endpoint.requests[0]!.headers['x-amz-target']).toBe('Symbolon.ExportAuditChain');
    expect(JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!)).toMatchObject({
      tenantId: '123456789012',
      keyArn: null,
      fromSequence: 1,
      toSequence: 1,
    });
  });

  it('should run an offline command without an endpoint and refuse one when it is given', async () => {
    const receipt = join(dir, 'missing.json');
    expect(await run(['key', 'verify-shred', '--receipt', receipt], io)).toBe(2);
    expect(err).toBe(`symbolon: cannot read --receipt ${receipt}: no such file\n`);
    err = '';
    expect(await run(['audit', 'verify', '--in', receipt, '--endpoint', endpoint.url], io)).toBe(2);
    expect(err).toContain('audit verify works offline: it takes no --endpoint');
    expect(err).toContain('usage: symbolon');
    expect(endpoint.requests).toEqual([]);
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
