/**
 * Token-bucket rate limiter: each key (an API token, or the client address for anonymous
 * requests) may make `perMinute` requests a minute, in bursts of at most `perMinute`. Memory is
 * bounded: idle buckets are dropped once `maxKeys` is reached.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request from `key`'s bucket; returns the seconds to wait when it is empty. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const t = this.now();
    const rate = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: t };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (t - bucket.at) * rate);
    bucket.at = t;
    if (this.buckets.size >= this.maxKeys && !this.buckets.has(key)) {
      for (const [k, b] of this.buckets) if (b.tokens + (t - b.at) * rate >= this.perMinute) this.buckets.delete(k);
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / rate / 1000) };
  }
}
