/**
 * A ledger of every request a test sent to the gateway and got an HTTP answer for, with the request id the gateway
 * answered with (x-amzn-requestid): the list the audit log must match one for one.
 *
 * SDK clients are counted by a middleware (attachLedger); hand-made requests (bad signatures, broken bodies) go
 * through rawKmsRequest, which records them the same way.
 */
import type { KMSClient } from '@aws-sdk/client-kms';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface LedgerEntry {
  /** The operation as the gateway names it in the audit record ('Unknown' for an unknown X-Amz-Target). */
  operation: string;
  requestId: string;
  httpStatus: number;
  /** 'ok', or the AWS error type (`__type`) of the answer. */
  outcome: string;
  /** KeyId of a successful answer (a key ARN), if any. */
  keyArn?: string;
}

export class RequestLedger {
  readonly entries: LedgerEntry[] = [];
  /** Requests that got no HTTP answer at all (a network error): must stay empty for the counts to mean anything. */
  readonly unanswered: string[] = [];

  record(e: LedgerEntry): void {
    this.entries.push(e);
  }

  get size(): number {
    return this.entries.length;
  }
}

interface SdkMetadata {
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** Records every answered call of `client` in `ledger`. */
export function attachLedger(client: KMSClient, ledger: RequestLedger): KMSClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      try {
        const result = await next(args);
        const output = result.output as SdkMetadata & { KeyId?: string };
        ledger.record({
          operation,
          requestId: output.$metadata?.requestId ?? '',
          httpStatus: output.$metadata?.httpStatusCode ?? 0,
          outcome: 'ok',
          ...(output.KeyId !== undefined ? { keyArn: output.KeyId } : {}),
        });
        return result;
      } catch (e) {
        const meta = (e as SdkMetadata).$metadata;
        if (meta?.httpStatusCode !== undefined) {
          ledger.record({
            operation,
            requestId: meta.requestId ?? '',
            httpStatus: meta.httpStatusCode,
            outcome: (e as Error).name,
          });
        } else {
          ledger.unanswered.push(operation);
        }
        throw e;
      }
    },
    { step: 'initialize', name: 'invariantsLedger', override: true },
  );
  return client;
}

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

export interface RawKmsRequest {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string; region: string };
  /** Full X-Amz-Target value, e.g. `TrentService.ListKeys`. */
  target: string;
  body: string;
  /** The operation name the audit record should carry, when not the one in `target` (an unknown target: 'Unknown'). */
  auditOperation?: string;
}

export interface RawKmsAnswer {
  status: number;
  requestId: string;
  type: string | undefined;
  json: Record<string, unknown> | undefined;
}

/** One SigV4-signed AWS JSON 1.1 POST, sent with fetch; the answer is recorded in `ledger`. */
export async function rawKmsRequest(req: RawKmsRequest, ledger: RequestLedger): Promise<RawKmsAnswer> {
  const url = new URL(req.endpoint);
  const unsigned = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': req.target },
    body: req.body,
  });
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: req.credentials.accessKeyId,
      secretAccessKey: req.credentials.secretAccessKey,
    },
    region: req.credentials.region,
    service: 'kms',
    sha256: Sha256,
  });
  const signed = await signer.sign(unsigned);
  const headers: Record<string, string> = { ...signed.headers };
  delete headers['host'];
  const res = await fetch(req.endpoint, { method: 'POST', headers, body: req.body });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  const type = typeof json?.['__type'] === 'string' ? json['__type'] : undefined;
  const requestId = res.headers.get('x-amzn-requestid') ?? '';
  const name = req.target.startsWith('TrentService.') ? req.target.slice('TrentService.'.length) : req.target;
  ledger.record({
    operation: req.auditOperation ?? name,
    requestId,
    httpStatus: res.status,
    outcome: res.ok ? 'ok' : (type ?? `HTTP ${res.status}`),
  });
  return { status: res.status, requestId, type, json };
}
