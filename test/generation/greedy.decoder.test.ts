import { GreedyDecoder } from '../../src/generation/greedy.decoder';
import { gpt2Family } from '../../src/model-families/gpt2';
import { randomWeights, tinyConfig } from '../support/gpt2-checkpoint';
import { referenceLogits, toFloat64 } from '../support/gpt2-reference';

/** Greedy decoding with the float64 reference forward pass, one token at a time. */
function referenceGreedy(config: ReturnType<typeof tinyConfig>, W: ReturnType<typeof toFloat64>, prompt: number[], n: number): number[] {
  const seq = [...prompt];
  const out: number[] = [];
  for (let k = 0; k < n && seq.length < config.nPositions; k++) {
    const logits = referenceLogits(config, W, seq);
    const V = config.vocabSize;
    const last = logits.subarray((seq.length - 1) * V, seq.length * V);
    let best = 0;
    for (let v = 1; v < V; v++) if (last[v]! > last[best]!) best = v;
    seq.push(best);
    out.push(best);
  }
  return out;
}

describe('GreedyDecoder', () => {
  const config = tinyConfig({ nPositions: 40 });
  const weights = randomWeights(config, 11, 0.3);

  it('produces the argmax continuation of the float64 reference model for prompts of different lengths in one batch', async () => {
    const decoder = new GreedyDecoder(gpt2Family, config, weights, { device: 'cpu', intraOpThreads: 1, interOpThreads: 1 });
    const prompts = [
      [5, 9, 200],
      [17],
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33],
    ];
    const got = await decoder.generate(prompts, { maxNewTokens: 6, batchSize: 2 });
    const W = toFloat64(weights);
    prompts.forEach((p, i) => expect(got[i]).toEqual(referenceGreedy(config, W, p, 6)));
    // the long prompt stops at the context length (40 positions)
    expect(got[2]!.length).toBe(6);
    await decoder.release();
  });

  it('stops at a stop id (excluded) and honours per-prompt budgets', async () => {
    const decoder = new GreedyDecoder(gpt2Family, config, weights, { device: 'cpu', intraOpThreads: 1, interOpThreads: 1 });
    const W = toFloat64(weights);
    const ref = referenceGreedy(config, W, [5, 9, 200], 8);
    const stopAt = ref[3]!;
    const got = await decoder.generate([[5, 9, 200], [17]], { maxNewTokens: [8, 2], stopIds: [stopAt] });
    expect(got[0]).toEqual(ref.slice(0, ref.indexOf(stopAt)));
    expect(got[1]!.length).toBeLessThanOrEqual(2);
    await decoder.release();
  });
});
