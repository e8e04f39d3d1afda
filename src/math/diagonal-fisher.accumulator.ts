import { InvalidInputError } from '../errors/tracebase.error';
import { assertFinite } from './finite.guard';
import { assertShape, Matrix, matrix } from './dense-matrix';

/**
 * Diagonal Fisher of one layer: `diag F_ℓ[j,k] = E_z[G_ℓ(z)[j,k]²]`, the diagonal of the
 * per-sequence Fisher E[g gᵀ] (g = vec G with sampled labels), shape o×(i+1), units nats² per
 * parameter². The `diagonal` strategy preconditions with `G ⊘ (diag F + λ)`.
 */
export class DiagonalFisherAccumulator {
  private readonly sum: Float64Array;
  private sequences = 0;

  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly layer?: string,
  ) {
    this.sum = new Float64Array(rows * cols);
  }

  get count(): number {
    return this.sequences;
  }

  /** Adds one sequence's gradient G (o×(i+1)). */
  add(g: Matrix): void {
    assertShape('DiagonalFisherAccumulator.add', 'G', g, this.rows, this.cols);
    assertFinite(g.data, { layer: this.layer, tensor: 'G (diagonal Fisher fitting sequence)' });
    for (let i = 0; i < this.sum.length; i++) this.sum[i]! += g.data[i]! * g.data[i]!;
    this.sequences++;
  }

  /** Mean of G∘² over the added sequences (o×(i+1)). */
  finalize(): Matrix {
    if (this.sequences === 0) throw new InvalidInputError(`diagonal Fisher${this.layer ? ` of layer ${this.layer}` : ''} has no sequences`);
    const out = matrix(this.rows, this.cols);
    for (let i = 0; i < out.data.length; i++) out.data[i] = this.sum[i]! / this.sequences;
    return out;
  }
}
