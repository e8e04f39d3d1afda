import { GradientEngine, EngineOutputs } from '../../src/engine/gradient.engine';
import { packWindows, splitIntoWindows } from '../../src/engine/sequence-windows';
import { Matrix, matrix } from '../../src/math/dense-matrix';
import { TokenizedSequence } from '../../src/influence/tokenized-sequence';
import { Tokenizer } from '../../src/influence/tokenizer.port';

/** Byte-level tokenizer (id = UTF-8 byte), as the tiny test checkpoints use. */
export const byteTokenizer: Tokenizer = {
  encode: (text: string) => [...Buffer.from(text, 'utf8')],
  decode: (ids: readonly number[]) => Buffer.from(ids).toString('utf8'),
};

/** G_ℓ = [∂Wᵀ | ∂b] ∈ R^{o×(i+1)} from the engine's HF-layout weight gradient (∂W stored [in,out]). */
export function layerGradient(out: EngineOutputs, layer: string): Matrix {
  const w = out[`grad.${layer}.weight`]!;
  const wd = w.data as ArrayLike<number>;
  const bd = out[`grad.${layer}.bias`]!.data as ArrayLike<number>;
  const [i, o] = w.dims as [number, number];
  const g = matrix(o, i + 1);
  for (let r = 0; r < o; r++) {
    for (let c = 0; c < i; c++) g.data[r * (i + 1) + c] = wd[c * o + r]!;
    g.data[r * (i + 1) + i] = bd[r]!;
  }
  return g;
}

/**
 * Reference per-sequence gradients: each window of the sequence run alone (data labels,
 * tracked-gradient head, no padding), summed over windows. Also returns the summed loss.
 */
export async function referenceGradients(
  engine: GradientEngine,
  seq: TokenizedSequence,
  layers: readonly string[],
): Promise<{ gradients: Matrix[]; loss: number }> {
  const ctx = engine.dimensions.contextLength;
  const sums = layers.map(() => undefined as Matrix | undefined);
  let loss = 0;
  for (const w of splitIntoWindows(seq, ctx)) {
    const out = await engine.run({ labels: 'data', trackedGradients: true, tracked: [...layers] }, packWindows([w], w.tokens.length));
    loss += Number((out.loss!.data as ArrayLike<number>)[0]);
    layers.forEach((l, k) => {
      const g = layerGradient(out, l);
      if (!sums[k]) sums[k] = g;
      else for (let i = 0; i < g.data.length; i++) sums[k]!.data[i]! += g.data[i]!;
    });
  }
  return { gradients: sums as Matrix[], loss };
}

/** Naive C = X Y (row-major, triple loop). */
export function naiveMul(x: Matrix, y: Matrix): Matrix {
  const out = matrix(x.rows, y.cols);
  for (let i = 0; i < x.rows; i++)
    for (let k = 0; k < x.cols; k++) for (let j = 0; j < y.cols; j++) out.data[i * y.cols + j]! += x.data[i * x.cols + k]! * y.data[k * y.cols + j]!;
  return out;
}

/** Naive transpose. */
export function naiveT(x: Matrix): Matrix {
  const out = matrix(x.cols, x.rows);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) out.data[j * x.rows + i] = x.data[i * x.cols + j]!;
  return out;
}

/** ‖a − b‖ / ‖b‖. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

/** Σ x_i y_i. */
export function inner(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}
