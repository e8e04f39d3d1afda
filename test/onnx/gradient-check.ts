import { buildGradients } from '../../src/onnx/autodiff';
import { GraphBuilder } from '../../src/onnx/graph.builder';
import { Value, numel } from '../../src/onnx/graph.types';
import { serializeModel } from '../../src/onnx/onnx.serializer';
import { createSession, runSession } from '../../src/onnx/ort.runner';
import { Mulberry32 } from '../../src/math/seeded-random';

/** One finite-difference case: input shapes (with an optional domain shift) and the function. */
export interface GradCase {
  name: string;
  inputs: { shape: number[]; positive?: boolean }[];
  /** Element type of the check (default float64). */
  dtype?: 'float32' | 'float64';
  f: (b: GraphBuilder, xs: Value[]) => Value;
}

/**
 * Checks autodiff against central finite differences (float64 unless the case says float32):
 * L(x) = Σ f(x) ⊙ W for a fixed random W; returns the relative error ‖g_autodiff − g_fd‖ / ‖g_fd‖ over all inputs, and the
 * ops the graph contained.
 */
export async function checkGradient(c: GradCase, seed = 7): Promise<{ relErr: number; ops: Set<string>; norm: number }> {
  const rng = new Mulberry32(seed);
  const b = new GraphBuilder();
  const dt = c.dtype ?? 'float64';
  const make = (n: number, f: () => number): Float64Array | Float32Array =>
    dt === 'float64' ? Float64Array.from({ length: n }, f) : Float32Array.from({ length: n }, f);
  const xs = c.inputs.map((s, i) => b.input(`x${i}`, dt, s.shape));
  const nBefore = b.nodes.length;
  const y = c.f(b, xs);
  const ops = new Set(b.nodes.slice(nBefore).map((n) => n.op));
  const w = make(numel(y.shape), () => rng.normal());
  const loss = b.reduceSum(
    b.mul(y, b.constant(w, y.shape, dt, 'w')),
    y.shape.map((_, i) => i),
    false,
  );
  b.output(loss, 'loss');
  const g = buildGradients(b, loss, xs);
  xs.forEach((x, i) => b.output(g.getOrZeros(x), `grad${i}`));
  const session = await createSession(serializeModel(b), { device: 'cpu', intraOpThreads: 1, interOpThreads: 1 });
  const values = c.inputs.map((s) => make(numel(s.shape), () => (s.positive ? 0.5 + rng.next() : rng.normal())));
  const feeds = () => Object.fromEntries(values.map((v, i) => [`x${i}`, { dtype: dt, dims: c.inputs[i]!.shape, data: v }]));
  const base = await runSession(session, feeds());
  const h = dt === 'float64' ? 1e-5 : 1e-2;
  let num = 0;
  let den = 0;
  for (let i = 0; i < values.length; i++) {
    const ana = base[`grad${i}`]!.data as Float64Array | Float32Array;
    const v = values[i]!;
    for (let j = 0; j < v.length; j++) {
      const x0 = v[j]!;
      v[j] = x0 + h;
      const lp = ((await runSession(session, feeds())).loss!.data as Float64Array | Float32Array)[0]!;
      v[j] = x0 - h;
      const lm = ((await runSession(session, feeds())).loss!.data as Float64Array | Float32Array)[0]!;
      v[j] = x0;
      const fd = (lp - lm) / (2 * h);
      num += (ana[j]! - fd) ** 2;
      den += fd ** 2;
    }
  }
  return { relErr: Math.sqrt(num / den), ops, norm: Math.sqrt(den) };
}
