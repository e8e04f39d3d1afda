import { accumulateCovariances } from '../../src/engine/covariance.runner';
import { packWindows, splitIntoWindows } from '../../src/engine/sequence-windows';
import { randomTokens, relErr, tinyEngine } from './engine-fixtures';

describe('K-FAC covariance accumulation', () => {
  const seqs = [
    { tokens: randomTokens(20, 256, 91), scoreFrom: 0 },
    { tokens: randomTokens(6, 256, 92), scoreFrom: 0 },
    { tokens: randomTokens(11, 256, 93), scoreFrom: 0 },
  ];
  const tracked = ['h.0.mlp.c_fc', 'h.1.mlp.c_proj'];

  it('with data labels, batch-wise sums equal the covariance head on all windows at once', async () => {
    const { engine, config } = tinyEngine('float64');
    const sums = await accumulateCovariances(engine, seqs, { tracked, batchSize: 2, labels: 'data' });
    const windows = seqs.flatMap((s, i) => splitIntoWindows(s, config.nPositions, i));
    const all = await engine.run({ labels: 'data', tracked, covariance: true }, packWindows(windows, config.nPositions));
    expect(sums.tokens).toBe(20 + 1 + 6 + 11); // the token shared by the two windows of the first sequence counts twice
    for (const l of tracked) {
      expect(relErr(sums.layers.get(l)!.A, all[`A.${l}`]!.data as Float64Array)).toBeLessThan(1e-12);
      expect(relErr(sums.layers.get(l)!.S, all[`S.${l}`]!.data as Float64Array)).toBeLessThan(1e-10);
    }
    expect(sums.layers.get('h.0.mlp.c_fc')!.inFeatures).toBe(config.nEmbd);
    // A's corner (ones column) counts tokens
    const A = sums.layers.get('h.0.mlp.c_fc')!.A;
    expect(A[A.length - 1]).toBe(sums.tokens);
  });

  it('with sampled labels, S is reproducible from the seed and differs from the data-label S', async () => {
    const { engine } = tinyEngine('float64');
    const a = await accumulateCovariances(engine, seqs, { tracked, batchSize: 2, seed: 5 });
    const b = await accumulateCovariances(engine, seqs, { tracked, batchSize: 2, seed: 5 });
    const c = await accumulateCovariances(engine, seqs, { tracked, batchSize: 2, seed: 6 });
    const d = await accumulateCovariances(engine, seqs, { tracked, batchSize: 2, labels: 'data' });
    for (const l of tracked) {
      expect(a.layers.get(l)!.S).toEqual(b.layers.get(l)!.S);
      expect(relErr(a.layers.get(l)!.S, c.layers.get(l)!.S)).toBeGreaterThan(1e-3);
      expect(relErr(a.layers.get(l)!.S, d.layers.get(l)!.S)).toBeGreaterThan(1e-3);
      // A does not depend on labels
      expect(relErr(a.layers.get(l)!.A, d.layers.get(l)!.A)).toBeLessThan(1e-12);
    }
  });
});
