import { GradientRule, only } from '../gradient-rule';

/**
 * Y = Gather(X, idx) on axis 0 (embedding lookup): ∂X = scatter-add of G rows into zeros,
 * ∂X[v] = Σ_{i: idx_i = v} G_i (ScatterND with reduction "add", repeated indices accumulate).
 */
export const gatherGrad: GradientRule = {
  op: 'Gather',
  grad: (b, n, gs) => {
    const x = n.inputs[0]!;
    const idx = n.inputs[1]!;
    const axis = n.attrs.axis;
    if (axis && axis.kind === 'int' && axis.value !== 0) throw new Error('Gather gradient: only axis 0 is supported');
    return [b.scatterNDAdd(b.zeros(x.shape, x.dtype), b.unsqueeze(idx, -1), only(gs)), undefined];
  },
};

/** Y = GatherElements(X, idx, axis): ∂X = ScatterElements(zeros, idx, G, axis, reduction "add"). */
export const gatherElementsGrad: GradientRule = {
  op: 'GatherElements',
  grad: (b, n, gs) => {
    const x = n.inputs[0]!;
    const axis = n.attrs.axis;
    const a = axis && axis.kind === 'int' ? axis.value : 0;
    return [b.scatterElementsAdd(b.zeros(x.shape, x.dtype), n.inputs[1]!, only(gs), a), undefined];
  },
};
