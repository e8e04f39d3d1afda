import { splitIntoWindows, type SequenceWindow } from '../../src/engine/sequence-windows';
import { allowedRows, paddedLength, planPadding, planShapeCount, planTokenBudgetBatches, planWindowBatches } from '../../src/engine/token-budget.planner';
import { Mulberry32 } from '../../src/math/seeded-random';

/** Seeded sequences of mixed lengths (1 to `maxLength` tokens). */
function mixedSequences(n: number, maxLength: number, seed: number): { tokens: number[]; scoreFrom: number }[] {
  const rng = new Mulberry32(seed);
  return Array.from({ length: n }, () => ({ tokens: Array.from({ length: 1 + Math.floor(rng.next() * maxLength) }, (_, j) => j % 250), scoreFrom: 0 }));
}

const key = (w: SequenceWindow) => `${w.sequence}:${w.start}`;

describe('paddedLength', () => {
  it('rounds up to the next of 16, 24, 32, 48, 64, 96, 128, ... and caps at the context', () => {
    expect([1, 16, 17, 24, 25, 33, 48, 49, 65, 97, 129, 193].map((n) => paddedLength(n, 4096))).toEqual([16, 16, 24, 24, 32, 48, 48, 64, 96, 128, 192, 256]);
    expect(paddedLength(200, 256)).toBe(256);
    expect(paddedLength(200, 200)).toBe(200);
    expect(paddedLength(5, 8)).toBe(8);
  });
});

describe('allowedRows', () => {
  it('is ⌊budget / T⌋ and the powers of two below it, largest first', () => {
    expect(allowedRows(96, 2048)).toEqual([21, 16, 8, 4, 2, 1]);
    expect(allowedRows(128, 2048)).toEqual([16, 8, 4, 2, 1]);
    expect(allowedRows(256, 100)).toEqual([1]);
  });
});

describe('planWindowBatches', () => {
  const budgets = [16, 100, 256, 1000, 2048];
  for (const budget of budgets) {
    it(`puts every window in exactly one batch, within a budget of ${budget} positions`, () => {
      const seqs = mixedSequences(60, 300, budget);
      const windows = seqs.flatMap((s, i) => splitIntoWindows(s, 128, i));
      const plan = planWindowBatches(windows, { context: 128, tokenBudget: budget });
      const seen = plan.flatMap((b) => b.windows.map(key));
      expect([...seen].sort()).toEqual(windows.map(key).sort());
      expect(new Set(seen).size).toBe(windows.length);
      for (const b of plan) {
        expect(b.windows.length).toBeGreaterThan(0);
        for (const w of b.windows) expect(w.tokens.length).toBeLessThanOrEqual(b.seqLen);
        expect(b.seqLen).toBeLessThanOrEqual(128);
        expect(b.seqLen).toBe(paddedLength(b.windows[0]!.tokens.length, 128));
        // within budget, unless a single row already exceeds it
        if (b.windows.length > 1) expect(b.windows.length * b.seqLen).toBeLessThanOrEqual(budget);
        expect(allowedRows(b.seqLen, budget)).toContain(b.windows.length);
      }
    });
  }

  it('gives a window longer than the budget a batch of its own', () => {
    const windows = splitIntoWindows({ tokens: Array.from({ length: 100 }, (_, j) => j), scoreFrom: 0 }, 128, 0);
    const short = splitIntoWindows({ tokens: [1, 2, 3], scoreFrom: 0 }, 128, 1);
    const plan = planWindowBatches([...short, ...windows], { context: 128, tokenBudget: 32 });
    expect(plan.map((b) => [b.windows.map((w) => w.sequence), b.seqLen])).toEqual([
      [[0], 128],
      [[1], 16],
    ]);
  });

  it('orders rows longest first (ties by sequence, then start) and does not depend on the input order', () => {
    const seqs = mixedSequences(40, 200, 7);
    const windows = seqs.flatMap((s, i) => splitIntoWindows(s, 64, i));
    const shuffled = [...windows].reverse();
    const a = planWindowBatches(windows, { context: 64, tokenBudget: 512 });
    const b = planWindowBatches(shuffled, { context: 64, tokenBudget: 512 });
    expect(b.map((x) => [x.seqLen, x.windows.map(key)])).toEqual(a.map((x) => [x.seqLen, x.windows.map(key)]));
    const flat = a.flatMap((x) => x.windows);
    for (let i = 1; i < flat.length; i++) {
      const [p, q] = [flat[i - 1]!, flat[i]!];
      const ordered =
        p.tokens.length > q.tokens.length ||
        (p.tokens.length === q.tokens.length && (p.sequence < q.sequence || (p.sequence === q.sequence && p.start < q.start)));
      expect(ordered).toBe(true);
    }
  });

  it('pads far less than fixed batches of 8 windows in document order', () => {
    const seqs = mixedSequences(64, 120, 3);
    const windows = seqs.flatMap((s, i) => splitIntoWindows(s, 128, i));
    const budgeted = planPadding(planWindowBatches(windows, { context: 128, tokenBudget: 1024 }));
    const fixed: { windows: SequenceWindow[]; seqLen: number }[] = [];
    for (let k = 0; k < windows.length; k += 8) {
      const chunk = windows.slice(k, k + 8);
      fixed.push({
        windows: [...chunk, ...Array.from({ length: 8 - chunk.length }, () => ({ sequence: -1, start: 0, tokens: [], lossMask: [] }))],
        seqLen: paddedLength(Math.max(...chunk.map((w) => w.tokens.length)), 128),
      });
    }
    const before = planPadding(fixed);
    expect(budgeted.tokens).toBe(before.tokens);
    expect(budgeted.paddingShare).toBeLessThan(0.25);
    expect(budgeted.paddingShare).toBeLessThan(before.paddingShare / 2);
  });

  it('refuses a budget below 16 positions, a non-integer budget, and a window longer than the context', () => {
    const windows = splitIntoWindows({ tokens: [1, 2, 3], scoreFrom: 0 }, 8, 0);
    expect(() => planWindowBatches(windows, { context: 8, tokenBudget: 15 })).toThrow(/token budget must be an integer from 16/);
    expect(() => planWindowBatches(windows, { context: 8, tokenBudget: 100.5 })).toThrow(/token budget/);
    expect(() => planWindowBatches([{ sequence: 0, start: 0, tokens: [1, 2, 3, 4, 5], lossMask: [1, 1, 1, 1, 0] }], { context: 4, tokenBudget: 64 })).toThrow(
      /exceeds the context of 4/,
    );
  });
});

describe('planTokenBudgetBatches', () => {
  it('windows long sequences and may split their windows across batches', () => {
    const long = { tokens: Array.from({ length: 300 }, (_, j) => j % 250), scoreFrom: 0 };
    const plan = planTokenBudgetBatches([long, { tokens: [5, 6], scoreFrom: 0 }], { context: 128, tokenBudget: 128 });
    const rows = plan.flatMap((b) => b.windows);
    expect(
      rows
        .filter((w) => w.sequence === 0)
        .map((w) => w.start)
        .sort((a, b) => a - b),
    ).toEqual([0, 127, 254]);
    expect(plan.length).toBeGreaterThan(1);
    expect(planPadding(plan).tokens).toBe(128 + 128 + 46 + 2);
  });
});

describe('planShapeCount', () => {
  it('counts every [B, T] a plan can use, and plans of random jobs use no other', () => {
    const opts = { context: 256, tokenBudget: 1024 };
    // T: 16 24 32 48 64 96 128 192 256 → B_T 64 42 32 21 16 10 8 5 4 → 7+7+6+6+5+5+4+4+3 shapes
    expect(planShapeCount(opts)).toBe(47);
    const shapes = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      for (const b of planTokenBudgetBatches(mixedSequences(32, 400, seed), opts)) shapes.add(`${b.windows.length}x${b.seqLen}`);
    }
    expect(shapes.size).toBeLessThanOrEqual(47);
    for (const s of shapes) {
      const [rows, t] = s.split('x').map(Number) as [number, number];
      expect(allowedRows(t, opts.tokenBudget)).toContain(rows);
    }
    expect(planShapeCount({ context: 8, tokenBudget: 16 })).toBe(2); // T = 8 only, B ∈ {2, 1}
  });
});

describe('planShapeCount at the default budget', () => {
  it('is 37 for the reference context of 256 at 512 positions (the number docs/configuration.md gives)', () => {
    // T: 16 24 32 48 64 96 128 192 256 → B_T 32 21 16 10 8 5 4 2 2 → 6+6+5+5+4+4+3+2+2
    expect(planShapeCount({ context: 256, tokenBudget: 512 })).toBe(37);
  });
});
