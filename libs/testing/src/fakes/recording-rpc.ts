/** A stand-in for RpcClient: records every request and answers from per-subject handlers. No NATS. */
export interface RecordedCall {
  subject: string;
  payload: Record<string, unknown>;
  timeoutMs?: number;
}

export type RpcHandler = (payload: Record<string, unknown>) => unknown;

export class RecordingRpc {
  readonly calls: RecordedCall[] = [];
  private readonly handlers = new Map<string, RpcHandler>();

  /** Answers `subject` with the handler's result (or throws what it throws). Replaces an earlier handler. */
  on(subject: string, handler: RpcHandler): this {
    this.handlers.set(subject, handler);
    return this;
  }

  /** Answers `subject` with a copy of `reply`. */
  reply(subject: string, reply: unknown): this {
    return this.on(subject, () => structuredClone(reply));
  }

  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  async send<TReply>(subject: string, payload: object, timeoutMs?: number): Promise<TReply> {
    const copy = structuredClone(payload) as Record<string, unknown>;
    this.calls.push({ subject, payload: copy, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    const handler = this.handlers.get(subject);
    if (!handler) throw new Error(`RecordingRpc: no reply set up for ${subject}`);
    return (await handler(copy)) as TReply;
  }

  /** The calls made to one subject, in order. */
  to(subject: string): RecordedCall[] {
    return this.calls.filter((c) => c.subject === subject);
  }
}
