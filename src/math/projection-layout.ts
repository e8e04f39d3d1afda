import { InvalidInputError } from '../errors/tracebase.error';
import { assertShape, Matrix, matrix } from './dense-matrix';
import { ShapeMismatchError } from './math.error';

/** pgvector `vector` columns are stored up to this many dimensions (x_d, y_q). */
export const MAX_FULL_PROJECTION_DIMS = 16000;
/** HNSW-indexable `halfvec` limit: the sketch's maximum dimension. */
export const MAX_SKETCH_DIMS = 4000;

/** Per-layer ranks of a projection: the layer block is r_o×r_i. */
export interface ProjectionLayerSpec {
  /** Tracked layer name (unique within a layout). */
  readonly name: string;
  /** r_o, rows of P_ℓ. */
  readonly outputRank: number;
  /** r_i, rows of R_ℓ. */
  readonly inputRank: number;
}

/** Where a layer's block lives in the concatenated vector. */
export interface ProjectionLayerBlock extends ProjectionLayerSpec {
  /** First index of the block in the vector. */
  readonly offset: number;
  /** r_o · r_i. */
  readonly length: number;
}

/**
 * Layout of x_d = concat_ℓ vec(P_ℓ G_ℓ(d) R_ℓᵀ) and y_q = concat_ℓ vec(P_ℓ M_ℓ(q) R_ℓᵀ)
 * (docs/design.md "Mathematics"): layers in the given order, each block the row-major flattening of its r_o×r_i
 * matrix (entry (a, b) at `offset + a·r_i + b`).
 */
export interface ProjectionLayout {
  readonly layers: readonly ProjectionLayerBlock[];
  /** Σ_ℓ r_o·r_i. */
  readonly dims: number;
}

/**
 * Builds a layout from per-layer ranks, refusing empty or duplicate names, non-positive ranks
 * and totals above `maxDims` (default {@link MAX_FULL_PROJECTION_DIMS}).
 */
export function createProjectionLayout(specs: readonly ProjectionLayerSpec[], maxDims = MAX_FULL_PROJECTION_DIMS): ProjectionLayout {
  if (specs.length === 0) throw new InvalidInputError('a projection layout needs at least one layer');
  const seen = new Set<string>();
  let offset = 0;
  const layers = specs.map((s) => {
    if (!s.name) throw new InvalidInputError('projection layer name must not be empty');
    if (seen.has(s.name)) throw new InvalidInputError(`projection layer ${s.name} appears twice`);
    seen.add(s.name);
    for (const [k, v] of [
      ['outputRank', s.outputRank],
      ['inputRank', s.inputRank],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(`layer ${s.name}: ${k} must be a positive integer, got ${v}`);
    }
    const block = { name: s.name, outputRank: s.outputRank, inputRank: s.inputRank, offset, length: s.outputRank * s.inputRank };
    offset += block.length;
    return block;
  });
  if (offset > maxDims) throw new InvalidInputError(`projection has ${offset} dimensions, more than the limit ${maxDims}`, { dims: offset, maxDims });
  return { layers, dims: offset };
}

/** Concatenates per-layer projected blocks (each r_o×r_i, in layout order) into one vector. */
export function concatLayerBlocks(layout: ProjectionLayout, blocks: readonly Matrix[]): Float64Array {
  if (blocks.length !== layout.layers.length) {
    throw new ShapeMismatchError('concatLayerBlocks', `layout has ${layout.layers.length} layers, got ${blocks.length} blocks`);
  }
  const out = new Float64Array(layout.dims);
  layout.layers.forEach((l, k) => {
    assertShape('concatLayerBlocks', `block of layer ${l.name}`, blocks[k]!, l.outputRank, l.inputRank);
    out.set(blocks[k]!.data, l.offset);
  });
  return out;
}

/** Copies layer `index`'s block out of a vector laid out by `layout` (r_o×r_i). */
export function layerBlock(layout: ProjectionLayout, vector: Float64Array, index: number): Matrix {
  checkLength('layerBlock', layout, vector);
  const l = layout.layers[index];
  if (l === undefined) throw new InvalidInputError(`layout has no layer ${index}`);
  return matrix(l.outputRank, l.inputRank, vector.slice(l.offset, l.offset + l.length));
}

/**
 * Layer-wise terms of ⟨y_q, x_d⟩: entry ℓ is ⟨block_ℓ(y), block_ℓ(x)⟩ (≈ the layer's term of
 * I(q, d)); they sum to the full inner product.
 */
export function layerwiseInner(layout: ProjectionLayout, y: Float64Array, x: Float64Array): Float64Array {
  checkLength('layerwiseInner', layout, y);
  checkLength('layerwiseInner', layout, x);
  const out = new Float64Array(layout.layers.length);
  layout.layers.forEach((l, k) => {
    let s = 0;
    for (let i = l.offset; i < l.offset + l.length; i++) s += y[i]! * x[i]!;
    out[k] = s;
  });
  return out;
}

function checkLength(op: string, layout: ProjectionLayout, v: Float64Array): void {
  if (v.length !== layout.dims) throw new ShapeMismatchError(op, `vector has ${v.length} entries, layout has ${layout.dims}`);
}
