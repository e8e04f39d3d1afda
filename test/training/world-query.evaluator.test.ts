import { WorldQuery } from '../../src/world/world.types';
import { decodeBytes, encodeBytes, END_OF_TEXT, END_OF_TEXT_ID } from '../../src/generation/byte-level.vocabulary';
import { GreedyDecoder } from '../../src/generation/greedy.decoder';
import { checkBars, evaluateWorldQueries, formatEvaluationReport } from '../../src/training/world-query.evaluator';
import { gpt2Family } from '../../src/model-families/gpt2';
import { randomWeights, tinyConfig } from '../support/gpt2-checkpoint';

const tally = (correct: number, total: number) => ({ correct, total, accuracy: correct / total });

describe('checkBars', () => {
  it('needs ≥ 80 % factual, ≥ 50 % of each reasoning task, and 20 / 10 correct answers', () => {
    const tasks = { 'two-step-arithmetic': tally(10, 20), slope: tally(12, 20), 'linear-equation': tally(20, 20) };
    expect(checkBars({ factual: tally(32, 40) }, tasks).pass).toBe(true);
    expect(checkBars({ factual: tally(31, 40) }, tasks).factualAccuracy).toBe(false);
    const weak = checkBars({ factual: tally(32, 40) }, { ...tasks, slope: tally(9, 20) });
    expect(weak.reasoningAccuracy.slope).toBe(false);
    expect(weak.pass).toBe(false);
    // 100 % of 5 factual queries meets the rate but not the count
    expect(checkBars({ factual: tally(5, 5) }, tasks).minimumCounts).toBe(false);
  });
});

describe('evaluateWorldQueries', () => {
  it('scores each query on the final answer of the greedy generation after <|endoftext|> + prompt', async () => {
    const config = { ...tinyConfig({ nPositions: 64 }), vocabSize: 257 };
    const params = randomWeights(config, 4, 0.3);
    const encode = (t: string) => (t === END_OF_TEXT ? [END_OF_TEXT_ID] : Array.from(encodeBytes(t)));
    const model = { family: gpt2Family, config, params, encode, decode: (ids: readonly number[]) => decodeBytes(ids) };
    const settings = { device: 'cpu' as const, intraOpThreads: 1, interOpThreads: 1 };
    const q = (id: string, kind: 'factual' | 'reasoning', task: string, completion: string, answer: string): WorldQuery =>
      ({ id, kind, task, prompt: `Q ${id}?\n`, completion, answer, answerKeywords: [answer], groundTruth: {} }) as unknown as WorldQuery;
    const queries = [
      q('a', 'factual', 'capital', 'Zeril. The capital of Pene is Zeril.', 'Zeril'),
      q('b', 'reasoning', 'slope', '1 - 0 = 1. The answer is 1.', '1'),
    ];
    const report = await evaluateWorldQueries(model, queries, { session: settings, slack: 4 });
    // the same generations from the decoder directly
    const decoder = new GreedyDecoder(gpt2Family, config, params, settings);
    const gens = await decoder.generate(
      queries.map((x) => [END_OF_TEXT_ID, ...encode(x.prompt)]),
      { maxNewTokens: queries.map((x) => x.completion.length + 4), stopIds: [END_OF_TEXT_ID, 10] },
    );
    await decoder.release();
    expect(report.outcomes.map((o) => o.generated)).toEqual(gens.map((g) => decodeBytes(g)));
    // a random model answers nothing correctly; tallies count every query once
    expect(report.outcomes.every((o) => !o.correct)).toBe(true);
    expect(report.byKind.factual).toEqual({ correct: 0, total: 1, accuracy: 0 });
    expect(report.byTask.slope).toEqual({ correct: 0, total: 1, accuracy: 0 });
    expect(formatEvaluationReport(report)).toMatch(/factual {5}0\/1 \(0\.0 %\)[\s\S]*→ FAIL/);
  });
});
