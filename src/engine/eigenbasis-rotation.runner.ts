import { InvalidInputError } from '../errors/tracebase.error';
import { Matrix, assertShape, matrix } from '../math/dense-matrix';
import { EigenbasisPreconditioner, dampedEigenvalues } from '../math/ekfac-preconditioner';
import { assertFinite } from '../math/finite.guard';
import { LowRankFactors, gramBasis, gramSide, normalizeColumns } from '../math/low-rank-approximation';
import { HostTensor, SessionSettings, runSession } from '../onnx/ort.runner';
import { serializeModel } from '../onnx/onnx.serializer';
import { EIGENBASIS_ROTATION_IO, EigenbasisRotationShape, buildEigenbasisRotationGraph, buildLowRankFactorGraph } from './eigenbasis-rotation.graph';
import { SessionCache } from './session.cache';

/**
 * Default: CPU, one thread, 'basic' optimisations (float64 graphs, as for verification). One
 * thread because the rotation GEMMs (≈ 1/4 of the work at the reference model's sizes) alternate
 * with the single-threaded host eigensolver, and a second spinning thread pool beside the
 * gradient engine's slowed the whole preconditioning on the 2-vCPU machine (≈ 150 vs 170 ms per
 * query, measured alternately on the demo's queries); pass `intraOpThreads` for large layers on
 * many cores.
 */
export function defaultRotationSettings(over: Partial<SessionSettings> = {}): SessionSettings {
  return { device: 'cpu', intraOpThreads: 1, interOpThreads: 1, optimization: 'basic', ...over };
}

/** Most queries rotated by one graph run (bounds the feeds: 32 gradients of a 128×513 layer are 17 MB, of 1024×257 67 MB). */
export const MAX_ROTATION_BATCH = 32;

const IO = EIGENBASIS_ROTATION_IO;

function f64(dims: number[], data: Float64Array): HostTensor {
  return { dtype: 'float64', dims, data };
}

/** Matrix b (rows×cols) of a batched `[n, rows, cols]` output, copied. */
function slab(data: Float64Array, b: number, rows: number, cols: number): Matrix {
  const n = rows * cols;
  return matrix(rows, cols, data.slice(b * n, (b + 1) * n));
}

/**
 * The query side of EK-FAC / K-FAC preconditioning for a batch of queries, in float64 on
 * onnxruntime (docs/design.md "Mathematics"):
 *
 *   X_ℓ(q) = (Q_Sᵀ G_ℓ(q) Q_A) ⊘ (Λ_ℓ + λ_ℓ),    M_ℓ(q) = Q_S X_ℓ(q) Q_Aᵀ  (or its rank-r SVD),
 *
 * for all queries of a batch per graph run ({@link buildEigenbasisRotationGraph}: two GEMMs per
 * layer for the whole batch instead of two per query). It is the batched, onnxruntime-backed
 * counterpart of {@link dampedEigenbasisGradient}, {@link preconditionGradient} and the rank-r
 * path of `preconditionLayer`, which stay the pure-JS reference; results agree with them to
 * rounding (the sums run in another order). The truncated SVD takes the Gram eigenvectors from
 * {@link gramBasis} (the reference's eigensolver, on the host) and the products around it from
 * {@link buildLowRankFactorGraph}. Sessions are compiled once per shape and kept in a
 * {@link SessionCache} of this runner.
 */
export class EigenbasisRotationRunner {
  readonly cache: SessionCache;

  constructor(
    readonly settings: SessionSettings = defaultRotationSettings(),
    cache?: SessionCache,
  ) {
    this.cache = cache ?? new SessionCache();
  }

  /**
   * X(q) = (Q_Sᵀ G(q) Q_A) ⊘ (Λ + λ) for every gradient of `gradients` (each o×(i+1), nats per
   * parameter): o×(i+1) matrices in the Kronecker eigenbasis, in input order.
   */
  async dampedEigenbasisGradients(pre: EigenbasisPreconditioner, gradients: readonly Matrix[]): Promise<Matrix[]> {
    const out: Matrix[] = [];
    for (const chunk of this.chunks(pre, gradients)) {
      const r = await this.rotate(pre, chunk, 'none');
      for (let b = 0; b < chunk.length; b++) out.push(slab(r.x, b, pre.rows, pre.cols));
    }
    return out;
  }

  /**
   * M(q) = Q_S [(Q_Sᵀ G(q) Q_A) ⊘ (Λ + λ)] Q_Aᵀ for every gradient (o×(i+1), parameters per nat),
   * dense when `rank` is undefined, else its rank-r truncated SVD (r clamped to min(o, i+1)),
   * computed in the eigenbasis as `preconditionLayer` does: X ≈ U Σ Vᵀ, M ≈ (Q_S U) Σ (Q_A V)ᵀ.
   */
  async precondition(pre: EigenbasisPreconditioner, gradients: readonly Matrix[], rank: number | undefined): Promise<Array<Matrix | LowRankFactors>> {
    if (rank !== undefined && (!Number.isInteger(rank) || rank < 1)) throw new InvalidInputError(`rank must be a positive integer, got ${rank}`);
    const out: Array<Matrix | LowRankFactors> = [];
    for (const chunk of this.chunks(pre, gradients)) {
      if (rank === undefined) {
        const r = await this.rotate(pre, chunk, 'dense');
        for (let b = 0; b < chunk.length; b++) out.push(slab(r.m!, b, pre.rows, pre.cols));
      } else {
        out.push(...(await this.lowRank(pre, chunk, rank)));
      }
    }
    return out;
  }

  private *chunks(pre: EigenbasisPreconditioner, gradients: readonly Matrix[]): Generator<readonly Matrix[]> {
    for (const g of gradients) {
      assertShape('EigenbasisRotationRunner', 'G', g, pre.rows, pre.cols);
      assertFinite(g.data, { layer: pre.layer, tensor: 'G (query)' });
    }
    for (let i = 0; i < gradients.length; i += MAX_ROTATION_BATCH) yield gradients.slice(i, i + MAX_ROTATION_BATCH);
  }

  private async rotate(
    pre: EigenbasisPreconditioner,
    gradients: readonly Matrix[],
    extra: EigenbasisRotationShape['extra'],
  ): Promise<{ x: Float64Array; gram?: Float64Array; m?: Float64Array }> {
    const shape: EigenbasisRotationShape = { batch: gradients.length, rows: pre.rows, cols: pre.cols, extra };
    const { rows: o, cols: c } = shape;
    const session = await this.cache.get(`eigenbasis-rotation|${shape.batch}x${o}x${c}|${extra}`, this.settings, () =>
      serializeModel(buildEigenbasisRotationGraph(shape)),
    );
    const stacked = new Float64Array(shape.batch * o * c);
    gradients.forEach((g, b) => stacked.set(g.data, b * o * c));
    const res = await runSession(session, {
      [IO.gradients]: f64([shape.batch, o, c], stacked),
      [IO.qS]: f64([o, o], pre.qS.data),
      [IO.qA]: f64([c, c], pre.qA.data),
      [IO.denominator]: f64([o, c], dampedEigenvalues(pre).data),
    });
    const x = res[IO.x]!.data as Float64Array;
    assertFinite(x, { layer: pre.layer, tensor: 'M (preconditioned query)' });
    return { x, gram: res[IO.gram]?.data as Float64Array | undefined, m: res[IO.m]?.data as Float64Array | undefined };
  }

  private async lowRank(pre: EigenbasisPreconditioner, gradients: readonly Matrix[], rank: number): Promise<LowRankFactors[]> {
    const n = gradients.length;
    const { rows: o, cols: c } = pre;
    const r = Math.min(rank, o, c);
    const side = gramSide(o, c);
    const k = side === 'rows' ? o : c;
    const { x, gram } = await this.rotate(pre, gradients, 'gram');
    const basis = new Float64Array(n * k * r);
    for (let b = 0; b < n; b++) basis.set(gramBasis(slab(gram!, b, k, k), r, pre.layer).data, b * k * r);
    const shape = { batch: n, rows: o, cols: c, rank: r };
    const session = await this.cache.get(`low-rank-factors|${n}x${o}x${c}x${r}`, this.settings, () => serializeModel(buildLowRankFactorGraph(shape)));
    const res = await runSession(session, {
      [IO.x]: f64([n, o, c], x),
      [IO.basis]: f64([n, k, r], basis),
      [IO.qS]: f64([o, o], pre.qS.data),
      [IO.qA]: f64([c, c], pre.qA.data),
    });
    const other = side === 'rows' ? c : o; // rows of w and other_side
    const w = res[IO.w]!.data as Float64Array;
    const otherSide = res[IO.otherSide]!.data as Float64Array;
    const basisSide = res[IO.basisSide]!.data as Float64Array;
    const out: LowRankFactors[] = [];
    for (let b = 0; b < n; b++) {
      const sigma = normalizeColumns(slab(w, b, other, r));
      const scaled = slab(otherSide, b, other, r);
      for (let j = 0; j < r; j++) {
        const inv = sigma[j]! > 0 ? 1 / sigma[j]! : 0;
        for (let i = 0; i < other; i++) scaled.data[i * r + j]! *= inv;
      }
      const fromBasis = slab(basisSide, b, k, r);
      out.push(side === 'rows' ? { u: fromBasis, sigma, v: scaled } : { u: scaled, sigma, v: fromBasis });
    }
    return out;
  }
}
