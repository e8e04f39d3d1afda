import { GRADIENT_RULES } from '../../src/onnx/gradient.registry';
import { GradCase, checkGradient } from './gradient-check';

/** Finite-difference cases; together they must exercise every registered rule. */
const cases: GradCase[] = [
  { name: 'Add with broadcast [2,3]+[3]', inputs: [{ shape: [2, 3] }, { shape: [3] }], f: (b, [x, y]) => b.add(x!, y!) },
  { name: 'Sub with broadcast [2,3]-[1,3]', inputs: [{ shape: [2, 3] }, { shape: [1, 3] }], f: (b, [x, y]) => b.sub(x!, y!) },
  { name: 'Mul with broadcast [2,3]*[2,1]', inputs: [{ shape: [2, 3] }, { shape: [2, 1] }], f: (b, [x, y]) => b.mul(x!, y!) },
  { name: 'Mul of a value with itself', inputs: [{ shape: [4] }], f: (b, [x]) => b.mul(x!, x!) },
  { name: 'Div with broadcast [2,3]/[3]', inputs: [{ shape: [2, 3] }, { shape: [3], positive: true }], f: (b, [x, y]) => b.div(x!, y!) },
  { name: 'Neg', inputs: [{ shape: [5] }], f: (b, [x]) => b.neg(x!) },
  { name: 'Tanh', inputs: [{ shape: [2, 3] }], f: (b, [x]) => b.tanh(x!) },
  { name: 'Sqrt', inputs: [{ shape: [5], positive: true }], f: (b, [x]) => b.sqrt(x!) },
  { name: 'Reciprocal', inputs: [{ shape: [5], positive: true }], f: (b, [x]) => b.reciprocal(x!) },
  { name: 'Exp', inputs: [{ shape: [5] }], f: (b, [x]) => b.exp(x!) },
  { name: 'Log', inputs: [{ shape: [5], positive: true }], f: (b, [x]) => b.log(x!) },
  { name: 'Gelu (tanh approximation)', inputs: [{ shape: [3, 4] }], f: (b, [x]) => b.geluTanh(b.mul(x!, b.scalar(2, 'float64'))) },
  { name: 'Gelu in float32 (the production kernel)', dtype: 'float32', inputs: [{ shape: [3, 4] }], f: (b, [x]) => b.geluTanh(x!) },
  {
    name: 'LayerNormalization (x, γ, β)',
    inputs: [{ shape: [2, 3, 5] }, { shape: [5] }, { shape: [5] }],
    f: (b, [x, g, bt]) => b.layerNorm(x!, g!, bt!, 1e-5),
  },
  { name: 'LayerNormalization with large ε', inputs: [{ shape: [4, 3] }, { shape: [3] }, { shape: [3] }], f: (b, [x, g, bt]) => b.layerNorm(x!, g!, bt!, 0.5) },
  { name: 'Identity', inputs: [{ shape: [3] }], f: (b, [x]) => b.identity(x!) },
  {
    name: 'Cast float64→float64',
    inputs: [{ shape: [3] }],
    f: (b, [x]) => b.node('Cast', [x!], [{ dtype: 'float64', shape: [3] }], { to: { kind: 'int', value: 11 } })[0]!,
  },
  { name: 'MatMul activations × weight [2,3,4]@[4,5]', inputs: [{ shape: [2, 3, 4] }, { shape: [4, 5] }], f: (b, [x, y]) => b.matmul(x!, y!) },
  { name: 'MatMul batched [2,3,4]@[2,4,5]', inputs: [{ shape: [2, 3, 4] }, { shape: [2, 4, 5] }], f: (b, [x, y]) => b.matmul(x!, y!) },
  { name: 'MatMul broadcast left [3,4]@[2,4,5]', inputs: [{ shape: [3, 4] }, { shape: [2, 4, 5] }], f: (b, [x, y]) => b.matmul(x!, y!) },
  { name: 'Transpose perm [2,0,1]', inputs: [{ shape: [2, 3, 4] }], f: (b, [x]) => b.transpose(x!, [2, 0, 1]) },
  { name: 'Reshape [2,3,4]→[6,4]', inputs: [{ shape: [2, 3, 4] }], f: (b, [x]) => b.reshape(x!, [6, 4]) },
  { name: 'Expand [3,1]→[2,3,4]', inputs: [{ shape: [3, 1] }], f: (b, [x]) => b.expand(x!, [2, 3, 4]) },
  { name: 'Split, one piece used', inputs: [{ shape: [2, 5] }], f: (b, [x]) => b.split(x!, 1, [2, 3])[1]! },
  {
    name: 'Split, pieces recombined',
    inputs: [{ shape: [2, 5] }],
    f: (b, [x]) => {
      const [p, q] = b.split(x!, 1, [2, 3]);
      return b.matmul(b.transposeLast2(p!), q!);
    },
  },
  { name: 'Concat axis 1', inputs: [{ shape: [2, 2] }, { shape: [2, 3] }], f: (b, [x, y]) => b.concat([x!, y!], 1) },
  { name: 'ReduceSum keepdims', inputs: [{ shape: [2, 3, 4] }], f: (b, [x]) => b.reduceSum(x!, [1], true) },
  { name: 'ReduceSum no keepdims', inputs: [{ shape: [2, 3, 4] }], f: (b, [x]) => b.reduceSum(x!, [0, 2], false) },
  { name: 'ReduceMean', inputs: [{ shape: [2, 3, 4] }], f: (b, [x]) => b.reduceMean(x!, [-1], true) },
  { name: 'Softmax', inputs: [{ shape: [2, 5] }], f: (b, [x]) => b.softmax(x!, -1) },
  { name: 'LogSoftmax', inputs: [{ shape: [2, 5] }], f: (b, [x]) => b.logSoftmax(x!, -1) },
  {
    name: 'Gather with repeated indices',
    inputs: [{ shape: [5, 3] }],
    f: (b, [x]) => b.gather(x!, b.constant(BigInt64Array.from([1n, 3n, 1n, 4n, 1n, 0n]), [2, 3], 'int64')),
  },
  {
    name: 'GatherElements axis -1',
    inputs: [{ shape: [2, 3, 4] }],
    f: (b, [x]) => b.gatherElements(x!, b.constant(BigInt64Array.from([3n, 0n, 2n, 2n, 1n, 0n]), [2, 3, 1], 'int64'), -1),
  },
];

describe('gradient rules vs central finite differences (float64; one float32 kernel check)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await checkGradient(c);
    expect(r.norm).toBeGreaterThan(1e-3);
    // float32 cases: h = 1e-2, so O(h²) truncation and float32 rounding bound the agreement
    expect(r.relErr).toBeLessThan(c.dtype === 'float32' ? 5e-3 : 1e-7);
  });

  it('every registered rule is exercised by some case', async () => {
    const covered = new Set<string>();
    for (const c of cases) {
      const { ops } = await checkGradient(c);
      ops.forEach((o) => covered.add(o));
    }
    const missing = GRADIENT_RULES.map((r) => r.op).filter((op) => !covered.has(op));
    expect(missing).toEqual([]);
  });
});
