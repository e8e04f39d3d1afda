import { startGraphQLServer } from '../../src/api/graphql-server';
import { RateLimiter } from '../../src/api/rate-limiter';
import { loadConfig } from '../../src/config/config';
import { createServices } from '../../src/services/service-container';
import { postGraphQL } from '../support/graphql-client';
import { createScratchDatabase } from '../support/test-database';

describe('RateLimiter', () => {
  it('allows a burst of perMinute, then refills at perMinute a minute', () => {
    let now = 0;
    const limiter = new RateLimiter(60, 10, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('a').allowed).toBe(true);
    const refused = limiter.take('a');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('b').allowed).toBe(true); // keys are independent
    now += 1000; // one request a second
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });
});

describe('rate limit over HTTP', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a caller exceeds the limit', async () => {
    const scratch = await createScratchDatabase('pglite');
    const server = await startGraphQLServer({ ...loadConfig({}), port: 0, environment: 'production', rateLimitPerMinute: 3 }, createServices(scratch.db));
    try {
      for (let i = 0; i < 3; i++) expect((await postGraphQL(server.url, '{ viewer { role } }')).status).toBe(200);
      const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ viewer { role } }"}' });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('RATE_LIMITED');
    } finally {
      await server.stop();
      await scratch.drop();
    }
  });
});
