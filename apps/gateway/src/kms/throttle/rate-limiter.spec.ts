import { loadConfig } from '@symbolon/platform';

import { gatewayEnv } from '../../config.js';
import { CRYPTOGRAPHIC_OPERATIONS, CRYPTOGRAPHIC_QUOTA, RateLimiter } from './rate-limiter.js';

const A = '111122223333';
const B = '444455556666';

/** A clock the test moves by hand (milliseconds). */
class ManualClock {
  t = 1_000_000;
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

function limiter(cryptoRps: number, otherRps: number, clock = new ManualClock()) {
  return { clock, limiter: new RateLimiter({ cryptoRps, otherRps, now: clock.now }) };
}

/** How many of n back-to-back requests (no time passing) are allowed. */
function allowedOf(l: RateLimiter, account: string, operation: string, n: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i++) if (l.take(account, operation).allowed) allowed++;
  return allowed;
}

describe('RateLimiter', () => {
  describe('burst', () => {
    it("should serve one second's worth at once and refuse the next when a bucket is new", () => {
      const { limiter: l } = limiter(20, 5);
      expect(allowedOf(l, A, 'Encrypt', 20)).toBe(20);
      expect(l.take(A, 'Encrypt')).toEqual({ allowed: false, quota: CRYPTOGRAPHIC_QUOTA, retryAfterMs: 50 });
    });

    it('should never hold more than the burst when the bucket idles for a long time', () => {
      const { clock, limiter: l } = limiter(20, 5);
      allowedOf(l, A, 'Encrypt', 20);
      clock.advance(60_000);
      expect(allowedOf(l, A, 'Encrypt', 100)).toBe(20);
    });

    it('should never hold more than the burst when a kept bucket idled longer than a second between sweeps', () => {
      const { clock, limiter: l } = limiter(10, 10);
      clock.advance(1000);
      l.take(B, 'Encrypt'); // a sweep at t+1000
      clock.advance(100);
      expect(allowedOf(l, A, 'Encrypt', 10)).toBe(10); // A drained at t+1100
      clock.advance(900);
      l.take(B, 'Encrypt'); // the next sweep at t+2000 keeps A (idle 900 ms)
      clock.advance(950); // t+2950: no sweep due; A idle 1850 ms would hold 18.5 tokens uncapped
      expect(l.size()).toBe(2);
      expect(allowedOf(l, A, 'Encrypt', 100)).toBe(10);
    });

    it('should serve one request at a time when the rate is below one per second', () => {
      const { clock, limiter: l } = limiter(0.5, 0.5);
      expect(allowedOf(l, A, 'CreateKey', 3)).toBe(1);
      expect(l.take(A, 'CreateKey').retryAfterMs).toBe(2000);
      clock.advance(1999);
      expect(l.take(A, 'CreateKey').allowed).toBe(false);
      clock.advance(1);
      expect(allowedOf(l, A, 'CreateKey', 3)).toBe(1);
    });
  });

  describe('refill', () => {
    it('should add tokens at the configured rate when time passes', () => {
      const { clock, limiter: l } = limiter(20, 5);
      allowedOf(l, A, 'Decrypt', 20);
      clock.advance(100); // 20/s: two tokens
      expect(allowedOf(l, A, 'Decrypt', 10)).toBe(2);
      clock.advance(49); // 0.98 of a token
      expect(l.take(A, 'Decrypt').allowed).toBe(false);
      clock.advance(1);
      expect(l.take(A, 'Decrypt').allowed).toBe(true);
    });

    it('should allow the configured rate and no more when requests keep coming', () => {
      const { clock, limiter: l } = limiter(20, 5);
      let allowed = 0;
      // 10 seconds of one request per millisecond (1000/s): the burst plus 20 per second.
      for (let ms = 0; ms < 10_000; ms++) {
        if (l.take(A, 'GenerateDataKey').allowed) allowed++;
        clock.advance(1);
      }
      expect(allowed).toBeGreaterThanOrEqual(20 + 199);
      expect(allowed).toBeLessThanOrEqual(20 + 200);
    });

    it('should report when the next token arrives when it refuses a request', () => {
      const { clock, limiter: l } = limiter(20, 4);
      allowedOf(l, A, 'DescribeKey', 4);
      expect(l.take(A, 'DescribeKey')).toEqual({ allowed: false, quota: 'DescribeKey', retryAfterMs: 250 });
      clock.advance(100);
      expect(l.take(A, 'DescribeKey').retryAfterMs).toBe(150);
    });
  });

  describe('quotas', () => {
    it('should share one bucket among the cryptographic operations when an account mixes them', () => {
      const { limiter: l } = limiter(8, 100);
      const ops = [...CRYPTOGRAPHIC_OPERATIONS];
      expect(ops).toHaveLength(8);
      for (const op of ops)
        expect(l.take(A, op)).toMatchObject({ allowed: true, quota: CRYPTOGRAPHIC_QUOTA });
      for (const op of ops) expect(l.take(A, op).allowed).toBe(false);
    });

    it('should count each other operation separately when an account mixes them', () => {
      const { limiter: l } = limiter(100, 3);
      expect(allowedOf(l, A, 'CreateKey', 5)).toBe(3);
      expect(allowedOf(l, A, 'CreateAlias', 5)).toBe(3);
      expect(allowedOf(l, A, 'DescribeKey', 5)).toBe(3);
      expect(allowedOf(l, A, 'Unknown', 5)).toBe(3);
    });

    it('should keep the cryptographic quota apart from the others when one of them is exhausted', () => {
      const { limiter: l } = limiter(2, 2);
      expect(allowedOf(l, A, 'Encrypt', 5)).toBe(2);
      expect(allowedOf(l, A, 'ListKeys', 5)).toBe(2);
      expect(l.take(A, 'Encrypt').allowed).toBe(false);
    });

    it('should name the quota an operation counts against when asked', () => {
      const { limiter: l } = limiter(10_000, 2000);
      expect(l.quotaFor('ReEncrypt')).toEqual({ quota: CRYPTOGRAPHIC_QUOTA, rps: 10_000 });
      expect(l.quotaFor('ScheduleKeyDeletion')).toEqual({ quota: 'ScheduleKeyDeletion', rps: 2000 });
    });
  });

  describe('tenants', () => {
    it("should leave another account's tokens untouched when one account floods", () => {
      const { limiter: l } = limiter(10, 10);
      expect(allowedOf(l, A, 'Encrypt', 1000)).toBe(10);
      expect(allowedOf(l, B, 'Encrypt', 10)).toBe(10);
      expect(l.take(B, 'Encrypt').allowed).toBe(false);
      expect(l.take(A, 'Encrypt').allowed).toBe(false);
    });

    it('should refill each account on its own when both have drained their buckets', () => {
      const { clock, limiter: l } = limiter(10, 10);
      allowedOf(l, A, 'Decrypt', 10);
      clock.advance(500);
      allowedOf(l, B, 'Decrypt', 10);
      clock.advance(500);
      expect(allowedOf(l, A, 'Decrypt', 20)).toBe(10);
      expect(allowedOf(l, B, 'Decrypt', 20)).toBe(5);
    });

    it('should not mistake one account for another when their ids share a prefix', () => {
      const { limiter: l } = limiter(1, 1);
      expect(l.take('11112222333', '3CreateKey').allowed).toBe(true);
      expect(l.take('111122223333', 'CreateKey').allowed).toBe(true);
    });
  });

  describe('idle eviction', () => {
    it('should drop buckets idle for a full refill period when a later request sweeps', () => {
      const { clock, limiter: l } = limiter(20, 5);
      for (let i = 0; i < 10_000; i++) l.take(String(100_000_000_000 + i), 'Encrypt');
      expect(l.size()).toBe(10_000);
      clock.advance(1000);
      l.take(A, 'Encrypt');
      expect(l.size()).toBe(1);
    });

    it('should keep a bucket that is still refilling when the sweep runs', () => {
      const { clock, limiter: l } = limiter(4, 4);
      allowedOf(l, A, 'Encrypt', 4);
      clock.advance(500);
      expect(allowedOf(l, A, 'Encrypt', 10)).toBe(2); // drained again at t+500: not full before t+1500
      clock.advance(500);
      l.take(B, 'Encrypt'); // the sweep at t+1000
      expect(l.size()).toBe(2);
      expect(allowedOf(l, A, 'Encrypt', 10)).toBe(2);
    });

    it('should answer as the kept bucket would have when an evicted account comes back', () => {
      const { clock, limiter: l } = limiter(5, 5);
      allowedOf(l, A, 'Encrypt', 5);
      clock.advance(1200); // a kept bucket would hold min(5, 1.2 s x 5/s) = 5 tokens
      l.take(B, 'Encrypt'); // sweeps A away
      expect(l.size()).toBe(1);
      expect(allowedOf(l, A, 'Encrypt', 10)).toBe(5);
    });

    it('should sweep at most once per refill period when requests keep coming', () => {
      const { clock, limiter: l } = limiter(20, 5);
      l.take(A, 'Encrypt');
      clock.advance(999);
      l.take(B, 'Encrypt');
      expect(l.size()).toBe(2);
      clock.advance(1);
      l.take(B, 'Encrypt'); // the first sweep: A was used 1000 ms ago
      expect(l.size()).toBe(1);
    });
  });

  describe('configuration', () => {
    it('rate limits must be positive numbers of requests per second', () => {
      for (const [cryptoRps, otherRps] of [
        [0, 5],
        [5, 0],
        [-1, 5],
        [Number.NaN, 5],
        [5, Number.POSITIVE_INFINITY],
      ] as const) {
        expect(() => new RateLimiter({ cryptoRps, otherRps })).toThrow(
          'rate limits must be positive numbers of requests per second',
        );
      }
    });

    it("should default to AWS KMS's symmetric cryptographic quota and largest per-operation quota when nothing is set", () => {
      const config = loadConfig(gatewayEnv, {});
      expect(config.SYMBOLON_RATE_LIMIT_CRYPTO_RPS).toBe(10_000);
      expect(config.SYMBOLON_RATE_LIMIT_OTHER_RPS).toBe(2000);
      const l = RateLimiter.fromConfig(config);
      expect(l.quotaFor('Encrypt').rps).toBe(10_000);
      expect(l.quotaFor('CreateKey').rps).toBe(2000);
    });

    it('should use the configured rates when SYMBOLON_RATE_LIMIT_* are set', () => {
      const config = loadConfig(gatewayEnv, {
        SYMBOLON_RATE_LIMIT_CRYPTO_RPS: '20',
        SYMBOLON_RATE_LIMIT_OTHER_RPS: '7.5',
      });
      const l = RateLimiter.fromConfig(config);
      expect(l.quotaFor('GenerateRandom').rps).toBe(20);
      expect(l.quotaFor('ListAliases').rps).toBe(7.5);
    });

    it('should refuse to start when a rate limit is not a number', () => {
      expect(() => loadConfig(gatewayEnv, { SYMBOLON_RATE_LIMIT_CRYPTO_RPS: 'lots' })).toThrow(
        /SYMBOLON_RATE_LIMIT_CRYPTO_RPS/,
      );
    });
  });
});
