import { planPadding, planTokenBudgetBatches } from '../../src/engine/token-budget.planner';
import { trackedLayers } from '../../src/influence/layer-tensors.adapter';
import { type DocumentProjection, projectDocuments } from '../../src/influence/document-projection.pipeline';
import { gaussianProjectionSpace, uniformRanks } from '../../src/influence/projection-space';
import type { TokenizedSequence } from '../../src/influence/tokenized-sequence';
import { randomTokens, relErr, tinyEngine } from '../engine/engine-fixtures';

jest.setTimeout(240_000);

/**
 * Mixed lengths on the tiny model (context 16): single tokens (nothing to predict), short
 * documents, and long ones of up to 5 windows, so that token-budget batches mix rows of many
 * documents and split long documents' windows across batches.
 */
const LENGTHS = [40, 3, 1, 16, 9, 2, 17, 60, 5, 12, 31, 7, 1, 15, 4, 28, 10, 6];
const DOCS: TokenizedSequence[] = LENGTHS.map((n, i) => ({ id: `d${i}`, tokens: randomTokens(n, 256, 100 + i), scoreFrom: 0 }));

describe('token-budget batching of document projections', () => {
  const { engine, config } = tinyEngine('float32');
  const layers = trackedLayers(engine.model, engine.model.family.defaultTrackedLayers(config));
  const space = gaussianProjectionSpace(layers, uniformRanks(layers, 3, 4), 5);

  it('gives the same vectors, losses and norms as one-document batches (float32 rounding), whatever the budget', async () => {
    const alone: DocumentProjection[] = [];
    for (const d of DOCS) alone.push((await projectDocuments(engine, space, [d], { batchWindows: 1 }))[0]!);
    for (const tokenBudget of [16, 48, 100, 1024]) {
      const plan = planTokenBudgetBatches(
        DOCS.filter((d) => d.tokens.length >= 2),
        { context: config.nPositions, tokenBudget },
      );
      // the budgets do mix documents in a batch and split long documents across batches
      if (tokenBudget >= 48) expect(plan.some((b) => new Set(b.windows.map((w) => w.sequence)).size > 1)).toBe(true);
      expect(plan.some((b, i) => plan.slice(i + 1).some((c) => c.windows.some((w) => b.windows.some((v) => v.sequence === w.sequence))))).toBe(true);
      const batched = await projectDocuments(engine, space, DOCS, { tokenBudget });
      expect(batched.map((x) => x.documentId)).toEqual(DOCS.map((d) => d.id));
      batched.forEach((x, i) => {
        const want = alone[i]!;
        expect(x.tokenCount).toBe(want.tokenCount);
        if (want.norm === 0) {
          // a single token predicts nothing
          expect([x.norm, x.loss, Math.max(...x.vector.map(Math.abs))]).toEqual([0, 0, 0]);
          return;
        }
        expect(relErr(x.vector, want.vector)).toBeLessThan(1e-5);
        expect(Math.abs(x.loss - want.loss)).toBeLessThanOrEqual(1e-5 * want.loss);
        expect(Math.abs(x.norm - want.norm)).toBeLessThanOrEqual(1e-5 * want.norm);
      });
    }
  });

  it('agrees with the fixed batches of 8 windows in document order, with less padding', async () => {
    const fixed = await projectDocuments(engine, space, DOCS, { batchWindows: 8 });
    const budgeted = await projectDocuments(engine, space, DOCS, { tokenBudget: 64 });
    fixed.forEach((x, i) => {
      if (x.norm === 0) expect(budgeted[i]!.norm).toBe(0);
      else expect(relErr(budgeted[i]!.vector, x.vector)).toBeLessThan(1e-5);
    });
    const plan = planPadding(
      planTokenBudgetBatches(
        DOCS.filter((d) => d.tokens.length >= 2),
        { context: config.nPositions, tokenBudget: 64 },
      ),
    );
    expect(plan.paddingShare).toBeLessThan(0.35);
  });
});
