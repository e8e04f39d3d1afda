import { Attribute, DType, GraphNode, Initializer, TensorData, Value, numel } from './graph.types';

/** Raised when an op is applied to values of incompatible dtypes or shapes. */
export class GraphBuildError extends Error {
  override name = 'GraphBuildError';
}

function fail(msg: string): never {
  throw new GraphBuildError(msg);
}

/** Numpy-style broadcast of two static shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) fail(`cannot broadcast [${a}] with [${b}]`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/**
 * A typed, statically shaped ONNX graph under construction (default opset 20). Every op
 * method checks dtypes, infers the output shape, and appends one node; values are immutable
 * handles. Nodes are kept in topological order (each node only uses earlier values), which the
 * autodiff relies on.
 */
export class GraphBuilder {
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  readonly nodes: GraphNode[] = [];
  readonly initializers: Initializer[] = [];
  private readonly names = new Set<string>();
  private counter = 0;
  private readonly scalarCache = new Map<string, Value>();

  constructor(readonly opset = 20) {}

  /** A fresh unique name starting with `hint`. */
  fresh(hint: string): string {
    let name = hint;
    while (this.names.has(name)) name = `${hint}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  /** Declares a graph input. */
  input(name: string, dtype: DType, shape: readonly number[]): Value {
    if (this.names.has(name)) fail(`duplicate value name ${name}`);
    this.names.add(name);
    const v: Value = { name, dtype, shape: [...shape] };
    this.inputs.push(v);
    return v;
  }

  /** Declares `v` as a graph output named `name` (an Identity node renames it if needed). */
  output(v: Value, name?: string): Value {
    let out = v;
    if (name !== undefined && name !== v.name) {
      if (this.names.has(name)) fail(`duplicate value name ${name}`);
      this.names.add(name);
      out = { name, dtype: v.dtype, shape: v.shape };
      this.nodes.push({ op: 'Identity', inputs: [v], outputs: [out], attrs: {} });
    }
    this.outputs.push(out);
    return out;
  }

  /** A constant tensor (initializer). */
  constant(data: TensorData, shape: readonly number[], dtype: DType, hint = 'const'): Value {
    if (data.length !== numel(shape)) fail(`constant ${hint}: ${data.length} elements for shape [${shape}]`);
    const v: Value = { name: this.fresh(hint), dtype, shape: [...shape] };
    this.initializers.push({ value: v, data });
    return v;
  }

  /** A rank-0 floating or int64 constant, shared between uses. */
  scalar(x: number, dtype: DType): Value {
    const key = `${dtype}:${x}`;
    const hit = this.scalarCache.get(key);
    if (hit) return hit;
    const data =
      dtype === 'float32'
        ? Float32Array.of(x)
        : dtype === 'float64'
          ? Float64Array.of(x)
          : dtype === 'int64'
            ? BigInt64Array.of(BigInt(x))
            : Uint8Array.of(x ? 1 : 0);
    const v = this.constant(data, [], dtype, 'scalar');
    this.scalarCache.set(key, v);
    return v;
  }

  /** A 1-D int64 constant (shapes, axes, split sizes). */
  ints(values: readonly number[], hint = 'ints'): Value {
    return this.constant(BigInt64Array.from(values.map((x) => BigInt(x))), [values.length], 'int64', hint);
  }

  /** Appends a node with explicit output dtypes/shapes; used by the op methods and grad rules. */
  node(
    op: string,
    inputs: ReadonlyArray<Value | null>,
    outs: ReadonlyArray<{ dtype: DType; shape: readonly number[] }>,
    attrs: Record<string, Attribute> = {},
    hint?: string,
  ): Value[] {
    const outputs = outs.map((o) => ({ name: this.fresh(hint ?? op.toLowerCase()), dtype: o.dtype, shape: [...o.shape] }));
    this.nodes.push({ op, inputs: [...inputs], outputs, attrs });
    return outputs;
  }

  private one(op: string, inputs: ReadonlyArray<Value | null>, dtype: DType, shape: readonly number[], attrs: Record<string, Attribute> = {}): Value {
    return this.node(op, inputs, [{ dtype, shape }], attrs)[0]!;
  }

  private sameType(op: string, a: Value, b: Value): void {
    if (a.dtype !== b.dtype) fail(`${op}: dtype mismatch ${a.name}:${a.dtype} vs ${b.name}:${b.dtype}`);
  }

  private binary(op: string, a: Value, b: Value): Value {
    this.sameType(op, a, b);
    return this.one(op, [a, b], a.dtype, broadcastShapes(a.shape, b.shape));
  }

  add(a: Value, b: Value): Value {
    return this.binary('Add', a, b);
  }
  sub(a: Value, b: Value): Value {
    return this.binary('Sub', a, b);
  }
  mul(a: Value, b: Value): Value {
    return this.binary('Mul', a, b);
  }
  div(a: Value, b: Value): Value {
    return this.binary('Div', a, b);
  }

  private unary(op: string, x: Value): Value {
    return this.one(op, [x], x.dtype, x.shape);
  }
  neg(x: Value): Value {
    return this.unary('Neg', x);
  }
  tanh(x: Value): Value {
    return this.unary('Tanh', x);
  }
  sqrt(x: Value): Value {
    return this.unary('Sqrt', x);
  }
  reciprocal(x: Value): Value {
    return this.unary('Reciprocal', x);
  }
  exp(x: Value): Value {
    return this.unary('Exp', x);
  }
  log(x: Value): Value {
    return this.unary('Log', x);
  }
  identity(x: Value): Value {
    return this.unary('Identity', x);
  }

  /**
   * GELU with the tanh approximation (ONNX Gelu, opset ≥ 20, approximate = "tanh"), i.e. HF
   * `gelu_new`: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
   */
  geluTanh(x: Value): Value {
    if (this.opset < 20) fail(`Gelu needs opset ≥ 20 (builder has ${this.opset})`);
    return this.one('Gelu', [x], x.dtype, x.shape, { approximate: { kind: 'string', value: 'tanh' } });
  }

  /**
   * LayerNormalization over the last axis (opset ≥ 17): y = (x − μ)/√(σ² + ε) · γ + β, with μ, σ²
   * the mean and (biased) variance of the last axis; γ, β of shape [last].
   */
  layerNorm(x: Value, gamma: Value, beta: Value, epsilon: number): Value {
    const d = x.shape[x.shape.length - 1];
    if (gamma.shape.length !== 1 || gamma.shape[0] !== d || beta.shape.length !== 1 || beta.shape[0] !== d)
      fail(`LayerNormalization: scale/bias must be [${d}]`);
    return this.one('LayerNormalization', [x, gamma, beta], x.dtype, x.shape, { axis: { kind: 'int', value: -1 }, epsilon: { kind: 'float', value: epsilon } });
  }

  /** Matrix product with numpy semantics for ranks ≥ 2: `[..., M, K] @ [..., K, N] → [..., M, N]`. */
  matmul(a: Value, b: Value): Value {
    this.sameType('MatMul', a, b);
    if (a.shape.length < 2 || b.shape.length < 2) fail('MatMul: operands must have rank ≥ 2');
    const [m, k] = a.shape.slice(-2) as [number, number];
    const [k2, n] = b.shape.slice(-2) as [number, number];
    if (k !== k2) fail(`MatMul: inner dimensions differ, [${a.shape}] @ [${b.shape}]`);
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return this.one('MatMul', [a, b], a.dtype, [...batch, m, n]);
  }

  /** Permutes axes: `out.shape[i] = x.shape[perm[i]]`. */
  transpose(x: Value, perm: readonly number[]): Value {
    if (perm.length !== x.shape.length) fail(`Transpose: perm [${perm}] for rank ${x.shape.length}`);
    return this.one(
      'Transpose',
      [x],
      x.dtype,
      perm.map((p) => x.shape[p]!),
      { perm: { kind: 'ints', value: [...perm] } },
    );
  }

  /** Swaps the last two axes. */
  transposeLast2(x: Value): Value {
    const r = x.shape.length;
    const perm = [...Array(r).keys()];
    perm[r - 2] = r - 1;
    perm[r - 1] = r - 2;
    return this.transpose(x, perm);
  }

  /** Reshape to a fully static shape (no -1 or 0). */
  reshape(x: Value, shape: readonly number[]): Value {
    if (numel(shape) !== numel(x.shape)) fail(`Reshape: [${x.shape}] to [${shape}] changes the element count`);
    if (shape.length === x.shape.length && shape.every((d, i) => d === x.shape[i])) return x;
    return this.one('Reshape', [x, this.ints(shape, 'shape')], x.dtype, shape);
  }

  /** Broadcasts `x` to `shape`. */
  expand(x: Value, shape: readonly number[]): Value {
    const out = broadcastShapes(x.shape, shape);
    if (out.length !== shape.length || out.some((d, i) => d !== shape[i])) fail(`Expand: [${x.shape}] does not broadcast to [${shape}]`);
    if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
    return this.one('Expand', [x, this.ints(shape, 'shape')], x.dtype, shape);
  }

  private reduce(op: string, x: Value, axes: readonly number[], keepdims: boolean): Value {
    const r = x.shape.length;
    const ax = axes.map((a) => normAxis(a, r));
    const shape = keepdims ? x.shape.map((d, i) => (ax.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !ax.includes(i));
    if (ax.length === 0) return x;
    return this.one(op, [x, this.ints(ax, 'axes')], x.dtype, shape, { keepdims: { kind: 'int', value: keepdims ? 1 : 0 } });
  }
  /** Σ over `axes` (opset ≥ 13 form, axes as input). */
  reduceSum(x: Value, axes: readonly number[], keepdims = false): Value {
    return this.reduce('ReduceSum', x, axes, keepdims);
  }
  /** Mean over `axes` (opset ≥ 18 form, axes as input). */
  reduceMean(x: Value, axes: readonly number[], keepdims = false): Value {
    return this.reduce('ReduceMean', x, axes, keepdims);
  }

  /** softmax along `axis`: `y_i = exp(x_i) / Σ_j exp(x_j)`. */
  softmax(x: Value, axis = -1): Value {
    return this.one('Softmax', [x], x.dtype, x.shape, { axis: { kind: 'int', value: normAxis(axis, x.shape.length) } });
  }
  /** `y_i = x_i − log Σ_j exp(x_j)` along `axis`. */
  logSoftmax(x: Value, axis = -1): Value {
    return this.one('LogSoftmax', [x], x.dtype, x.shape, { axis: { kind: 'int', value: normAxis(axis, x.shape.length) } });
  }

  /** Splits along `axis` into pieces of the given sizes. */
  split(x: Value, axis: number, sizes: readonly number[]): Value[] {
    const a = normAxis(axis, x.shape.length);
    if (sizes.reduce((s, v) => s + v, 0) !== x.shape[a]) fail(`Split: sizes [${sizes}] do not sum to ${x.shape[a]}`);
    return this.node(
      'Split',
      [x, this.ints(sizes, 'split')],
      sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, i) => (i === a ? s : d)) })),
      { axis: { kind: 'int', value: a } },
    );
  }

  /** Concatenates along `axis`. */
  concat(xs: readonly Value[], axis: number): Value {
    const a = normAxis(axis, xs[0]!.shape.length);
    const shape = [...xs[0]!.shape];
    shape[a] = xs.reduce((s, v) => s + v.shape[a]!, 0);
    return this.one('Concat', xs, xs[0]!.dtype, shape, { axis: { kind: 'int', value: a } });
  }

  /** `out[i..., :] = data[indices[i...], :]` (axis 0). */
  gather(data: Value, indices: Value): Value {
    if (indices.dtype !== 'int64') fail('Gather: indices must be int64');
    return this.one('Gather', [data, indices], data.dtype, [...indices.shape, ...data.shape.slice(1)], { axis: { kind: 'int', value: 0 } });
  }

  /** `out[..., j, ...] = data[..., indices[..., j, ...], ...]` along `axis`. */
  gatherElements(data: Value, indices: Value, axis: number): Value {
    const a = normAxis(axis, data.shape.length);
    return this.one('GatherElements', [data, indices], data.dtype, indices.shape, { axis: { kind: 'int', value: a } });
  }

  /** Zeros of a static shape (ConstantOfShape, so no large initializer is stored). */
  zeros(shape: readonly number[], dtype: DType): Value {
    const valueData = dtype === 'float32' ? Float32Array.of(0) : dtype === 'float64' ? Float64Array.of(0) : BigInt64Array.of(0n);
    return this.one('ConstantOfShape', [this.ints(shape, 'shape')], dtype, shape, { value: { kind: 'tensor', dtype, shape: [1], data: valueData } });
  }

  /** `data` with `updates` added at `indices` (ScatterND, reduction "add"; duplicates accumulate). */
  scatterNDAdd(data: Value, indices: Value, updates: Value): Value {
    return this.one('ScatterND', [data, indices, updates], data.dtype, data.shape, { reduction: { kind: 'string', value: 'add' } });
  }

  /** `data` with `updates` added along `axis` at `indices` (ScatterElements, reduction "add"). */
  scatterElementsAdd(data: Value, indices: Value, updates: Value, axis: number): Value {
    return this.one('ScatterElements', [data, indices, updates], data.dtype, data.shape, {
      axis: { kind: 'int', value: normAxis(axis, data.shape.length) },
      reduction: { kind: 'string', value: 'add' },
    });
  }

  /** Index of the maximum along `axis` (int64). */
  argMax(x: Value, axis: number, keepdims = false): Value {
    const a = normAxis(axis, x.shape.length);
    const shape = keepdims ? x.shape.map((d, i) => (i === a ? 1 : d)) : x.shape.filter((_, i) => i !== a);
    return this.one('ArgMax', [x], 'int64', shape, { axis: { kind: 'int', value: a }, keepdims: { kind: 'int', value: keepdims ? 1 : 0 } });
  }

  /** Adds a unit axis at `axis` (via Reshape). */
  unsqueeze(x: Value, axis: number): Value {
    const a = axis < 0 ? axis + x.shape.length + 1 : axis;
    const shape = [...x.shape];
    shape.splice(a, 0, 1);
    return this.reshape(x, shape);
  }

  /** Element-type conversion. */
  cast(x: Value, to: DType): Value {
    if (x.dtype === to) return x;
    const codes: Record<DType, number> = { float32: 1, float64: 11, int64: 7, bool: 9 };
    return this.one('Cast', [x], to, x.shape, { to: { kind: 'int', value: codes[to] } });
  }
}
