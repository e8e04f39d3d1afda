import { GradientEngine, defaultEngineSettings } from '../../src/engine/gradient.engine';
import { headKey } from '../../src/engine/gradient-head.definition';
import { HostTensor } from '../../src/onnx/ort.runner';
import { Mulberry32 } from '../../src/math/seeded-random';
import { packWindows, scoresByToken, splitIntoWindows, sumBySequence } from '../../src/engine/sequence-windows';
import { randomTokens, relErr, tinyEngine } from './engine-fixtures';
import { gpt2Family } from '../../src/model-families/gpt2';

describe('long documents across windows', () => {
  it('summing a document’s projected windows gives P·G·Rᵀ of its whole-document gradient', async () => {
    const { engine, config } = tinyEngine('float64');
    const doc = randomTokens(30, 256, 51); // 3 windows of ≤ 16 tokens
    const other = randomTokens(9, 256, 52);
    const windows = [
      ...splitIntoWindows({ tokens: doc, scoreFrom: 0 }, config.nPositions, 0),
      ...splitIntoWindows({ tokens: other, scoreFrom: 0 }, config.nPositions, 1),
    ];
    expect(windows.map((w) => w.sequence)).toEqual([0, 0, 1]);
    const batch = packWindows(windows, config.nPositions);
    const layer = 'h.1.mlp.c_fc';
    const [i, o] = [config.nEmbd, config.nInner];
    const rng = new Mulberry32(9);
    const P: HostTensor = { dtype: 'float64', dims: [2, o], data: Float64Array.from({ length: 2 * o }, () => rng.normal()) };
    const R: HostTensor = { dtype: 'float64', dims: [3, i + 1], data: Float64Array.from({ length: 3 * (i + 1) }, () => rng.normal()) };
    const out = await engine.run({ labels: 'data', tracked: [layer], projection: { ranks: { [layer]: [2, 3] } } }, batch, {
      [`P.${layer}`]: P,
      [`R.${layer}`]: R,
    });
    const perDoc = sumBySequence(out[`proj.${layer}`]!.data as Float64Array, windows);
    // whole-document gradient from the windows of doc 0 only
    const g = await engine.run({ labels: 'data', trackedGradients: true, tracked: [layer] }, packWindows(windows.slice(0, 2), config.nPositions));
    const W = g[`grad.${layer}.weight`]!.data as Float64Array; // [i, o]
    const bias = g[`grad.${layer}.bias`]!.data as Float64Array;
    const G = (r: number, c: number) => (c < i ? W[c * o + r]! : bias[r]!);
    const want = new Float64Array(6);
    for (let a = 0; a < 2; a++)
      for (let b = 0; b < 3; b++) {
        let s = 0;
        for (let r = 0; r < o; r++) for (let c = 0; c <= i; c++) s += (P.data[a * o + r] as number) * G(r, c) * (R.data[b * (i + 1) + c] as number);
        want[a * 3 + b] = s;
      }
    expect(relErr(perDoc.get(0)!, want)).toBeLessThan(1e-10);
  });
});

describe('token-wise influence across windows', () => {
  it('token scores of a multi-window document sum to ⟨M, G_doc⟩, and the window boundary token gets both terms', async () => {
    const { engine, config } = tinyEngine('float64');
    const doc = randomTokens(25, 256, 53); // windows [0,16) and [15,25)
    const windows = splitIntoWindows({ tokens: doc, scoreFrom: 0 }, config.nPositions, 0);
    const batch = packWindows(windows, config.nPositions);
    const layer = 'h.0.mlp.c_proj';
    const [i, o] = [config.nInner, config.nEmbd];
    const rng = new Mulberry32(10);
    const M: HostTensor = { dtype: 'float64', dims: [1, o, i + 1], data: Float64Array.from({ length: o * (i + 1) }, () => rng.normal()) };
    const out = await engine.run({ labels: 'data', tracked: [layer], trackedGradients: true, influence: { queries: 1 } }, batch, { [`M.${layer}`]: M });
    const tau = out[`tau.${layer}`]!;
    const perToken = scoresByToken(tau.data as Float64Array, tau.dims, windows, new Map([[0, 25]])).get(0)!;
    expect(perToken.length).toBe(25);
    const W = out[`grad.${layer}.weight`]!.data as Float64Array;
    const bias = out[`grad.${layer}.bias`]!.data as Float64Array;
    let inner = 0;
    for (let r = 0; r < o; r++) for (let c = 0; c <= i; c++) inner += (M.data[r * (i + 1) + c] as number) * (c < i ? W[c * o + r]! : bias[r]!);
    expect(Math.abs(perToken.reduce((a, b) => a + b, 0) - inner)).toBeLessThan(1e-9 * Math.max(1, Math.abs(inner)));
    const td = tau.data as Float64Array;
    expect(perToken[15]).toBeCloseTo(td[15]! + td[16 + 0]!, 12);
  });
});

describe('weights embedded in the graph', () => {
  it('give the same log-probs and gradients as weights fed as inputs', async () => {
    const { engine, weights, config } = tinyEngine('float64');
    const embedded = new GradientEngine(
      { family: gpt2Family, config, weights: { tensors: weights, fileNames: new Map() }, hash: 'tiny-3' },
      defaultEngineSettings({ dtype: 'float64', intraOpThreads: 1, weights: 'graph' }),
    );
    const batch = packWindows(splitIntoWindows({ tokens: randomTokens(12, 256, 81), scoreFrom: 2 }, 16), 12);
    const a = await engine.run({ labels: 'data', allGradients: true }, batch);
    const b = await embedded.run({ labels: 'data', allGradients: true }, batch);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect(relErr(b[k]!.data as Float64Array, a[k]!.data as Float64Array)).toBeLessThan(1e-12);
  });
});

describe('session cache', () => {
  it('compiles once per (model, head, shape) and reuses the session', async () => {
    const { engine } = tinyEngine('float32');
    const a = packWindows(splitIntoWindows({ tokens: randomTokens(8, 256, 1), scoreFrom: 0 }, 16), 8);
    const b = packWindows(splitIntoWindows({ tokens: randomTokens(8, 256, 2), scoreFrom: 0 }, 16), 8);
    const c = packWindows(splitIntoWindows({ tokens: randomTokens(5, 256, 3), scoreFrom: 0 }, 16), 5);
    const r1 = await engine.run({ labels: 'data' }, a);
    expect(engine.cache.size).toBe(1);
    const r2 = await engine.run({ labels: 'data' }, b);
    expect(engine.cache.size).toBe(1);
    expect(r2.logp!.data).not.toEqual(r1.logp!.data);
    await engine.run({ labels: 'data' }, c);
    expect(engine.cache.size).toBe(2);
    await engine.run({ labels: 'data', trackedGradients: true }, a);
    expect(engine.cache.size).toBe(3);
    await engine.cache.clear();
    expect(engine.cache.size).toBe(0);
  });
});

describe('head keys', () => {
  it('differ whenever any nested option differs and ignore key order', () => {
    expect(headKey({ labels: 'data', influence: { queries: 2 } })).not.toBe(headKey({ labels: 'data', influence: { queries: 2, rank: 3 } }));
    expect(headKey({ labels: 'data', projection: { ranks: { a: [1, 2] } } })).not.toBe(headKey({ labels: 'data', projection: { ranks: { a: [2, 2] } } }));
    expect(headKey({ labels: 'data', tracked: ['x'] })).not.toBe(headKey({ labels: 'data', tracked: ['y'] }));
    expect(headKey({ covariance: true, labels: 'data' })).toBe(headKey({ labels: 'data', covariance: true }));
  });
});
