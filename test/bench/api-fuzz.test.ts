import { fuzzFreshServer } from '../../bench/api-fuzz/fuzz-server';

// A short seeded run of `npm run fuzz:api`: random and boundary arguments for every field with
// arguments, as literals and as variables; no request may answer 5xx and the server stays up.
describe('GraphQL API fuzz (seeded, short)', () => {
  it('answers every fuzzed request without a 5xx, and health throughout', async () => {
    const report = await fuzzFreshServer({ requests: 150, seed: 7, concurrency: 1 });
    expect(report.requests).toBe(150);
    expect(report.fields).toBeGreaterThan(20);
    expect(report.statuses['400']).toBeGreaterThan(0);
    expect(report.failures).toEqual([]);
    expect(report.serverErrors).toBe(0);
    expect(report.upThroughout).toBe(true);
  }, 180_000);
});
