import { InvalidInputError } from '../errors/tracebase.error';
import { matmulABt, matmulAtB, matrix, type Matrix, transpose } from './dense-matrix';
import { ShapeMismatchError } from './math.error';
import { symmetricEigen } from './symmetric-eigen';

/**
 * # Whitened search basis of a projection space (docs/design.md "Mathematics: Two-stage retrieval")
 *
 * Inner products are invariant under any invertible T applied to the documents with T⁻ᵀ applied
 * to the query: ⟨T⁻ᵀ y, T s⟩ = ⟨y, s⟩. The sketch an HNSW graph is built on can therefore live in
 * any basis without changing a single score; what changes is the geometry the graph search
 * walks. Document sketches s have second moment Σ = E[s sᵀ] = V diag(λ) Vᵀ, dominated by a few
 * high-curvature directions, while the query y = P H⁻¹ g is preconditioned by the inverse
 * curvature and so lives mostly in the directions where documents have little energy: every
 * document is nearly orthogonal to it (cosines of the top-100 ≈ 0.07 on the reference model's
 * replicated space), the query is far from the document distribution, and inner-product graph
 * search loses most of the true top-k. With
 *
 *   T = a · diag(d) Vᵀ,   d_k = (λ_k + ε λ_max)^{-1/2} / g,   T⁻ᵀ = a⁻¹ · diag(1/d) Vᵀ
 *
 * (g the geometric mean of the (λ + ελ_max)^{-1/2}, so that d has geometric mean 1; ε the
 * relative floor that keeps near-null directions from being amplified without bound; a a
 * document scale that keeps the half-precision values in range) documents become isotropic up
 * to the floor and the query is mapped like a whitened gradient, back into the documents'
 * distribution. Measured on the 100k replicated space (docs/benchmarks.md): recall@100 of the
 * reranked HNSW candidates 0.63 → 0.99.
 */
export interface SearchWhitening {
  /** D: the sketch dimension. */
  readonly dims: number;
  /** V, D×D row-major, eigenvectors of Σ in columns (V[i, k] = rotation[i·D + k]). */
  readonly rotation: Float64Array;
  /** d, length D (geometric mean 1). */
  readonly scales: Float64Array;
  /** a > 0: the documents' common scale factor. */
  readonly documentScale: number;
  /** Number of sketches Σ was estimated from. */
  readonly samples: number;
}

/** Relative eigenvalue floor ε (measured best of 1e-5 … 5e-2 on the reference model's spaces). */
export const SEARCH_WHITENING_FLOOR = 1e-3;
/** Largest |value| a whitened document sketch of the sample may have (half precision tops at 65 504). */
const DOCUMENT_VALUE_CEILING = 1024;

/**
 * Fits T from document sketches (each length D; at least 2 D of them, so that Σ is estimated
 * rather than rank-deficient). Σ = (1/n) Σ_j s_j s_jᵀ (uncentred: inner products, not
 * covariances, are what the search preserves).
 */
export function fitSearchWhitening(sketches: readonly Float32Array[], floor = SEARCH_WHITENING_FLOOR): SearchWhitening {
  const n = sketches.length;
  if (n === 0) throw new InvalidInputError('a search whitening needs document sketches, got none');
  const dims = sketches[0]!.length;
  if (n < 2 * dims) throw new InvalidInputError(`a search whitening of ${dims}-dim sketches needs at least ${2 * dims} documents, got ${n}`);
  if (!(floor > 0 && floor < 1)) throw new InvalidInputError(`the whitening floor must be in (0, 1), got ${floor}`);
  // Σ = Sᵀ S / n, accumulated over blocks of rows with the blocked GEMM
  const sigma = matrix(dims, dims);
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const block = sketchBlock(sketches, start, Math.min(n, start + BLOCK_ROWS), dims, 'fitSearchWhitening');
    const part = matmulAtB(block, block).data;
    for (let i = 0; i < part.length; i++) sigma.data[i]! += part[i]!;
  }
  for (let i = 0; i < sigma.data.length; i++) sigma.data[i]! /= n;
  const eigen = symmetricEigen(sigma);
  const top = Math.max(eigen.values[0]!, 0);
  if (!(top > 0)) throw new InvalidInputError('the document sketches are all zero: no search whitening');
  const raw = Float64Array.from(eigen.values, (l) => 1 / Math.sqrt(Math.max(l, 0) + floor * top));
  let logMean = 0;
  for (const r of raw) logMean += Math.log(r) / dims;
  const g = Math.exp(logMean);
  const scales = Float64Array.from(raw, (r) => r / g);
  const unscaled: SearchWhitening = { dims, rotation: eigen.vectors.data, scales, documentScale: 1, samples: n };
  let largest = 0;
  for (const v of whitenDocuments(unscaled, sketches)) for (const x of v) largest = Math.max(largest, Math.abs(x));
  return { ...unscaled, documentScale: largest > 0 ? DOCUMENT_VALUE_CEILING / largest : 1 };
}

const BLOCK_ROWS = 1024;

/** Rows start … end−1 of the sketches as an (end−start)×D float64 matrix (finite values only). */
function sketchBlock(sketches: readonly ArrayLike<number>[], start: number, end: number, dims: number, where: string): Matrix {
  const block = matrix(end - start, dims);
  for (let j = start; j < end; j++) {
    const sketch = sketches[j]!;
    if (sketch.length !== dims) throw new ShapeMismatchError(where, `sketch ${j} has ${sketch.length} dims, the basis ${dims}`);
    for (let i = 0; i < dims; i++) {
      const v = sketch[i]!;
      if (!Number.isFinite(v)) throw new InvalidInputError(`sketch ${j} has a non-finite value at ${i}`);
      block.data[(j - start) * dims + i] = v;
    }
  }
  return block;
}

/**
 * T s_j for many sketches at once (rows of S times V with the blocked GEMM): the same values as
 * {@link whitenDocument} one by one.
 */
export function whitenDocuments(w: SearchWhitening, sketches: readonly ArrayLike<number>[]): Float32Array[] {
  const { dims } = w;
  // matmulABt(S, Vᵀ) = S V
  const vt = transpose(matrix(dims, dims, w.rotation));
  const out: Float32Array[] = [];
  for (let start = 0; start < sketches.length; start += BLOCK_ROWS) {
    const end = Math.min(sketches.length, start + BLOCK_ROWS);
    const z = matmulABt(sketchBlock(sketches, start, end, dims, 'whitenDocuments'), vt).data;
    for (let j = 0; j < end - start; j++) {
      out.push(Float32Array.from({ length: dims }, (_, k) => toHalfRange(w.documentScale * w.scales[k]! * z[j * dims + k]!)));
    }
  }
  return out;
}

/** z = Vᵀ v (length D): the query side's rotation. */
function rotate(w: SearchWhitening, v: ArrayLike<number>): Float64Array {
  const { dims, rotation } = w;
  if (v.length !== dims) throw new ShapeMismatchError('search whitening', `vector has ${v.length} dims, the basis ${dims}`);
  const z = new Float64Array(dims);
  for (let i = 0; i < dims; i++) {
    const vi = v[i]!;
    if (vi === 0) continue;
    const row = i * dims;
    for (let k = 0; k < dims; k++) z[k]! += rotation[row + k]! * vi;
  }
  return z;
}

/**
 * Clamps to ±65 504, the largest half-precision value: a document far outside the fitted sample
 * keeps a stored, searchable vector (its candidates are reranked exactly anyway).
 */
function toHalfRange(v: number): number {
  return Math.max(-HALF_MAX, Math.min(HALF_MAX, v));
}
const HALF_MAX = 65_504;

/** T s = a · diag(d) Vᵀ s: a document sketch in the search basis (clamped to half precision's range). */
export function whitenDocument(w: SearchWhitening, sketch: ArrayLike<number>): Float32Array {
  return whitenDocuments(w, [sketch])[0]!;
}

/**
 * T⁻ᵀ y = a⁻¹ · diag(1/d) Vᵀ y, divided by c = max_k |·| / 1024 so that it fits half precision
 * (an ordering by ⟨·, T s⟩ is unchanged by c > 0). Returns the vector and c:
 * ⟨vector, T s⟩ · c = ⟨y, s⟩.
 */
export function whitenQuery(w: SearchWhitening, query: ArrayLike<number>): { vector: Float32Array; scale: number } {
  const z = rotate(w, query);
  const out = Float64Array.from(z, (v, k) => v / (w.documentScale * w.scales[k]!));
  let largest = 0;
  for (const v of out) largest = Math.max(largest, Math.abs(v));
  const scale = largest > 0 ? largest / DOCUMENT_VALUE_CEILING : 1;
  return { vector: Float32Array.from(out, (v) => v / scale), scale };
}

const HEADER = 4; // float64 slots: dims, documentScale, samples, format version
const FORMAT = 1;

/** Little-endian float64 bytes: [D, a, n, version, d (D), V (D²)]. */
export function encodeSearchWhitening(w: SearchWhitening): Uint8Array {
  const out = new Float64Array(HEADER + w.dims + w.dims * w.dims);
  out[0] = w.dims;
  out[1] = w.documentScale;
  out[2] = w.samples;
  out[3] = FORMAT;
  out.set(w.scales, HEADER);
  out.set(w.rotation, HEADER + w.dims);
  return new Uint8Array(out.buffer);
}

/** Inverse of {@link encodeSearchWhitening}; names what is wrong with malformed bytes. */
export function decodeSearchWhitening(bytes: Uint8Array): SearchWhitening {
  if (bytes.byteLength % 8 !== 0 || bytes.byteLength < HEADER * 8)
    throw new InvalidInputError(`search whitening: ${bytes.byteLength} bytes is not a whitening record`);
  const f = new Float64Array(bytes.slice().buffer);
  const dims = f[0]!;
  if (f[3] !== FORMAT) throw new InvalidInputError(`search whitening: format ${f[3]} is not ${FORMAT}`);
  if (!Number.isInteger(dims) || dims < 1 || f.length !== HEADER + dims + dims * dims) {
    throw new InvalidInputError(`search whitening: ${f.length} values do not hold a ${dims}-dim basis`);
  }
  return {
    dims,
    documentScale: f[1]!,
    samples: f[2]!,
    scales: f.slice(HEADER, HEADER + dims),
    rotation: f.slice(HEADER + dims),
  };
}
