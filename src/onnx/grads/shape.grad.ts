import { GradientRule, only, unbroadcast } from '../gradient-rule';

/** Y = transpose(X, perm): ∂X = transpose(G, perm⁻¹). */
export const transposeGrad: GradientRule = {
  op: 'Transpose',
  grad: (b, n, gs) => {
    const attr = n.attrs.perm;
    const perm = attr && attr.kind === 'ints' ? attr.value : [];
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [b.transpose(only(gs), inv), undefined];
  },
};

/** Y = reshape(X): ∂X = reshape(G, shape(X)); the shape input has no gradient. */
export const reshapeGrad: GradientRule = {
  op: 'Reshape',
  grad: (b, n, gs) => [b.reshape(only(gs), n.inputs[0]!.shape), undefined],
};

/** Y = expand(X, shape): ∂X = G summed over the broadcast axes. */
export const expandGrad: GradientRule = {
  op: 'Expand',
  grad: (b, n, gs) => [unbroadcast(b, only(gs), n.inputs[0]!.shape), undefined],
};

/** Split along an axis: ∂X = concat of the piece gradients (zeros for pieces not reaching the loss). */
export const splitGrad: GradientRule = {
  op: 'Split',
  grad: (b, n, gs) => {
    const axisAttr = n.attrs.axis;
    const axis = axisAttr && axisAttr.kind === 'int' ? axisAttr.value : 0;
    const parts = n.outputs.map((o, i) => gs[i] ?? b.zeros(o.shape, o.dtype));
    return [b.concat(parts, axis), undefined];
  },
};

/** Concat along an axis: ∂X_i = the i-th slice of G (a Split of G). */
export const concatGrad: GradientRule = {
  op: 'Concat',
  grad: (b, n, gs) => {
    const axisAttr = n.attrs.axis;
    const axis = axisAttr && axisAttr.kind === 'int' ? axisAttr.value : 0;
    return b.split(
      only(gs),
      axis,
      n.inputs.map((x) => x!.shape[axis]!),
    );
  },
};
