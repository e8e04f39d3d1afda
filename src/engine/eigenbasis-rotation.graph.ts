import { GraphBuilder } from '../onnx/graph.builder';
import { Value } from '../onnx/graph.types';
import type { GramSide } from '../math/low-rank-approximation';

/** Static shape of one compiled eigenbasis-rotation graph: n query gradients of one o×(i+1) layer. */
export interface EigenbasisRotationShape {
  /** Queries rotated together, n. */
  batch: number;
  /** o (rows of G, order of Q_S). */
  rows: number;
  /** i + 1 (columns of G, order of Q_A). */
  cols: number;
  /**
   * What else the graph returns besides X: `gram` (the Gram matrix of each X on its
   * {@link GramSide}, for a truncated SVD), `dense` (M = Q_S X Q_Aᵀ) or nothing.
   */
  extra: 'gram' | 'dense' | 'none';
}

/** Named inputs and outputs of the rotation graphs. */
export const EIGENBASIS_ROTATION_IO = {
  gradients: 'gradients',
  qS: 'q_s',
  qA: 'q_a',
  denominator: 'denominator',
  x: 'x',
  gram: 'gram',
  m: 'm',
  basis: 'basis',
  w: 'w',
  otherSide: 'other_side',
  basisSide: 'basis_side',
} as const;

/**
 * Q B_b for every b of a batch B `[n, a, c]` with one a×a (or a×a' for Q `[a', a]`) matrix Q,
 * as a single GEMM on the concatenation [B_1 … B_n] (`[a, n·c]`): Q [B_1 … B_n] = [Q B_1 … Q B_n].
 */
function leftProduct(g: GraphBuilder, q: Value, b: Value): Value {
  const [n, a, c] = b.shape as [number, number, number];
  const rowsOut = q.shape[0]!;
  if (n === 1) return g.reshape(g.matmul(q, g.reshape(b, [a, c])), [1, rowsOut, c]);
  const cat = g.reshape(g.transpose(b, [1, 0, 2]), [a, n * c]);
  return g.transpose(g.reshape(g.matmul(q, cat), [rowsOut, n, c]), [1, 0, 2]);
}

/** B_b Q for every b of a batch B `[n, a, c]` with Q `[c, d]`, as one GEMM on the stacked rows `[n·a, c]`. */
function rightProduct(g: GraphBuilder, b: Value, q: Value): Value {
  const [n, a, c] = b.shape as [number, number, number];
  return g.reshape(g.matmul(g.reshape(b, [n * a, c]), q), [n, a, q.shape[1]!]);
}

/**
 * The batched query-side EK-FAC rotation of one layer in float64 (docs/design.md "Mathematics"), for n query
 * gradients G_b (o×(i+1)):
 *
 *   X_b = (Q_Sᵀ G_b Q_A) ⊘ (Λ + λ)            `x`    [n, o, i+1]
 *
 * computed as two GEMMs over the whole batch: Q_Sᵀ [G_1 … G_n] (one o×o · o×n(i+1) product), then
 * the stacked rows [·] Q_A (one n·o×(i+1) · (i+1)×(i+1) product). With `extra`:
 * - `gram`: `gram` [n, k, k], X_b X_bᵀ (k = o, when o ≤ i+1) or X_bᵀ X_b (k = i+1), the Gram matrix
 *   whose top eigenvectors give X_b's truncated SVD ({@link GramSide});
 * - `dense`: `m` [n, o, i+1], M_b = Q_S X_b Q_Aᵀ, the dense preconditioned query.
 *
 * Inputs: `gradients` [n, o, i+1]; `q_s` [o, o] and `q_a` [i+1, i+1] (eigenvectors in columns);
 * `denominator` [o, i+1] = Λ + λ (the host adds λ, so the division is the reference's).
 */
export function buildEigenbasisRotationGraph(shape: EigenbasisRotationShape): GraphBuilder {
  const { batch: n, rows: o, cols: c } = shape;
  const io = EIGENBASIS_ROTATION_IO;
  const g = new GraphBuilder(20);
  const grads = g.input(io.gradients, 'float64', [n, o, c]);
  const qS = g.input(io.qS, 'float64', [o, o]);
  const qA = g.input(io.qA, 'float64', [c, c]);
  const denominator = g.input(io.denominator, 'float64', [o, c]);
  const rotated = rightProduct(g, leftProduct(g, g.transpose(qS, [1, 0]), grads), qA);
  const x = g.div(rotated, denominator);
  g.output(x, io.x);
  if (shape.extra === 'gram') {
    const xt = g.transpose(x, [0, 2, 1]);
    g.output(o <= c ? g.matmul(x, xt) : g.matmul(xt, x), io.gram);
  } else if (shape.extra === 'dense') {
    g.output(rightProduct(g, leftProduct(g, qS, x), g.transpose(qA, [1, 0])), io.m);
  }
  return g;
}

/** Static shape of one compiled low-rank factor graph. */
export interface LowRankFactorShape {
  /** Queries, n. */
  batch: number;
  /** o. */
  rows: number;
  /** i + 1. */
  cols: number;
  /** r ≤ min(o, i+1). */
  rank: number;
}

/**
 * The rank-r factors of M_b = Q_S X_b Q_Aᵀ from the top-r Gram eigenvectors of each X_b (float64,
 * docs/design.md "Mathematics: Preconditioned query"), the products of {@link lowRankApproximation} and of
 * the rotation back to parameter space. With the Gram on the {@link GramSide} `rows` (o ≤ i+1),
 * `basis` holds U_b (o×r), and
 *
 *   w = X_bᵀ U_b  [n, i+1, r],   other_side = Q_A w  [n, i+1, r],   basis_side = Q_S U_b  [n, o, r];
 *
 * on side `cols` `basis` holds V_b ((i+1)×r), and
 *
 *   w = X_b V_b  [n, o, r],      other_side = Q_S w  [n, o, r],      basis_side = Q_A V_b  [n, i+1, r].
 *
 * The host takes σ_j = ‖w[:, j]‖ and divides column j of `other_side` by σ_j: M_b ≈ (Q_S U) Σ (Q_A V)ᵀ.
 * Inputs: `x` [n, o, i+1], `basis` [n, k, r], `q_s` [o, o], `q_a` [i+1, i+1].
 */
export function buildLowRankFactorGraph(shape: LowRankFactorShape): GraphBuilder {
  const { batch: n, rows: o, cols: c, rank: r } = shape;
  const io = EIGENBASIS_ROTATION_IO;
  const side: GramSide = o <= c ? 'rows' : 'cols';
  const g = new GraphBuilder(20);
  const x = g.input(io.x, 'float64', [n, o, c]);
  const basis = g.input(io.basis, 'float64', [n, side === 'rows' ? o : c, r]);
  const qS = g.input(io.qS, 'float64', [o, o]);
  const qA = g.input(io.qA, 'float64', [c, c]);
  const w = side === 'rows' ? g.matmul(g.transpose(x, [0, 2, 1]), basis) : g.matmul(x, basis);
  g.output(w, io.w);
  g.output(leftProduct(g, side === 'rows' ? qA : qS, w), io.otherSide);
  g.output(leftProduct(g, side === 'rows' ? qS : qA, basis), io.basisSide);
  return g;
}
