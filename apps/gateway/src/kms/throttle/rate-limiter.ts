/**
 * Per-tenant request-rate limits (docs/adr/0007-request-rate-limits.md): one token bucket per account and quota.
 *
 * AWS KMS computes each request quota separately per account and Region: the cryptographic operations on symmetric
 * keys share one quota, every other operation has a quota of its own
 * (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html). So does this limiter: the bucket
 * key is (account, quota), never anything another tenant can spend.
 */
import type { GatewayConfig } from '../../config.js';

/**
 * The operations that share AWS's "Cryptographic operations (symmetric) request rate" quota. Every other operation
 * (including the name `Unknown` the handler uses for a target it does not serve) gets a bucket of its own.
 */
export const CRYPTOGRAPHIC_OPERATIONS: ReadonlySet<string> = new Set([
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'GenerateMac',
  'GenerateRandom',
  'ReEncrypt',
  'VerifyMac',
]);

/** The name of the shared quota of the cryptographic operations; other quotas are named after their operation. */
export const CRYPTOGRAPHIC_QUOTA = 'cryptographic-operations';

export interface RateLimiterOptions {
  /** Requests per second per account, shared by the CRYPTOGRAPHIC_OPERATIONS; also the burst. */
  cryptoRps: number;
  /** Requests per second per account for each other operation, separately; also the burst. */
  otherRps: number;
  /** Monotonic milliseconds; injected by tests. */
  now?: () => number;
}

/** Whether a request may go ahead; for a refused one, how long until its bucket holds a token again. */
export interface RateDecision {
  allowed: boolean;
  quota: string;
  retryAfterMs: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
}

/** Slack for the rounding of fractional tokens (a refill of 0.98 + 0.02 tokens is one token). */
const EPSILON = 1e-9;

/** One second's worth of requests, and at least one request (a rate below 1/s still serves one at a time). */
function capacityFor(rps: number): number {
  return Math.max(1, rps);
}

/* A failed precondition is a programming error in the caller (a bad configuration), not a client error: plain Error. */
function needs(condition: unknown, message: string): asserts condition {
  if (!condition) {
    throw new Error(message);
  }
}

/**
 * Token buckets keyed by (account, quota). A bucket holds at most one second's worth of tokens (the burst; at least
 * one) and refills continuously at the quota's rate; each request takes one token or is refused. A new bucket is full.
 *
 * Memory: a bucket idle long enough to have refilled completely is exactly as good as a new one, so it is dropped.
 * A sweep runs at most once per refill period, on the request path, and costs one pass over the live buckets; what
 * stays in memory is the buckets used in the last two refill periods (two seconds at rates of 1/s or more).
 */
export class RateLimiter {
  private readonly cryptoRps: number;
  private readonly otherRps: number;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();
  /** The longest time an emptied bucket takes to fill up again (capacity / rate, over every quota). */
  private readonly fullAfterMs: number;
  private lastSweep: number;

  constructor(options: RateLimiterOptions) {
    /* Precondition: rate limits must be positive numbers of requests per second. */
    needs(
      [options.cryptoRps, options.otherRps].every((r) => Number.isFinite(r) && r > 0),
      'rate limits must be positive numbers of requests per second',
    );
    this.cryptoRps = options.cryptoRps;
    this.otherRps = options.otherRps;
    this.now = options.now ?? (() => performance.now());
    this.fullAfterMs = Math.max(
      ...[this.cryptoRps, this.otherRps].map((rps) => (capacityFor(rps) * 1000) / rps),
    );
    this.lastSweep = this.now();
  }

  /** The limiter the gateway's configuration asks for. */
  static fromConfig(
    config: Pick<GatewayConfig, 'SYMBOLON_RATE_LIMIT_CRYPTO_RPS' | 'SYMBOLON_RATE_LIMIT_OTHER_RPS'>,
  ): RateLimiter {
    return new RateLimiter({
      cryptoRps: config.SYMBOLON_RATE_LIMIT_CRYPTO_RPS,
      otherRps: config.SYMBOLON_RATE_LIMIT_OTHER_RPS,
    });
  }

  /** The quota an operation counts against, and its rate (requests per second, also the burst). */
  quotaFor(operation: string): { quota: string; rps: number } {
    return CRYPTOGRAPHIC_OPERATIONS.has(operation)
      ? { quota: CRYPTOGRAPHIC_QUOTA, rps: this.cryptoRps }
      : { quota: operation, rps: this.otherRps };
  }

  /** Takes one token from the account's bucket for this operation's quota, if there is one. */
  take(accountId: string, operation: string): RateDecision {
    const now = this.now();
    if (now - this.lastSweep >= this.fullAfterMs) this.sweep(now);
    const { quota, rps } = this.quotaFor(operation);
    // Account ids are 12 digits and quota names are operation names: the separator occurs in neither.
    const key = `${accountId}\n${quota}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: capacityFor(rps), at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(capacityFor(rps), bucket.tokens + (Math.max(0, now - bucket.at) * rps) / 1000);
      bucket.at = now;
    }
    if (bucket.tokens >= 1 - EPSILON) {
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      return { allowed: true, quota, retryAfterMs: 0 };
    }
    return { allowed: false, quota, retryAfterMs: Math.ceil(((1 - bucket.tokens) * 1000) / rps - EPSILON) };
  }

  /** How many buckets are held (for tests and metrics). */
  size(): number {
    return this.buckets.size;
  }

  /** Drops every bucket that has been idle long enough to be full again. */
  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at >= this.fullAfterMs) this.buckets.delete(key);
    }
    this.lastSweep = now;
  }
}
