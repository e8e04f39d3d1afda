import { GradientRule } from './gradient-rule';
import { addGrad, divGrad, mulGrad, negGrad, subGrad } from './grads/elementwise-arithmetic.grad';
import { castGrad, expGrad, identityGrad, logGrad, reciprocalGrad, sqrtGrad, tanhGrad } from './grads/elementwise-math.grad';
import { gatherElementsGrad, gatherGrad } from './grads/gather.grad';
import { geluGrad } from './grads/gelu.grad';
import { layerNormGrad } from './grads/layer-norm.grad';
import { matmulGrad } from './grads/matmul.grad';
import { reduceMeanGrad, reduceSumGrad } from './grads/reduce.grad';
import { concatGrad, expandGrad, reshapeGrad, splitGrad, transposeGrad } from './grads/shape.grad';
import { logSoftmaxGrad, softmaxGrad } from './grads/softmax.grad';

/**
 * Every op the autodiff can differentiate, in one explicit list. Each rule is checked against
 * central finite differences in test/onnx/gradient-rules.test.ts, in float64: onnxruntime 1.30's
 * CPU provider has double kernels for every op used here (forward and backward, including
 * ScatterND/ScatterElements with reduction "add", Gelu and LayerNormalization); its double Gelu
 * and the 'all'-level fusions are accurate to ≈1e-10 relative rather than to the last bit, so
 * float64 verification graphs run at optimisation level 'basic'. Gelu is also checked in float32.
 */
export const GRADIENT_RULES: readonly GradientRule[] = [
  addGrad,
  subGrad,
  mulGrad,
  divGrad,
  negGrad,
  tanhGrad,
  sqrtGrad,
  reciprocalGrad,
  expGrad,
  logGrad,
  geluGrad,
  layerNormGrad,
  identityGrad,
  castGrad,
  matmulGrad,
  transposeGrad,
  reshapeGrad,
  expandGrad,
  splitGrad,
  concatGrad,
  reduceSumGrad,
  reduceMeanGrad,
  softmaxGrad,
  logSoftmaxGrad,
  gatherGrad,
  gatherElementsGrad,
];

/** Op types whose outputs are never differentiable (integer or index outputs). */
export const NON_DIFFERENTIABLE_OPS: ReadonlySet<string> = new Set(['ArgMax', 'ConstantOfShape', 'Shape', 'Equal', 'Less', 'Greater', 'Not', 'OneHot']);

const byOp = new Map(GRADIENT_RULES.map((r) => [r.op, r]));

/** The rule for `op`, or undefined. */
export function gradientRuleFor(op: string): GradientRule | undefined {
  return byOp.get(op);
}
