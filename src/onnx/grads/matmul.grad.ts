import { GraphBuilder } from '../graph.builder';
import { Value } from '../graph.types';
import { GradientRule, only, unbroadcast } from '../gradient-rule';

/**
 * Y = A·B (batched, broadcasting): ∂A = G·Bᵀ, ∂B = Aᵀ·G, each summed over broadcast batch axes.
 * When B is a plain matrix shared over the batch (a weight), its gradient is one 2-D product over
 * the flattened batch: ∂B = reshape(A)[rows, K]ᵀ · reshape(G)[rows, N].
 */
export const matmulGrad: GradientRule = {
  op: 'MatMul',
  grad: (b, n, gs) => {
    const A = n.inputs[0]!;
    const B = n.inputs[1]!;
    const G = only(gs);
    return [gradLeft(b, A, B, G), gradRight(b, A, B, G)];
  },
};

function gradLeft(b: GraphBuilder, A: Value, B: Value, G: Value): Value {
  return unbroadcast(b, b.matmul(G, b.transposeLast2(B)), A.shape);
}

function gradRight(b: GraphBuilder, A: Value, B: Value, G: Value): Value {
  if (B.shape.length === 2 && A.shape.length > 2) {
    const k = A.shape[A.shape.length - 1]!;
    const nOut = G.shape[G.shape.length - 1]!;
    const rows = A.shape.slice(0, -1).reduce((x, y) => x * y, 1);
    if (G.shape.slice(0, -1).reduce((x, y) => x * y, 1) === rows) {
      return b.matmul(b.transposeLast2(b.reshape(A, [rows, k])), b.reshape(G, [rows, nOut]));
    }
  }
  return unbroadcast(b, b.matmul(b.transposeLast2(A), G), B.shape);
}
