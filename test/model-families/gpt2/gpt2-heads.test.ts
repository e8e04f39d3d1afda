import { HostTensor } from '../../../src/onnx/ort.runner';
import { EngineOutputs, gumbelNoise, uniformNoise } from '../../../src/engine/gradient.engine';
import { Mulberry32 } from '../../../src/math/seeded-random';
import { packWindows, scoreAllPositions, splitIntoWindows } from '../../../src/engine/sequence-windows';
import { referenceLogits, toFloat64 } from '../../support/gpt2-reference';
import { randomTokens, relErr, tinyEngine } from '../../engine/engine-fixtures';

const layers = ['h.0.mlp.c_fc', 'h.0.mlp.c_proj', 'h.1.mlp.c_fc', 'h.1.mlp.c_proj'];

function randomMatrix(rows: number, cols: number, seed: number, lead: number[] = []): HostTensor {
  const rng = new Mulberry32(seed);
  const n = [...lead, rows, cols].reduce((a, b) => a * b, 1);
  return { dtype: 'float64', dims: [...lead, rows, cols], data: Float64Array.from({ length: n }, () => rng.normal() / Math.sqrt(rows)) };
}

/** G_ℓ = [∂W ᵀ | ∂b] ∈ R^{o×(i+1)} from HF-layout gradients (∂W stored [in,out]). */
function layerGradient(out: EngineOutputs, layer: string): { G: Float64Array; o: number; i1: number } {
  const w = out[`grad.${layer}.weight`]!;
  const wd = w.data as Float64Array;
  const bd = out[`grad.${layer}.bias`]!.data as Float64Array;
  const [i, o] = w.dims as [number, number];
  const G = new Float64Array(o * (i + 1));
  for (let r = 0; r < o; r++) {
    for (let c = 0; c < i; c++) G[r * (i + 1) + c] = wd[c * o + r]!;
    G[r * (i + 1) + i] = bd[r]!;
  }
  return { G, o, i1: i + 1 };
}

/** C = X Y Zᵀ for row-major X [p,o], Y [o,i], Z [q,i]. */
function pgrt(P: ArrayLike<number>, G: ArrayLike<number>, R: ArrayLike<number>, p: number, o: number, i: number, q: number): Float64Array {
  const PG = new Float64Array(p * i);
  for (let a = 0; a < p; a++) for (let k = 0; k < o; k++) for (let c = 0; c < i; c++) PG[a * i + c] += P[a * o + k]! * G[k * i + c]!;
  const out = new Float64Array(p * q);
  for (let a = 0; a < p; a++) for (let b = 0; b < q; b++) for (let c = 0; c < i; c++) out[a * q + b] += PG[a * i + c]! * R[b * i + c]!;
  return out;
}

describe('GPT-2 heads: identities with the full gradient', () => {
  const { engine, config } = tinyEngine('float64');
  const seqs = [
    { tokens: randomTokens(10, 256, 31), scoreFrom: 3 },
    { tokens: randomTokens(6, 256, 32), scoreFrom: 0 },
  ];
  const windows = seqs.flatMap((s, k) => splitIntoWindows(s, config.nPositions, k));
  const batch = packWindows(windows, 10);
  const ranks: Record<string, [number, number]> = {};
  const extra: Record<string, HostTensor> = {};
  layers.forEach((l, k) => {
    const [i, o] = l.endsWith('c_fc') ? [config.nEmbd, config.nInner] : [config.nInner, config.nEmbd];
    ranks[l] = [3, 5];
    extra[`P.${l}`] = randomMatrix(3, o, 100 + k);
    extra[`R.${l}`] = randomMatrix(5, i + 1, 200 + k);
    extra[`M.${l}`] = randomMatrix(o, i + 1, 300 + k, [2]);
  });
  const head = { labels: 'data' as const, trackedGradients: true, activations: true, covariance: true, projection: { ranks }, influence: { queries: 2 } };

  it('δ and ā reproduce the weight gradient: Σ_t δ_t ā_tᵀ = G', async () => {
    const out = await engine.run(head, batch, extra);
    for (const l of layers) {
      const { G, o, i1 } = layerGradient(out, l);
      const a = out[`a.${l}`]!.data as Float64Array;
      const d = out[`delta.${l}`]!.data as Float64Array;
      const sum = new Float64Array(o * i1);
      for (let t = 0; t < batch.batch * batch.seqLen; t++) {
        if (batch.attentionMask[t] === 0) continue;
        for (let r = 0; r < o; r++) for (let c = 0; c < i1; c++) sum[r * i1 + c] += d[t * o + r]! * a[t * i1 + c]!;
      }
      expect(relErr(sum, G)).toBeLessThan(1e-10);
      // the bias column of ā is 1
      expect(a[i1 - 1]).toBe(1);
    }
  });

  it('covariance sums equal sums of outer products over real tokens', async () => {
    const out = await engine.run(head, batch, extra);
    for (const l of layers) {
      const a = out[`a.${l}`]!.data as Float64Array;
      const d = out[`delta.${l}`]!.data as Float64Array;
      const i1 = out[`a.${l}`]!.dims[2]!;
      const o = out[`delta.${l}`]!.dims[2]!;
      const A = new Float64Array(i1 * i1);
      const S = new Float64Array(o * o);
      for (let t = 0; t < batch.batch * batch.seqLen; t++) {
        if (batch.attentionMask[t] === 0) continue;
        for (let r = 0; r < i1; r++) for (let c = 0; c < i1; c++) A[r * i1 + c] += a[t * i1 + r]! * a[t * i1 + c]!;
        for (let r = 0; r < o; r++) for (let c = 0; c < o; c++) S[r * o + c] += d[t * o + r]! * d[t * o + c]!;
      }
      expect(out[`A.${l}`]!.dims).toEqual([i1, i1]);
      expect(relErr(out[`A.${l}`]!.data as Float64Array, A)).toBeLessThan(1e-12);
      expect(relErr(out[`S.${l}`]!.data as Float64Array, S)).toBeLessThan(1e-12);
      // the ones column counts the real tokens
      expect(A[i1 * i1 - 1]).toBe(16);
    }
  });

  it('the projected head equals P · G_b · Rᵀ of each sequence’s own gradient', async () => {
    const out = await engine.run(head, batch, extra);
    for (let b = 0; b < 2; b++) {
      const single = await engine.run({ labels: 'data', trackedGradients: true }, packWindows([windows[b]!], windows[b]!.tokens.length));
      for (const l of layers) {
        const { G, o, i1 } = layerGradient(single, l);
        const want = pgrt(extra[`P.${l}`]!.data as Float64Array, G, extra[`R.${l}`]!.data as Float64Array, 3, o, i1, 5);
        const got = (out[`proj.${l}`]!.data as Float64Array).slice(b * 15, (b + 1) * 15);
        expect(out[`proj.${l}`]!.dims).toEqual([2, 3, 5]);
        expect(relErr(got, want)).toBeLessThan(1e-10);
      }
    }
  });

  it('per-token influence sums to ⟨M, G⟩ for each query matrix', async () => {
    const out = await engine.run(head, batch, extra);
    for (const l of layers) {
      const { G, o, i1 } = layerGradient(out, l);
      const M = extra[`M.${l}`]!.data as Float64Array;
      const tau = out[`tau.${l}`]!;
      expect(tau.dims).toEqual([2, 2, 10]);
      for (let q = 0; q < 2; q++) {
        let inner = 0;
        for (let k = 0; k < o * i1; k++) inner += M[q * o * i1 + k]! * G[k]!;
        let sum = 0;
        for (let k = 0; k < 20; k++) sum += tau.data[q * 20 + k] as number;
        expect(Math.abs(sum - inner)).toBeLessThan(1e-10 * Math.max(1, Math.abs(inner)));
        // padding positions carry no influence
        for (let t = 6; t < 10; t++) expect(tau.data[q * 20 + 10 + t]).toBe(0);
      }
    }
  });

  it('the low-rank influence head (M = U Vᵀ) equals the full-M head', async () => {
    const low: Record<string, HostTensor> = {};
    const full: Record<string, HostTensor> = {};
    layers.forEach((l, k) => {
      const [i, o] = l.endsWith('c_fc') ? [config.nEmbd, config.nInner] : [config.nInner, config.nEmbd];
      const U = randomMatrix(o, 3, 400 + k, [2]);
      const Vt = randomMatrix(i + 1, 3, 500 + k, [2]);
      low[`MU.${l}`] = U;
      low[`MV.${l}`] = Vt;
      const M = new Float64Array(2 * o * (i + 1));
      for (let q = 0; q < 2; q++)
        for (let r = 0; r < o; r++)
          for (let c = 0; c <= i; c++) {
            let acc = 0;
            for (let k2 = 0; k2 < 3; k2++) acc += (U.data[q * o * 3 + r * 3 + k2] as number) * (Vt.data[q * (i + 1) * 3 + c * 3 + k2] as number);
            M[q * o * (i + 1) + r * (i + 1) + c] = acc;
          }
      full[`M.${l}`] = { dtype: 'float64', dims: [2, o, i + 1], data: M };
    });
    const a = await engine.run({ labels: 'data', influence: { queries: 2, rank: 3 } }, batch, low);
    const b = await engine.run({ labels: 'data', influence: { queries: 2 } }, batch, full);
    for (const l of layers) {
      expect(a[`tau.${l}`]!.dims).toEqual([2, 2, 10]);
      expect(relErr(a[`tau.${l}`]!.data as Float64Array, b[`tau.${l}`]!.data as Float64Array)).toBeLessThan(1e-10);
    }
  });
});

describe('gradient-norm head', () => {
  it('sqnorm = ‖G_b‖_F² of each row’s own gradient (weights and bias)', async () => {
    const { engine } = tinyEngine('float64');
    const windows = [randomTokens(9, 256, 63), randomTokens(4, 256, 64)].flatMap((tokens, k) => splitIntoWindows({ tokens, scoreFrom: 0 }, 16, k));
    const out = await engine.run({ labels: 'data', gradientNorms: true }, packWindows(windows, 9));
    for (const l of layers) {
      expect(out[`sqnorm.${l}`]!.dims).toEqual([2]);
      for (let b = 0; b < 2; b++) {
        const g = await engine.run({ labels: 'data', trackedGradients: true }, packWindows([windows[b]!], windows[b]!.tokens.length));
        const { G } = layerGradient(g, l);
        const want = G.reduce((a, v) => a + v * v, 0);
        expect(Math.abs((out[`sqnorm.${l}`]!.data as Float64Array)[b]! - want) / want).toBeLessThan(1e-10);
      }
    }
  });
});

describe('EK-FAC eigenvalue-correction head', () => {
  it('Lambda = Σ_b (Q_Sᵀ G_b Q_A)∘² with each row’s own gradient', async () => {
    const { engine, config } = tinyEngine('float64');
    const windows = [randomTokens(9, 256, 61), randomTokens(5, 256, 62)].flatMap((tokens, k) => splitIntoWindows({ tokens, scoreFrom: 0 }, 16, k));
    const layer = 'h.0.mlp.c_proj';
    const [i, o] = [config.nInner, config.nEmbd];
    const QS = randomMatrix(o, o, 71);
    const QA = randomMatrix(i + 1, i + 1, 72);
    const out = await engine.run({ labels: 'data', tracked: [layer], eigenCorrection: true }, packWindows(windows, 9), {
      [`QS.${layer}`]: QS,
      [`QA.${layer}`]: QA,
    });
    const want = new Float64Array(o * (i + 1));
    for (const w of windows) {
      const g = await engine.run({ labels: 'data', trackedGradients: true, tracked: [layer] }, packWindows([w], w.tokens.length));
      const { G } = layerGradient(g, layer);
      // rotated = Q_Sᵀ G Q_A
      const QSt = new Float64Array(o * o);
      for (let r = 0; r < o; r++) for (let c = 0; c < o; c++) QSt[r * o + c] = QS.data[c * o + r] as number;
      const QAt = new Float64Array((i + 1) * (i + 1));
      for (let r = 0; r <= i; r++) for (let c = 0; c <= i; c++) QAt[r * (i + 1) + c] = QA.data[c * (i + 1) + r] as number;
      const rot = pgrt(QSt, G, QAt, o, o, i + 1, i + 1);
      rot.forEach((v, k) => (want[k] += v * v));
    }
    expect(out[`Lambda.${layer}`]!.dims).toEqual([o, i + 1]);
    expect(relErr(out[`Lambda.${layer}`]!.data as Float64Array, want)).toBeLessThan(1e-10);
  });
});

describe('sampled labels (Gumbel-max)', () => {
  const { engine, weights, config } = tinyEngine('float64');
  const tokens = randomTokens(8, 256, 41);
  const batch = packWindows(splitIntoWindows({ tokens, scoreFrom: 0 }, 16), 8);

  it('are argmax(logits + noise) of the reference logits, reproducible from the seed', async () => {
    const noise = gumbelNoise(7, 1, 8, config.vocabSize, 'float64');
    const out = await engine.run({ labels: 'sampled', trackedGradients: true }, batch, { gumbel_noise: noise });
    const again = await engine.run({ labels: 'sampled', trackedGradients: true }, batch, { gumbel_noise: gumbelNoise(7, 1, 8, config.vocabSize, 'float64') });
    const other = await engine.run({ labels: 'sampled', trackedGradients: true }, batch, { gumbel_noise: gumbelNoise(8, 1, 8, config.vocabSize, 'float64') });
    const sampled = Array.from(out.sampled_targets!.data as BigInt64Array, Number);
    expect(Array.from(again.sampled_targets!.data as BigInt64Array, Number)).toEqual(sampled);
    expect(Array.from(other.sampled_targets!.data as BigInt64Array, Number)).not.toEqual(sampled);
    const logits = referenceLogits(config, toFloat64(weights), tokens);
    const V = config.vocabSize;
    const want = Array.from({ length: 8 }, (_, t) => {
      let best = 0;
      for (let v = 1; v < V; v++)
        if (logits[t * V + v]! + (noise.data[t * V + v] as number) > logits[t * V + best]! + (noise.data[t * V + best] as number)) best = v;
      return best;
    });
    expect(sampled).toEqual(want);
    // gradients with sampled labels equal data-label gradients with those labels as targets
    const asData = await engine.run({ labels: 'data', trackedGradients: true }, { ...batch, targets: BigInt64Array.from(sampled.map(BigInt)) });
    for (const k of Object.keys(asData).filter((n) => n.startsWith('grad.')))
      expect(relErr(out[k]!.data as Float64Array, asData[k]!.data as Float64Array)).toBeLessThan(1e-12);
  });

  it('can score every real position, including the last of each window', async () => {
    const all = scoreAllPositions(batch);
    expect(Array.from(all.lossMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    const out = await engine.run({ labels: 'sampled' }, all, { gumbel_noise: gumbelNoise(7, 1, 8, config.vocabSize, 'float64') });
    const logp = out.logp!.data as Float64Array;
    const loss = (out.loss!.data as Float64Array)[0]!;
    expect(Math.abs(loss + logp.reduce((a, b) => a + b, 0))).toBeLessThan(1e-10);
  });

  it('inverse-CDF sampling: target = #{v : F_v < u} of the reference softmax, gradients as with data labels', async () => {
    const u = uniformNoise(5, 1, 8, 'float64');
    const out = await engine.run({ labels: 'sampled-icdf', trackedGradients: true }, batch, { uniform_noise: u });
    const sampled = Array.from(out.sampled_targets!.data as BigInt64Array, Number);
    const logits = referenceLogits(config, toFloat64(weights), tokens);
    const V = config.vocabSize;
    const want = Array.from({ length: 8 }, (_, t) => {
      const row = Array.from(logits.slice(t * V, (t + 1) * V));
      const m = Math.max(...row);
      const e = row.map((x) => Math.exp(x - m));
      const z = e.reduce((a, b) => a + b, 0);
      let F = 0;
      let k = 0;
      for (let v = 0; v < V; v++) {
        F += e[v]! / z;
        if (F < (u.data[t] as number)) k++;
      }
      return Math.min(k, V - 1);
    });
    expect(sampled).toEqual(want);
    const again = await engine.run({ labels: 'sampled-icdf', trackedGradients: true }, batch, { uniform_noise: uniformNoise(5, 1, 8, 'float64') });
    expect(Array.from(again.sampled_targets!.data as BigInt64Array, Number)).toEqual(sampled);
    const asData = await engine.run({ labels: 'data', trackedGradients: true }, { ...batch, targets: BigInt64Array.from(sampled.map(BigInt)) });
    for (const k of Object.keys(asData).filter((n) => n.startsWith('grad.')))
      expect(relErr(out[k]!.data as Float64Array, asData[k]!.data as Float64Array)).toBeLessThan(1e-12);
  });

  it('inverse-CDF samples follow the model distribution (a 4-token model, 4000 draws)', async () => {
    const cfg = { ...config, vocabSize: 4 };
    const { engine: e4, weights: w4 } = tinyEngine('float64', cfg, 9);
    const toks = [1, 2, 3, 0];
    const b4 = packWindows(splitIntoWindows({ tokens: toks, scoreFrom: 0 }, 16), 4);
    const logits = referenceLogits(cfg, toFloat64(w4), toks);
    const row = Array.from(logits.slice(0, 4));
    const z = row.reduce((a, x) => a + Math.exp(x), 0);
    const counts = [0, 0, 0, 0];
    const rows = 1000;
    const many = packWindows(
      Array.from({ length: rows }, () => b4.windows[0]!),
      4,
    );
    for (let rep = 0; rep < 4; rep++) {
      const out = await e4.run({ labels: 'sampled-icdf' }, many, { uniform_noise: uniformNoise(100 + rep, rows, 4, 'float64') });
      const s = out.sampled_targets!.data as BigInt64Array;
      for (let r = 0; r < rows; r++) counts[Number(s[r * 4])]!++;
    }
    row.forEach((x, v) => expect(Math.abs(counts[v]! / 4000 - Math.exp(x) / z)).toBeLessThan(0.03));
  });

  it('follow the model distribution: sample frequencies match softmax probabilities', () => {
    // Gumbel-max in isolation: argmax(l + g) ~ softmax(l)
    const l = [0.5, -1, 2, 0];
    const z = l.reduce((s, x) => s + Math.exp(x), 0);
    const counts = [0, 0, 0, 0];
    const noise = gumbelNoise(3, 1, 20000, 4, 'float64').data as Float64Array;
    for (let n = 0; n < 20000; n++) {
      let best = 0;
      for (let v = 1; v < 4; v++) if (l[v]! + noise[n * 4 + v]! > l[best]! + noise[n * 4 + best]!) best = v;
      counts[best]!++;
    }
    l.forEach((x, v) => expect(Math.abs(counts[v]! / 20000 - Math.exp(x) / z)).toBeLessThan(0.015));
  });
});
