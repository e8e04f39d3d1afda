import { applyMigrations } from '../../src/db/migration-runner';
import { InvalidInputError, NotFoundError } from '../../src/errors/tracebase.error';
import { createServices, type Services } from '../../src/services/service-container';
import { createScratchDatabase, type ScratchDatabase } from '../support/test-database';

// The analyses' arguments are checked before anything is looked up, and each refusal says what
// was given and what is allowed.
describe('InfluenceAnalysisService argument checks', () => {
  let scratch: ScratchDatabase;
  let services: Services;

  beforeAll(async () => {
    scratch = await createScratchDatabase('pglite');
    await applyMigrations(scratch.db.sql);
    services = createServices(scratch.db);
  });
  afterAll(() => scratch.drop());

  const names = { factorSet: 'f', space: 's' };

  it.each([
    [[], /ks must be one or more/],
    [[-1, 0], /ks must be integers from 1 to 10000, got -1/],
    [[5, 100_000], /ks must be integers from 1 to 10000, got 100000/],
    [[1.5], /ks must be integers from 1 to 10000, got 1\.5/],
  ])('refuses ks %j with BAD_USER_INPUT naming the bad cut-off', async (ks, message) => {
    const refusal = services.influenceAnalysis.sourceOverRepresentation({ queryIds: [1], ...names, ks, sign: 'POSITIVE' });
    await expect(refusal).rejects.toThrow(InvalidInputError);
    await expect(refusal).rejects.toThrow(message);
    await expect(refusal).rejects.not.toThrow(/Infinity|\[1, 0\]/);
  });

  it('refuses more cut-offs than it reports', async () => {
    const ks = Array.from({ length: 101 }, (_, i) => i + 1);
    await expect(services.influenceAnalysis.sourceOverRepresentation({ queryIds: [1], ...names, ks, sign: 'POSITIVE' })).rejects.toThrow(
      /at most 100 cut-offs, got 101/,
    );
  });

  it.each([
    ['influenceCorrelation', (s: Services) => s.influenceAnalysis.influenceCorrelation({ queryIds: [], ...names, method: 'pearson' })],
    ['answerInTopK', (s: Services) => s.influenceAnalysis.answerInTopK({ queryIds: [], ...names, k: 5 })],
    ['sourceOverRepresentation', (s: Services) => s.influenceAnalysis.sourceOverRepresentation({ queryIds: [], ...names, ks: [5], sign: 'POSITIVE' })],
    ['influenceLayerTotals', (s: Services) => s.influenceAnalysis.influenceLayerTotals({ queryIds: [], ...names, method: 'PROJECTED' })],
    ['influenceDistribution', (s: Services) => s.influenceAnalysis.influenceDistribution({ queryIds: [], ...names })],
  ])('%s refuses an empty queryIds with BAD_USER_INPUT, not NOT_FOUND', async (_name, call) => {
    const refusal = call(services);
    await expect(refusal).rejects.toThrow(InvalidInputError);
    await expect(refusal).rejects.toThrow(/queryIds: give 1 to \d+ queries, got 0/);
  });

  it('names the queries that do not exist', async () => {
    const refusal = services.influenceAnalysis.influenceCorrelation({ queryIds: [987_654, 987_655], ...names, method: 'pearson' });
    await expect(refusal).rejects.toThrow(NotFoundError);
    await expect(refusal).rejects.toThrow(/no influence queries 987654, 987655/);
  });
});
