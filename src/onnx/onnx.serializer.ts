import * as protobuf from 'protobufjs';

import { GraphBuilder } from './graph.builder';
import { Attribute, DType, ONNX_DTYPE_CODE, TensorData, Value } from './graph.types';
import { ONNX_PROTO_JSON } from './onnx.proto-schema';

const root = protobuf.Root.fromJSON(ONNX_PROTO_JSON as unknown as protobuf.INamespace);
const ModelProto = root.lookupType('onnx.ModelProto');

/** ONNX IR version written: 10 (ONNX 1.16, covers opsets ≤ 21; onnxruntime 1.30 reads IR ≤ 13). */
export const IR_VERSION = 10;

function rawBytes(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function tensorProto(name: string, dtype: DType, shape: readonly number[], data: TensorData): Record<string, unknown> {
  return { name, dataType: ONNX_DTYPE_CODE[dtype], dims: [...shape], rawData: rawBytes(data) };
}

function valueInfo(v: Value): Record<string, unknown> {
  return {
    name: v.name,
    type: { tensorType: { elemType: ONNX_DTYPE_CODE[v.dtype], shape: { dim: v.shape.map((d) => ({ dimValue: d })) } } },
  };
}

function attribute(name: string, a: Attribute): Record<string, unknown> {
  switch (a.kind) {
    case 'int':
      return { name, type: 2, i: a.value };
    case 'float':
      return { name, type: 1, f: a.value };
    case 'string':
      return { name, type: 3, s: Buffer.from(a.value, 'utf8') };
    case 'ints':
      return { name, type: 7, ints: a.value };
    case 'floats':
      return { name, type: 6, floats: a.value };
    case 'tensor':
      return { name, type: 4, t: tensorProto('', a.dtype, a.shape, a.data) };
  }
}

/**
 * Serialises a built graph to ONNX `ModelProto` bytes (IR {@link IR_VERSION}, default domain at
 * the builder's opset). Nodes and initializers no output depends on are dropped (the autodiff
 * emits gradients for constant operands too). Initializers are stored as little-endian `raw_data`.
 */
export function serializeModel(g: GraphBuilder, graphName = 'tracebase'): Uint8Array {
  // keep only nodes (and initializers) that some graph output depends on
  const needed = new Set(g.outputs.map((o) => o.name));
  const kept: typeof g.nodes = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (!n.outputs.some((o) => needed.has(o.name))) continue;
    kept.push(n);
    for (const x of n.inputs) if (x) needed.add(x.name);
  }
  kept.reverse();
  const model = {
    irVersion: IR_VERSION,
    producerName: 'tracebase',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: g.opset }],
    graph: {
      name: graphName,
      node: kept.map((n, i) => ({
        name: `n${i}_${n.op}`,
        opType: n.op,
        input: n.inputs.map((v) => (v ? v.name : '')),
        output: n.outputs.map((v) => v.name),
        attribute: Object.entries(n.attrs).map(([k, a]) => attribute(k, a)),
      })),
      initializer: g.initializers.filter((i) => needed.has(i.value.name)).map((i) => tensorProto(i.value.name, i.value.dtype, i.value.shape, i.data)),
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
  };
  const err = ModelProto.verify(model);
  if (err) throw new Error(`internal: ModelProto does not verify: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}
