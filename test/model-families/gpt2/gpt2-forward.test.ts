import { packWindows, splitIntoWindows } from '../../../src/engine/sequence-windows';
import { referenceLogProbs, toFloat64 } from '../../support/gpt2-reference';
import { randomTokens, tinyEngine } from '../../engine/engine-fixtures';

describe('GPT-2 forward graph vs a float64 TypeScript reference', () => {
  const seqA = randomTokens(11, 256, 1);
  const seqB = randomTokens(6, 256, 2);
  const batch = packWindows([...splitIntoWindows({ tokens: seqA, scoreFrom: 0 }, 16, 0), ...splitIntoWindows({ tokens: seqB, scoreFrom: 0 }, 16, 1)], 11);

  it.each(['float64', 'float32'] as const)('per-token log-probs of a right-padded batch match (%s)', async (dtype) => {
    const { engine, weights, config } = tinyEngine(dtype);
    const out = await engine.run({ labels: 'data' }, batch);
    const logp = out.logp!.data as Float64Array;
    const W = toFloat64(weights);
    // float64: onnxruntime's Gelu kernel is accurate to ≈1e-10, not to the last bit
    const tol = dtype === 'float64' ? 1e-8 : 2e-5;
    const refA = referenceLogProbs(config, W, seqA);
    const refB = referenceLogProbs(config, W, seqB);
    refA.forEach((v, j) => expect(Math.abs(logp[j]! - v)).toBeLessThan(tol));
    refB.forEach((v, j) => expect(Math.abs(logp[11 + j]! - v)).toBeLessThan(tol));
    const loss = (out.loss!.data as Float64Array)[0]!;
    const refLoss = -[...refA, ...refB].reduce((a, b) => a + b, 0);
    expect(Math.abs(loss - refLoss) / refLoss).toBeLessThan(dtype === 'float64' ? 1e-9 : 1e-5);
  });

  it('splits a long document into overlapping windows whose losses sum to the windowed reference', async () => {
    const { engine, weights, config } = tinyEngine('float64');
    const doc = randomTokens(40, 256, 9);
    const windows = splitIntoWindows({ tokens: doc, scoreFrom: 0 }, config.nPositions);
    expect(windows.map((w) => w.start)).toEqual([0, 15, 30]);
    // every token after the first is predicted exactly once
    expect(windows.reduce((s, w) => s + w.lossMask.reduce((a, b) => a + b, 0), 0)).toBe(39);
    const out = await engine.run({ labels: 'data' }, packWindows(windows, config.nPositions));
    const W = toFloat64(weights);
    const ref = windows.reduce((s, w) => s - referenceLogProbs(config, W, w.tokens).reduce((a, b) => a + b, 0), 0);
    expect(Math.abs((out.loss!.data as Float64Array)[0]! - ref) / ref).toBeLessThan(1e-9);
  });

  it('masks prompt tokens of a query out of the loss', () => {
    const w = splitIntoWindows({ tokens: [5, 6, 7, 8, 9], scoreFrom: 3 }, 16);
    expect(w).toEqual([{ sequence: 0, start: 0, tokens: [5, 6, 7, 8, 9], lossMask: [0, 0, 1, 1, 0] }]);
  });
});
