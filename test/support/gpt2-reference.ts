import { Gpt2Config } from '../../src/model-families/gpt2';

/**
 * A plain-TypeScript float64 GPT-2 forward pass for one unpadded sequence, written from the HF
 * GPT2LMHeadModel definition (independently of the ONNX graph code): returns logits [T, V]
 * row-major.
 */
export function referenceLogits(c: Gpt2Config, W: ReadonlyMap<string, Float64Array>, tokens: readonly number[]): Float64Array {
  const T = tokens.length;
  const D = c.nEmbd;
  const H = c.nHead;
  const Dh = D / H;
  const F = c.nInner;
  const w = (n: string) => W.get(n)!;
  let h = new Float64Array(T * D);
  for (let t = 0; t < T; t++) for (let i = 0; i < D; i++) h[t * D + i] = w('wte.weight')[tokens[t]! * D + i]! + w('wpe.weight')[t * D + i]!;
  const ln = (x: Float64Array, g: Float64Array, bta: Float64Array) => {
    const y = new Float64Array(x.length);
    for (let t = 0; t < T; t++) {
      let mu = 0;
      for (let i = 0; i < D; i++) mu += x[t * D + i]!;
      mu /= D;
      let v = 0;
      for (let i = 0; i < D; i++) v += (x[t * D + i]! - mu) ** 2;
      v /= D;
      const r = 1 / Math.sqrt(v + c.layerNormEpsilon);
      for (let i = 0; i < D; i++) y[t * D + i] = (x[t * D + i]! - mu) * r * g[i]! + bta[i]!;
    }
    return y;
  };
  const conv1d = (x: Float64Array, nIn: number, nOut: number, wt: Float64Array, bias: Float64Array) => {
    const y = new Float64Array(T * nOut);
    for (let t = 0; t < T; t++)
      for (let o = 0; o < nOut; o++) {
        let s = bias[o]!;
        for (let i = 0; i < nIn; i++) s += x[t * nIn + i]! * wt[i * nOut + o]!;
        y[t * nOut + o] = s;
      }
    return y;
  };
  for (let l = 0; l < c.nLayer; l++) {
    const p = `h.${l}.`;
    const x1 = ln(h, w(`${p}ln_1.weight`), w(`${p}ln_1.bias`));
    const qkv = conv1d(x1, D, 3 * D, w(`${p}attn.c_attn.weight`), w(`${p}attn.c_attn.bias`));
    const ctx = new Float64Array(T * D);
    for (let hd = 0; hd < H; hd++) {
      for (let t = 0; t < T; t++) {
        const scores: number[] = [];
        for (let s = 0; s <= t; s++) {
          let dot = 0;
          for (let j = 0; j < Dh; j++) dot += qkv[t * 3 * D + hd * Dh + j]! * qkv[s * 3 * D + D + hd * Dh + j]!;
          scores.push(dot / Math.sqrt(Dh));
        }
        const m = Math.max(...scores);
        const e = scores.map((x) => Math.exp(x - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j < Dh; j++) {
          let acc = 0;
          for (let s = 0; s <= t; s++) acc += (e[s]! / z) * qkv[s * 3 * D + 2 * D + hd * Dh + j]!;
          ctx[t * D + hd * Dh + j] = acc;
        }
      }
    }
    const a = conv1d(ctx, D, D, w(`${p}attn.c_proj.weight`), w(`${p}attn.c_proj.bias`));
    h = h.map((x, i) => x + a[i]!);
    const x2 = ln(h, w(`${p}ln_2.weight`), w(`${p}ln_2.bias`));
    const fc = conv1d(x2, D, F, w(`${p}mlp.c_fc.weight`), w(`${p}mlp.c_fc.bias`)).map(
      (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
    );
    const mo = conv1d(fc, F, D, w(`${p}mlp.c_proj.weight`), w(`${p}mlp.c_proj.bias`));
    h = h.map((x, i) => x + mo[i]!);
  }
  const hf = ln(h, w('ln_f.weight'), w('ln_f.bias'));
  const V = c.vocabSize;
  const head = W.get('lm_head.weight') ?? w('wte.weight');
  const logits = new Float64Array(T * V);
  for (let t = 0; t < T; t++)
    for (let v = 0; v < V; v++) {
      let s = 0;
      for (let i = 0; i < D; i++) s += hf[t * D + i]! * head[v * D + i]!;
      logits[t * V + v] = s;
    }
  return logits;
}

/** log p(tokens[j+1] | tokens[0..j]) for j = 0..T−2, in float64. */
export function referenceLogProbs(c: Gpt2Config, W: ReadonlyMap<string, Float64Array>, tokens: readonly number[]): number[] {
  const logits = referenceLogits(c, W, tokens);
  const V = c.vocabSize;
  const out: number[] = [];
  for (let j = 0; j + 1 < tokens.length; j++) {
    let m = -Infinity;
    for (let v = 0; v < V; v++) m = Math.max(m, logits[j * V + v]!);
    let z = 0;
    for (let v = 0; v < V; v++) z += Math.exp(logits[j * V + v]! - m);
    out.push(logits[j * V + tokens[j + 1]!]! - m - Math.log(z));
  }
  return out;
}

/** L = Σ_j mask[j] · (−log p(tokens[j+1] | tokens[≤j])). */
export function referenceLoss(c: Gpt2Config, W: ReadonlyMap<string, Float64Array>, tokens: readonly number[], mask: readonly number[]): number {
  return referenceLogProbs(c, W, tokens).reduce((s, lp, j) => s - (mask[j] ?? 0) * lp, 0);
}

/** Converts float32 weights to float64 copies. */
export function toFloat64(weights: ReadonlyMap<string, Float32Array>): Map<string, Float64Array> {
  return new Map([...weights].map(([k, v]) => [k, Float64Array.from(v)]));
}
