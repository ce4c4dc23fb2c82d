import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { run } from './main.js';

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
});
