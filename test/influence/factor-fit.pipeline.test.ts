import { packWindows, splitIntoWindows } from '../../src/engine/sequence-windows';
import { matrix } from '../../src/math/dense-matrix';
import { fitFactors } from '../../src/influence/factor-fit.pipeline';
import { layerPreconditioners } from '../../src/influence/factor-set';
import { TokenizedSequence } from '../../src/influence/tokenized-sequence';
import { randomTokens, tinyEngine } from '../engine/engine-fixtures';
import { naiveMul, naiveT, referenceGradients, relErr } from './influence-fixtures';
import { DEFAULT_DAMPING } from '../../src/math/damping';
import { gpt2Family } from '../../src/model-families/gpt2';

const layers = ['h.0.mlp.c_fc', 'h.1.mlp.c_proj'];
const { engine } = tinyEngine('float64');
// 10 documents, three of them longer than the 16-token context (2–3 windows each)
const docs: TokenizedSequence[] = [5, 9, 16, 30, 7, 12, 40, 3, 11, 20].map((n, k) => ({ id: `d${k}`, tokens: randomTokens(n, 256, 500 + k), scoreFrom: 0 }));

describe('factor fitting against explicit references (tiny GPT-2, float64)', () => {
  it('kfac/ekfac pass 1: A and S are the means over all real tokens of ā āᵀ and δ δᵀ (empirical labels); eigendecompositions reconstruct them', async () => {
    const fs = await fitFactors(engine, docs, { strategy: 'ekfac', fisher: 'empirical', tracked: layers, batchWindows: 4 });
    // reference: every window alone, activations head (a, δ per token), sums by hand
    let tokens = 0;
    const sumA = fs.layers.map((l) => matrix(l.cols, l.cols));
    const sumS = fs.layers.map((l) => matrix(l.rows, l.rows));
    for (const d of docs) {
      for (const w of splitIntoWindows(d, 16)) {
        const out = await engine.run({ labels: 'data', tracked: layers, activations: true }, packWindows([w], w.tokens.length));
        tokens += w.tokens.length;
        layers.forEach((l, k) => {
          const a = out[`a.${l}`]!.data as Float64Array;
          const dl = out[`delta.${l}`]!.data as Float64Array;
          const I = fs.layers[k]!.cols;
          const O = fs.layers[k]!.rows;
          for (let t = 0; t < w.tokens.length; t++) {
            for (let r = 0; r < I; r++) for (let c = 0; c < I; c++) sumA[k]!.data[r * I + c]! += a[t * I + r]! * a[t * I + c]!;
            for (let r = 0; r < O; r++) for (let c = 0; c < O; c++) sumS[k]!.data[r * O + c]! += dl[t * O + r]! * dl[t * O + c]!;
          }
        });
      }
    }
    expect(fs.counts).toEqual({ sequences: 10, windows: 14, tokens });
    fs.layers.forEach((l, k) => {
      expect(
        relErr(
          l.covA!.data,
          sumA[k]!.data.map((x) => x / tokens),
        ),
      ).toBeLessThan(1e-10);
      expect(
        relErr(
          l.covS!.data,
          sumS[k]!.data.map((x) => x / tokens),
        ),
      ).toBeLessThan(1e-10);
      // Q diag(λ) Qᵀ = A, Qᵀ Q = I
      const n = l.cols;
      const ql = matrix(
        n,
        n,
        l.qA!.data.map((x, i) => x * l.lambdaA!.data[i % n]!),
      );
      expect(relErr(naiveMul(ql, naiveT(l.qA!)).data, l.covA!.data)).toBeLessThan(1e-10);
      const qtq = naiveMul(naiveT(l.qA!), l.qA!);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Math.abs(qtq.data[i * n + j]! - (i === j ? 1 : 0))).toBeLessThan(1e-10);
    });
  });

  it('ekfac pass 2: Λ = mean over documents of (Q_Sᵀ G(d) Q_A)∘², G(d) summed over the document’s windows; diagonal: mean G∘²', async () => {
    const ek = await fitFactors(engine, docs, { strategy: 'ekfac', fisher: 'empirical', tracked: layers, batchWindows: 4 });
    const dg = await fitFactors(engine, docs, { strategy: 'diagonal', fisher: 'empirical', tracked: layers, batchWindows: 4 });
    const refL = ek.layers.map((l) => matrix(l.rows, l.cols));
    const refD = ek.layers.map((l) => matrix(l.rows, l.cols));
    for (const d of docs) {
      const { gradients } = await referenceGradients(engine, d, layers);
      ek.layers.forEach((l, k) => {
        const rot = naiveMul(naiveMul(naiveT(l.qS!), gradients[k]!), l.qA!);
        rot.data.forEach((v, i) => (refL[k]!.data[i]! += (v * v) / docs.length));
        gradients[k]!.data.forEach((v, i) => (refD[k]!.data[i]! += (v * v) / docs.length));
      });
    }
    ek.layers.forEach((l, k) => expect(relErr(l.eigenvalues!.data, refL[k]!.data)).toBeLessThan(1e-9));
    dg.layers.forEach((l, k) => expect(relErr(l.fisherDiagonal!.data, refD[k]!.data)).toBeLessThan(1e-9));
    // auto damping: 0.1 × mean Λ per layer
    layerPreconditioners(ek, DEFAULT_DAMPING).forEach((p, k) => {
      const mean = refL[k]!.data.reduce((a, b) => a + b, 0) / refL[k]!.data.length;
      expect((p as { damping: number }).damping).toBeCloseTo(0.1 * mean, 12);
    });
    // the sum of Λ is the mean squared gradient norm (Λ is diag F in a rotated basis)
    ek.layers.forEach((l, k) =>
      expect(Math.abs(l.eigenvalues!.data.reduce((a, b) => a + b, 0) - refD[k]!.data.reduce((a, b) => a + b, 0))).toBeLessThan(
        1e-9 * refD[k]!.data.reduce((a, b) => a + b, 0),
      ),
    );
  });

  it('sampled labels: reproducible from the seed, different for another seed, and different from the empirical Fisher', async () => {
    const opts = { strategy: 'kfac' as const, tracked: ['h.0.mlp.c_fc'], batchWindows: 4 };
    const a = await fitFactors(engine, docs.slice(0, 4), { ...opts, seed: 1 });
    const b = await fitFactors(engine, docs.slice(0, 4), { ...opts, seed: 1 });
    const c = await fitFactors(engine, docs.slice(0, 4), { ...opts, seed: 2 });
    const e = await fitFactors(engine, docs.slice(0, 4), { ...opts, fisher: 'empirical' });
    expect(a.fisher).toBe('sampled');
    expect(Array.from(a.layers[0]!.covS!.data)).toEqual(Array.from(b.layers[0]!.covS!.data));
    expect(relErr(c.layers[0]!.covS!.data, a.layers[0]!.covS!.data)).toBeGreaterThan(1e-3);
    expect(relErr(e.layers[0]!.covS!.data, a.layers[0]!.covS!.data)).toBeGreaterThan(1e-3);
    // A does not depend on labels
    expect(relErr(c.layers[0]!.covA!.data, a.layers[0]!.covA!.data)).toBeLessThan(1e-12);
  });

  it('identity needs no pass; NaN weights raise an error naming the layer and tensor', async () => {
    const id = await fitFactors(engine, docs, { strategy: 'identity', tracked: layers });
    expect(id.layers.map((l) => [l.name, l.rows, l.cols])).toEqual([
      ['h.0.mlp.c_fc', 64, 17],
      ['h.1.mlp.c_proj', 16, 65],
    ]);
    const bad = tinyEngine('float64');
    bad.weights.get('h.0.mlp.c_fc.weight')![3] = NaN;
    const { GradientEngine } = await import('../../src/engine/gradient.engine');
    const e2 = new GradientEngine(
      { family: gpt2Family, config: bad.config, weights: { tensors: bad.weights, fileNames: new Map() }, hash: 'nan' },
      bad.engine.settings,
    );
    await expect(fitFactors(e2, docs.slice(0, 2), { strategy: 'kfac', tracked: layers, fisher: 'empirical' })).rejects.toThrow(
      /layer h\.0\.mlp\.c_fc, tensor (A|S) \(covariance sum\): non-finite value NaN/,
    );
    await expect(fitFactors(engine, [], { strategy: 'kfac', tracked: layers })).rejects.toThrow(/at least one document/);
    await expect(fitFactors(engine, [{ id: 'x', tokens: [1], scoreFrom: 0 }], { strategy: 'kfac', tracked: layers })).rejects.toThrow(/2 or more tokens/);
    // single-token documents are skipped (zero gradient) and not counted
    const withShort = await fitFactors(engine, [...docs.slice(0, 3), { id: 'x', tokens: [1], scoreFrom: 0 }], {
      strategy: 'kfac',
      fisher: 'empirical',
      tracked: layers,
    });
    const without = await fitFactors(engine, docs.slice(0, 3), { strategy: 'kfac', fisher: 'empirical', tracked: layers });
    expect(withShort.counts).toEqual(without.counts);
    expect(Array.from(withShort.layers[0]!.covA!.data)).toEqual(Array.from(without.layers[0]!.covA!.data));
  });
});
