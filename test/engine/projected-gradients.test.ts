import { planBatches } from '../../src/engine/batch-planner';
import { projectSequences } from '../../src/engine/projected-gradients.runner';
import { Mulberry32 } from '../../src/math/seeded-random';
import { packWindows, splitIntoWindows } from '../../src/engine/sequence-windows';
import { HostTensor } from '../../src/onnx/ort.runner';
import { randomTokens, relErr, tinyEngine } from './engine-fixtures';

describe('batch planner', () => {
  it('packs windows into batches of one shape, padding the last with empty rows', () => {
    const seqs = [
      { tokens: randomTokens(30, 256, 1), scoreFrom: 0 },
      { tokens: randomTokens(5, 256, 2), scoreFrom: 0 },
    ];
    const batches = planBatches(seqs, 16, 2);
    expect(batches.map((b) => [b.batch, b.seqLen])).toEqual([
      [2, 16],
      [2, 16],
    ]);
    expect(batches.map((b) => b.windows.map((w) => [w.sequence, w.start]))).toEqual([
      [
        [0, 0],
        [0, 15],
      ],
      [[1, 0]],
    ]);
    const last = batches[1]!;
    expect(last.attentionMask.slice(16).every((v) => v === 0)).toBe(true);
    expect(last.lossMask.slice(16).every((v) => v === 0)).toBe(true);
  });
});

describe('projected per-sequence gradients', () => {
  it('equal single-sequence projections regardless of batching, with per-sequence loss', async () => {
    const { engine, config } = tinyEngine('float64');
    const layers = ['h.0.mlp.c_fc', 'h.1.mlp.c_proj'];
    const rng = new Mulberry32(3);
    const ranks: Record<string, [number, number]> = {};
    const mats: Record<string, HostTensor> = {};
    for (const l of layers) {
      const [i, o] = l.endsWith('c_fc') ? [config.nEmbd, config.nInner] : [config.nInner, config.nEmbd];
      ranks[l] = [2, 4];
      mats[`P.${l}`] = { dtype: 'float64', dims: [2, o], data: Float64Array.from({ length: 2 * o }, () => rng.normal()) };
      mats[`R.${l}`] = { dtype: 'float64', dims: [4, i + 1], data: Float64Array.from({ length: 4 * (i + 1) }, () => rng.normal()) };
    }
    const seqs = [
      { tokens: randomTokens(30, 256, 11), scoreFrom: 0 },
      { tokens: randomTokens(7, 256, 12), scoreFrom: 0 },
      { tokens: randomTokens(12, 256, 13), scoreFrom: 5 },
    ];
    const batched = await projectSequences(engine, seqs, mats, { tracked: layers, ranks, batchSize: 3 });
    for (let s = 0; s < seqs.length; s++) {
      const alone = await projectSequences(engine, [seqs[s]!], mats, { tracked: layers, ranks, batchSize: 1 });
      for (const l of layers) expect(relErr(batched[s]!.layers.get(l)!, alone[0]!.layers.get(l)!)).toBeLessThan(1e-10);
      expect(batched[s]!.loss).toBeCloseTo(alone[0]!.loss, 9);
    }
    expect(batched.map((r) => r.scoredTokens)).toEqual([29, 6, 7]);
    // loss of the short document equals the plain loss head
    const one = await engine.run({ labels: 'data' }, packWindows(splitIntoWindows(seqs[1]!, 16), 7));
    expect(batched[1]!.loss).toBeCloseTo((one.loss!.data as Float64Array)[0]!, 9);
  });
});
