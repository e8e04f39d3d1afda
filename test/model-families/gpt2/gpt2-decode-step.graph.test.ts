import { buildGpt2DecodeStep, gpt2ParameterSpecs } from '../../../src/model-families/gpt2';
import { DECODE_STEP_IO } from '../../../src/model-families/model-family';
import { GraphBuilder } from '../../../src/onnx/graph.builder';
import { serializeModel } from '../../../src/onnx/onnx.serializer';
import { createSession, type HostTensor, runSession } from '../../../src/onnx/ort.runner';
import { randomWeights, tinyConfig } from '../../support/gpt2-checkpoint';
import { referenceLogits, toFloat64 } from '../../support/gpt2-reference';

describe('buildGpt2DecodeStep', () => {
  it('gives, step by step with the host writing its cache, the logits of the full float64 forward pass at every position of every row', async () => {
    const config = tinyConfig({ nPositions: 24 });
    const weights = randomWeights(config, 5, 0.3);
    const B = 2;
    const P = 16;
    const b = new GraphBuilder(20);
    buildGpt2DecodeStep(b, config, { batch: B, cacheLength: P });
    const session = await createSession(serializeModel(b), { device: 'cpu', intraOpThreads: 1, interOpThreads: 1 });
    const H = config.nHead;
    const Dh = config.nEmbd / H;
    const V = config.vocabSize;
    const sequences = [
      [3, 141, 59, 26, 5, 35, 89, 79, 32, 38, 46, 26],
      [200, 7, 7, 7, 1, 0, 255, 12, 99, 100, 101, 102],
    ];
    const keys = Array.from({ length: config.nLayer }, () => new Float32Array(B * H * P * Dh));
    const values = Array.from({ length: config.nLayer }, () => new Float32Array(B * H * P * Dh));
    // garbage in the unfilled cache positions must not matter: they are masked
    keys.forEach((k) => k.fill(7));
    values.forEach((v) => v.fill(-3));
    const bias = new Float32Array(P).fill(-1e9);
    const W = toFloat64(weights);
    const reference = sequences.map((s) => referenceLogits(config, W, s));
    let worst = 0;
    for (let s = 0; s < sequences[0]!.length; s++) {
      const feeds: Record<string, HostTensor> = {
        [DECODE_STEP_IO.inputIds]: { dtype: 'int64', dims: [B, 1], data: BigInt64Array.from(sequences.map((q) => BigInt(q[s]!))) },
        [DECODE_STEP_IO.position]: { dtype: 'int64', dims: [1], data: BigInt64Array.of(BigInt(s)) },
        [DECODE_STEP_IO.pastBias]: { dtype: 'float32', dims: [1, 1, 1, P], data: bias },
      };
      for (const spec of gpt2ParameterSpecs(config)) feeds[`param.${spec.name}`] = { dtype: 'float32', dims: spec.shape, data: weights.get(spec.name)! };
      for (let l = 0; l < config.nLayer; l++) {
        feeds[DECODE_STEP_IO.pastKey(l)] = { dtype: 'float32', dims: [B, H, P, Dh], data: keys[l]! };
        feeds[DECODE_STEP_IO.pastValue(l)] = { dtype: 'float32', dims: [B, H, P, Dh], data: values[l]! };
      }
      const out = await runSession(session, feeds);
      expect(out[DECODE_STEP_IO.logits]!.dims).toEqual([B, 1, V]);
      const logits = out[DECODE_STEP_IO.logits]!.data as Float32Array;
      for (let r = 0; r < B; r++) {
        for (let v = 0; v < V; v++) {
          const want = reference[r]![s * V + v]!;
          worst = Math.max(worst, Math.abs(logits[r * V + v]! - want) / (1 + Math.abs(want)));
        }
      }
      for (let l = 0; l < config.nLayer; l++) {
        expect(out[DECODE_STEP_IO.newKey(l)]!.dims).toEqual([B, H, 1, Dh]);
        const k = out[DECODE_STEP_IO.newKey(l)]!.data as Float32Array;
        const v = out[DECODE_STEP_IO.newValue(l)]!.data as Float32Array;
        for (let row = 0; row < B * H; row++) {
          keys[l]!.set(k.subarray(row * Dh, (row + 1) * Dh), (row * P + s) * Dh);
          values[l]!.set(v.subarray(row * Dh, (row + 1) * Dh), (row * P + s) * Dh);
        }
      }
      bias[s] = 0;
    }
    expect(worst).toBeLessThan(1e-4);
    await session.release();
  });

  it('refuses a cache longer than the context', () => {
    const config = tinyConfig({ nPositions: 24 });
    expect(() => buildGpt2DecodeStep(new GraphBuilder(20), config, { batch: 1, cacheLength: 25 })).toThrow(/cache length 25/);
  });
});
