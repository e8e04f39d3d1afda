import * as protobuf from 'protobufjs';

import { GraphBuilder, GraphBuildError, broadcastShapes } from '../../src/onnx/graph.builder';
import { IR_VERSION, serializeModel } from '../../src/onnx/onnx.serializer';
import { ONNX_PROTO_JSON } from '../../src/onnx/onnx.proto-schema';
import { createSession, runSession } from '../../src/onnx/ort.runner';
import { buildGradients, MissingGradientRuleError } from '../../src/onnx/autodiff';

const ModelProto = protobuf.Root.fromJSON(ONNX_PROTO_JSON as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');

describe('graph builder', () => {
  it('infers broadcast and matmul shapes and rejects mismatches', () => {
    expect(broadcastShapes([2, 1, 4], [3, 1])).toEqual([2, 3, 4]);
    expect(() => broadcastShapes([2, 3], [4])).toThrow(GraphBuildError);
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [5, 2, 3]);
    const w = b.input('w', 'float32', [3, 4]);
    expect(b.matmul(x, w).shape).toEqual([5, 2, 4]);
    expect(b.reduceSum(x, [-1], false).shape).toEqual([5, 2]);
    expect(b.transpose(x, [2, 0, 1]).shape).toEqual([3, 5, 2]);
    expect(b.split(x, -1, [1, 2]).map((v) => v.shape)).toEqual([
      [5, 2, 1],
      [5, 2, 2],
    ]);
    expect(() => b.matmul(w, w)).toThrow(/inner dimensions/);
    expect(() => b.add(x, b.input('i', 'int64', [3]))).toThrow(/dtype mismatch/);
    expect(() => b.reshape(x, [7])).toThrow(/element count/);
  });

  it('serialises a ModelProto (IR 10, opset 20) that onnxruntime runs, dropping dead nodes', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [2, 2]);
    const y = b.add(b.matmul(x, x), b.scalar(1, 'float32'));
    b.neg(x); // dead: no output depends on it
    b.output(y, 'y');
    const bytes = serializeModel(b);
    const m = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number }) as {
      irVersion: number;
      opsetImport: { version: number }[];
      graph: { node: { opType: string }[] };
    };
    expect(m.irVersion).toBe(IR_VERSION);
    expect(m.opsetImport[0]!.version).toBe(20);
    expect(m.graph.node.map((n) => n.opType)).toEqual(['MatMul', 'Add', 'Identity']);
    const s = await createSession(bytes, { device: 'cpu', intraOpThreads: 1, interOpThreads: 1 });
    const out = await runSession(s, { x: { dtype: 'float32', dims: [2, 2], data: Float32Array.from([1, 2, 3, 4]) } });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([8, 11, 16, 23]);
  });

  it('autodiff names the op that has no gradient rule', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float32', [3]);
    const [y] = b.node('Sin', [x], [{ dtype: 'float32', shape: [3] }]);
    const loss = b.reduceSum(y!, [0]);
    expect(() => buildGradients(b, loss, [x])).toThrow(MissingGradientRuleError);
    expect(() => buildGradients(b, loss, [x])).toThrow(/op Sin/);
  });
});
