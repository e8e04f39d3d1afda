import type { ModelFamily } from '../model-families/model-family';
import { HostTensor } from '../onnx/ort.runner';
import { InvalidInputError } from '../errors/tracebase.error';
import { Matrix, matrix } from '../math/dense-matrix';
import { fmix32 } from '../math/seeded-random';

/** A tracked layer and the shape of its gradient G_ℓ: o×(i+1) (bias as an appended input 1). */
export interface TrackedLayer {
  readonly name: string;
  /** o, output features. */
  readonly rows: number;
  /** i + 1, input features plus the bias column. */
  readonly cols: number;
}

/** Shapes of tracked layers of a model, as its family names and sizes them ({@link ModelFamily.layerShape}). */
export function trackedLayers(model: { family: ModelFamily; config: unknown }, names: readonly string[]): TrackedLayer[] {
  const { family, config } = model;
  return names.map((name) => {
    const shape = family.layerShape(config, name);
    if (!shape) throw new InvalidInputError(`unknown tracked layer ${name}: expected ${family.trackableLayers(config)}`, { field: 'layers' });
    return { name, rows: shape.outFeatures, cols: shape.inFeatures + 1 };
  });
}

/** A matrix as an engine input of the engine's dtype, optionally transposed (e.g. Q_Sᵀ as the projection P). */
export function hostMatrix(m: Matrix, dtype: 'float32' | 'float64', transposed = false): HostTensor {
  const A = dtype === 'float64' ? Float64Array : Float32Array;
  if (!transposed) return { dtype, dims: [m.rows, m.cols], data: A.from(m.data) };
  const data = new A(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) data[c * m.rows + r] = m.data[r * m.cols + c]!;
  return { dtype, dims: [m.cols, m.rows], data };
}

/** Stacks same-shape matrices into one `[n, rows, cols]` engine input. */
export function hostStack(ms: readonly Matrix[], dtype: 'float32' | 'float64'): HostTensor {
  const A = dtype === 'float64' ? Float64Array : Float32Array;
  const { rows, cols } = ms[0]!;
  const data = new A(ms.length * rows * cols);
  ms.forEach((m, k) => data.set(m.data, k * rows * cols));
  return { dtype, dims: [ms.length, rows, cols], data };
}

/** The identity n×n matrix as an engine input (the projection head with P = I, R = I yields per-sequence gradients G_b). */
export function hostIdentity(n: number, dtype: 'float32' | 'float64'): HostTensor {
  const data = new (dtype === 'float64' ? Float64Array : Float32Array)(n * n);
  for (let k = 0; k < n; k++) data[k * n + k] = 1;
  return { dtype, dims: [n, n], data };
}

/** Row `index` of a `[B, rows, cols]` engine output as a float64 matrix. */
export function outputBlock(data: ArrayLike<number>, index: number, rows: number, cols: number): Matrix {
  const n = rows * cols;
  const out = matrix(rows, cols);
  for (let k = 0; k < n; k++) out.data[k] = data[index * n + k]!;
  return out;
}

/** A whole engine output as a float64 matrix. */
export function outputMatrix(data: ArrayLike<number>, rows: number, cols: number): Matrix {
  return outputBlock(data, 0, rows, cols);
}

/**
 * Seed of the Gumbel noise of one batch of one fitting pass: a 32-bit hash of (seed, pass,
 * batch index), so every batch draws its own labels and a run is reproducible from `seed`.
 */
export function batchNoiseSeed(seed: number, pass: number, batchIndex: number): number {
  return fmix32((fmix32(((seed >>> 0) ^ Math.imul(pass + 1, 0x9e3779b9)) >>> 0) + batchIndex) >>> 0);
}
