import { InvalidInputError } from '../errors/tracebase.error';
import { assertFinite } from './finite.guard';
import { Matrix, matmulAtB, matrix } from './dense-matrix';
import { ShapeMismatchError, TensorLabel } from './math.error';

/**
 * Appends the bias input 1 to every token's layer input: acts T×i → T×(i+1), row t = [a_t; 1].
 * Layer ℓ computes s = W a + b = [W b] [a; 1], so with this convention the weight-and-bias
 * gradient is one o×(i+1) matrix and A_ℓ is (i+1)×(i+1) (docs/design.md "Mathematics").
 */
export function appendBiasColumn(acts: Matrix): Matrix {
  const { rows, cols } = acts;
  const out = matrix(rows, cols + 1);
  for (let t = 0; t < rows; t++) {
    out.data.set(acts.data.subarray(t * cols, (t + 1) * cols), t * (cols + 1));
    out.data[t * (cols + 1) + cols] = 1;
  }
  return out;
}

/**
 * Per-sequence gradient from token matrices: `G = Σ_t δ_t a_tᵀ = Δᵀ Ã` (docs/design.md "Mathematics"), with
 * Δ T×o (row t = δ_t = ∂L/∂s_t, units: nats per unit of pre-activation) and Ã T×(i+1)
 * (row t = [a_t; 1], see {@link appendBiasColumn}). Returns o×(i+1).
 */
export function gradientFromTokens(deltas: Matrix, acts: Matrix): Matrix {
  if (deltas.rows !== acts.rows) {
    throw new ShapeMismatchError('gradientFromTokens', `Δ has ${deltas.rows} tokens, Ã has ${acts.rows}`);
  }
  return matmulAtB(deltas, acts);
}

/**
 * Σ_t x_t x_tᵀ = XᵀX for a token matrix X (T×d) → d×d. The sum that the gradient engine's
 * covariance heads produce for A (X = Ã) and S (X = Δ); provided for CPU paths and tests.
 */
export function outerProductSum(x: Matrix): Matrix {
  return matmulAtB(x, x);
}

/**
 * K-FAC covariance from a running sum: `A_ℓ = Σ_t ã_t ã_tᵀ / N_tokens` or
 * `S_ℓ = Σ_t δ_t δ_tᵀ / N_tokens` (docs/design.md "Mathematics", expectations over tokens).
 *
 * @param sum d×d sum of outer products over all fitting tokens (symmetric up to rounding).
 * @param count N_tokens, the number of tokens summed (> 0).
 * @param label names the layer and factor (`A` or `S`) in errors.
 * @returns d×d covariance, exactly symmetrised ((X + Xᵀ)/2).
 */
export function covarianceFromSum(sum: Matrix, count: number, label: TensorLabel): Matrix {
  if (sum.rows !== sum.cols) throw new ShapeMismatchError('covarianceFromSum', `${label.tensor} sum is ${sum.rows}×${sum.cols}, not square`);
  if (!Number.isFinite(count) || count <= 0) {
    throw new InvalidInputError(`covarianceFromSum: token count for ${label.tensor} must be positive, got ${count}`, {
      layer: label.layer,
      tensor: label.tensor,
    });
  }
  assertFinite(sum.data, label);
  const n = sum.rows;
  const out = matrix(n, n);
  const s = sum.data;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = (0.5 * (s[i * n + j]! + s[j * n + i]!)) / count;
      out.data[i * n + j] = v;
      out.data[j * n + i] = v;
    }
  }
  return out;
}
