import { InvalidInputError } from '../errors/tracebase.error';
import { assertFinite } from './finite.guard';
import { assertShape, Matrix, matmul, matmulABt, matmulAtB, matrix } from './dense-matrix';
import { ShapeMismatchError } from './math.error';

/**
 * Rotates a layer gradient into the Kronecker eigenbasis: `Q_Sᵀ G Q_A`.
 * G o×(i+1), Q_S o×o, Q_A (i+1)×(i+1) (eigenvectors in columns) → o×(i+1).
 */
export function rotateToEigenbasis(qS: Matrix, g: Matrix, qA: Matrix): Matrix {
  if (qS.rows !== g.rows || g.cols !== qA.rows) {
    throw new ShapeMismatchError('rotateToEigenbasis', `Q_S ${qS.rows}×${qS.cols}, G ${g.rows}×${g.cols}, Q_A ${qA.rows}×${qA.cols}`);
  }
  return matmul(matmulAtB(qS, g), qA);
}

/** Rotates back from the eigenbasis: `Q_S X Q_Aᵀ` (inverse of {@link rotateToEigenbasis}). */
export function rotateFromEigenbasis(qS: Matrix, x: Matrix, qA: Matrix): Matrix {
  if (qS.cols !== x.rows || x.cols !== qA.cols) {
    throw new ShapeMismatchError('rotateFromEigenbasis', `Q_S ${qS.rows}×${qS.cols}, X ${x.rows}×${x.cols}, Q_A ${qA.rows}×${qA.cols}`);
  }
  return matmulABt(matmul(qS, x), qA);
}

/**
 * EK-FAC eigenvalue correction (Grosse et al. 2023; docs/design.md "Mathematics"):
 * `Λ_ℓ[j,k] = E_z[(Q_Sᵀ G_ℓ(z) Q_A)[j,k]²]`, the mean over fitting sequences z of the squared
 * per-sequence gradient in the Kronecker eigenbasis. Λ is o×(i+1), units of G² (nats² per
 * parameter²), and equals the diagonal of the full (sampled-label) Fisher E[g gᵀ] written in
 * the basis Q_S ⊗ Q_A.
 *
 * Usage: `add(G)` once per sequence (or `addSums` with partial sums from an engine head or
 * another worker), then `finalize()`.
 */
export class EkfacEigenvalueAccumulator {
  private readonly sum: Float64Array;
  private sequences = 0;

  /**
   * @param qS o×o eigenvectors of S (columns), from {@link symmetricEigen}.
   * @param qA (i+1)×(i+1) eigenvectors of A (columns).
   * @param layer layer name for error messages.
   */
  constructor(
    readonly qS: Matrix,
    readonly qA: Matrix,
    readonly layer?: string,
  ) {
    if (qS.rows !== qS.cols || qA.rows !== qA.cols) throw new ShapeMismatchError('EkfacEigenvalueAccumulator', 'Q_S and Q_A must be square');
    this.sum = new Float64Array(qS.rows * qA.rows);
  }

  /** Number of sequences accumulated so far. */
  get count(): number {
    return this.sequences;
  }

  /** Adds one sequence's gradient G (o×(i+1)): Λ_sum += (Q_Sᵀ G Q_A)∘². */
  add(g: Matrix): void {
    assertShape('EkfacEigenvalueAccumulator.add', 'G', g, this.qS.rows, this.qA.rows);
    assertFinite(g.data, { layer: this.layer, tensor: 'G (EK-FAC fitting sequence)' });
    const r = rotateToEigenbasis(this.qS, g, this.qA).data;
    for (let i = 0; i < r.length; i++) this.sum[i]! += r[i]! * r[i]!;
    this.sequences++;
  }

  /** Merges a partial sum Σ_z (Q_Sᵀ G(z) Q_A)∘² (o×(i+1)) over `sequences` sequences. */
  addSums(sumOfSquares: Matrix, sequences: number): void {
    assertShape('EkfacEigenvalueAccumulator.addSums', 'Σ (Q_Sᵀ G Q_A)∘²', sumOfSquares, this.qS.rows, this.qA.rows);
    if (!Number.isInteger(sequences) || sequences < 0) throw new InvalidInputError(`sequence count must be a non-negative integer, got ${sequences}`);
    assertFinite(sumOfSquares.data, { layer: this.layer, tensor: 'Σ (Q_Sᵀ G Q_A)∘²' });
    for (let i = 0; i < this.sum.length; i++) this.sum[i]! += sumOfSquares.data[i]!;
    this.sequences += sequences;
  }

  /** Λ = sum / number of sequences (o×(i+1)); throws when nothing was added. */
  finalize(): Matrix {
    if (this.sequences === 0) {
      throw new InvalidInputError(`EK-FAC eigenvalue correction${this.layer ? ` of layer ${this.layer}` : ''} has no sequences`);
    }
    const out = matrix(this.qS.rows, this.qA.rows);
    for (let i = 0; i < out.data.length; i++) out.data[i] = this.sum[i]! / this.sequences;
    return out;
  }
}
