import { InvalidInputError } from '../errors/tracebase.error';
import { createProjectionLayout, MAX_SKETCH_DIMS, ProjectionLayout } from './projection-layout';
import { ShapeMismatchError } from './math.error';

/**
 * Which projection produced a vector: seeded Gaussian, the top eigenvectors, or seeded Gaussian
 * after whitening in the eigenbasis (`whitened`, prefix-stable like `gaussian`).
 */
export type ProjectionKind = 'gaussian' | 'eigenbasis' | 'whitened';

/**
 * # The sketch (first stage of two-stage retrieval, docs/design.md "Mathematics")
 *
 * Design: the sketch of layer ℓ is the **leading k_o×k_i sub-block** of the layer's full
 * r_o×r_i block (k_o ≤ r_o, k_i ≤ r_i), multiplied by `√(r_o·r_i / (k_o·k_i))` for Gaussian
 * projections (1 for eigenbasis projections). Because Gaussian projection matrices are
 * prefix-stable (row k is the same N(0,1) draw for every rank, scaled by 1/√rank), this is
 * *exactly* the projection with ranks (k_o, k_i) from the same seed: P'_ℓ = √(r_o/k_o) P_ℓ[:k_o]
 * has entries N(0, 1/k_o), so the sketch inner product is again unbiased. For the eigenbasis
 * variant the sub-block is the projection onto the top k_o / k_i eigenvectors.
 *
 * Consequences: the sketch is derived from the stored full vector without recomputing any
 * gradient, query and document sketches use the same rule, and changing the sketch ranks never
 * needs the model. The price is that sketch and full vector are not independent estimates
 * (fine: the full vector only reranks the sketch's candidates).
 */
export function createSketchLayout(
  full: ProjectionLayout,
  ranks: readonly { readonly outputRank: number; readonly inputRank: number }[],
  maxDims = MAX_SKETCH_DIMS,
): ProjectionLayout {
  if (ranks.length !== full.layers.length) throw new ShapeMismatchError('createSketchLayout', `${full.layers.length} layers, ${ranks.length} sketch ranks`);
  const specs = full.layers.map((l, k) => {
    const s = ranks[k]!;
    if (s.outputRank > l.outputRank || s.inputRank > l.inputRank) {
      throw new InvalidInputError(
        `layer ${l.name}: sketch ranks ${s.outputRank}×${s.inputRank} exceed the full projection ranks ${l.outputRank}×${l.inputRank}`,
      );
    }
    return { name: l.name, outputRank: s.outputRank, inputRank: s.inputRank };
  });
  return createProjectionLayout(specs, maxDims);
}

/**
 * Sketch ranks by one common shrink factor f ≤ 1: k = max(1, floor(f·r)) per layer and side,
 * with the largest f (searched in steps of 1/1024) whose total fits `maxDims`.
 */
export function proportionalSketchRanks(full: ProjectionLayout, maxDims = MAX_SKETCH_DIMS): { outputRank: number; inputRank: number }[] {
  const at = (f: number) =>
    full.layers.map((l) => ({ outputRank: Math.max(1, Math.floor(f * l.outputRank)), inputRank: Math.max(1, Math.floor(f * l.inputRank)) }));
  const dims = (r: { outputRank: number; inputRank: number }[]) => r.reduce((s, x) => s + x.outputRank * x.inputRank, 0);
  for (let step = 1024; step >= 1; step--) {
    const r = at(step / 1024);
    if (dims(r) <= maxDims) return r;
  }
  const minimal = at(0);
  if (dims(minimal) > maxDims) throw new InvalidInputError(`even 1×1 per layer (${dims(minimal)} dims) exceeds the sketch limit ${maxDims}`);
  return minimal;
}

/**
 * The sketch of a full projected vector (x_d or y_q): per layer the leading k_o×k_i sub-block,
 * scaled by √(r_o r_i / (k_o k_i)) for `gaussian` and `whitened` (1 for `eigenbasis`). Length `sketch.dims`.
 */
export function sketchVector(full: ProjectionLayout, sketch: ProjectionLayout, x: Float64Array, kind: ProjectionKind): Float64Array {
  if (x.length !== full.dims) throw new ShapeMismatchError('sketchVector', `vector has ${x.length} entries, full layout has ${full.dims}`);
  if (sketch.layers.length !== full.layers.length) throw new ShapeMismatchError('sketchVector', 'sketch and full layouts have different layers');
  const out = new Float64Array(sketch.dims);
  full.layers.forEach((l, k) => {
    const s = sketch.layers[k]!;
    if (s.name !== l.name || s.outputRank > l.outputRank || s.inputRank > l.inputRank) {
      throw new ShapeMismatchError('sketchVector', `sketch layer ${s.name} does not fit full layer ${l.name}`);
    }
    const scale = kind !== 'eigenbasis' ? Math.sqrt((l.outputRank * l.inputRank) / (s.outputRank * s.inputRank)) : 1;
    for (let a = 0; a < s.outputRank; a++)
      for (let b = 0; b < s.inputRank; b++) out[s.offset + a * s.inputRank + b] = scale * x[l.offset + a * l.inputRank + b]!;
  });
  return out;
}
