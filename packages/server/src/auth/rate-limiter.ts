/**
 * Token buckets per key: `ratePerSecond` sustained, `burst` at once. Per server instance, so a
 * deployment of N instances allows up to N times the rate behind a load balancer.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes a token for `key`; returns 0 when allowed, else the seconds to wait. */
  take(key: string, now: number = Date.now()): number {
    return this.check(key, now, true);
  }

  /** The seconds `key` would wait for a token, without taking one (0: it has one). */
  peek(key: string, now: number = Date.now()): number {
    return this.check(key, now, false);
  }

  private check(key: string, now: number, taking: boolean): number {
    if (!(this.ratePerSecond > 0)) return 0;
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond);
    bucket.at = now;
    if (this.buckets.size > 10_000) this.buckets.clear();
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      if (taking) bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.ratePerSecond);
  }
}
