import { InvalidInputError, TracebaseError } from '../errors/tracebase.error';

/**
 * Two operands whose dimensions do not fit together (e.g. `matmul` of an m×k by a j×n matrix
 * with k ≠ j, or a gradient whose shape differs from the layer's o×(i+1)).
 */
export class ShapeMismatchError extends InvalidInputError {
  constructor(operation: string, detail: string, details: Record<string, unknown> = {}) {
    super(`${operation}: shape mismatch: ${detail}`, { operation, ...details });
  }
}

/** Where a tensor comes from, so that an error can name it. */
export interface TensorLabel {
  /** Tracked layer name, e.g. `h.3.mlp.c_fc`; absent for tensors that are not per layer. */
  readonly layer?: string;
  /** Tensor name within the layer, e.g. `A`, `S`, `G(query)`, `Λ`. */
  readonly tensor: string;
}

/** Formats a label as `layer h.3.mlp.c_fc, tensor A` (or `tensor A`). */
export function describeTensor(label: TensorLabel): string {
  return label.layer === undefined ? `tensor ${label.tensor}` : `layer ${label.layer}, tensor ${label.tensor}`;
}

/**
 * A NaN or ±Inf in a gradient, factor or score. Names the layer and tensor and the first
 * offending flat (row-major) index, so a diverging run can be traced to its source.
 */
export class NonFiniteValueError extends TracebaseError {
  constructor(
    readonly label: TensorLabel,
    readonly index: number,
    readonly value: number,
  ) {
    super('NON_FINITE_VALUE', `${describeTensor(label)}: non-finite value ${String(value)} at flat index ${index}`, {
      layer: label.layer,
      tensor: label.tensor,
      index,
      value: String(value),
    });
  }
}

/** An iterative method (e.g. the QL eigenvalue iteration) that did not converge. */
export class NotConvergedError extends TracebaseError {
  constructor(method: string, detail: string) {
    super('NOT_CONVERGED', `${method} did not converge: ${detail}`, { method });
  }
}
