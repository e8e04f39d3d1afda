import { exactInfluence, ExactInfluence } from '../../src/influence/exact-influence.pipeline';
import { exactInfluenceTotals, influenceTotalsInputs } from '../../src/influence/corpus-influence.pipeline';
import { fitFactors } from '../../src/influence/factor-fit.pipeline';
import { preconditionQueries, PreconditionedQueryGradient } from '../../src/influence/query-gradient.pipeline';
import { TokenizedSequence } from '../../src/influence/tokenized-sequence';
import { randomTokens, tinyEngine } from '../engine/engine-fixtures';
import { byteTokenizer, relErr } from './influence-fixtures';

const layers = ['h.0.mlp.c_fc', 'h.0.mlp.c_proj', 'h.1.mlp.c_fc'];
const { engine } = tinyEngine('float64');
const fitDocs: TokenizedSequence[] = Array.from({ length: 12 }, (_, k) => ({ id: `f${k}`, tokens: randomTokens(6 + k, 256, 900 + k), scoreFrom: 0 }));
// documents of 1–3 windows (context 16), and single-token documents that predict nothing
const docs: TokenizedSequence[] = [4, 16, 1, 17, 33, 9, 25, 1].map((n, k) => ({ id: `d${k}`, tokens: randomTokens(n, 256, 700 + k), scoreFrom: 0 }));
const queries = [
  { id: 'q1', prompt: 'Q: 2+2=', completion: ' 4.' },
  { id: 'q2', prompt: 'capital: B', completion: 'elgium' },
  { id: 'q3', prompt: 'x = 3, 2x =', completion: ' 6' },
];

async function collect(gen: AsyncGenerator<ExactInfluence[]>): Promise<ExactInfluence[][]> {
  const out: ExactInfluence[][] = [];
  for await (const r of gen) out.push(r);
  return out;
}

function expectSame(got: ExactInfluence[][], want: ExactInfluence[][]): void {
  expect(got.map((r) => r.map((x) => `${x.queryId}/${x.documentId}`))).toEqual(want.map((r) => r.map((x) => `${x.queryId}/${x.documentId}`)));
  got.forEach((r, di) =>
    r.forEach((x, qi) => {
      const w = want[di]![qi]!;
      if (w.score === 0) {
        expect(x.score).toBe(0);
        return;
      }
      expect(relErr(x.layers, w.layers)).toBeLessThan(1e-9);
      expect(Math.abs(x.score - w.score)).toBeLessThan(1e-9 * Math.abs(w.score));
      expect(Math.abs(x.perNat - w.perNat)).toBeLessThan(1e-9 * Math.abs(w.perNat));
      expect(x.tokens).toBeUndefined();
    }),
  );
}

describe('influence-totals head: many queries, one pass, no per-token scores (tiny GPT-2, float64)', () => {
  let dense: PreconditionedQueryGradient[];
  let low: PreconditionedQueryGradient[];
  beforeAll(async () => {
    const factors = await fitFactors(engine, fitDocs, { strategy: 'ekfac', tracked: layers, seed: 3, batchWindows: 4 });
    dense = await preconditionQueries(engine, byteTokenizer, factors, queries, { rank: 'exact' });
    low = (await preconditionQueries(engine, byteTokenizer, factors, queries, { rank: 3 })).map((q) => ({ ...q, id: `${q.id}-r3` }));
  });

  it('dense M: equals the verified exact pipeline (per-token head) to 1e-9 relative, every query and layer', async () => {
    const want = await collect(exactInfluence(engine, dense, docs, { batchWindows: 4 }));
    expect(want.flat().some((x) => x.score !== 0)).toBe(true);
    expectSame(await collect(exactInfluenceTotals(engine, dense, docs, { batchWindows: 4 })), want);
  });

  it('rank-r and dense queries in one pass, split into query chunks: each equals the exact pipeline on its own factors', async () => {
    const mixed = [dense[0]!, low[0]!, dense[1]!, low[1]!, low[2]!, dense[2]!];
    const want = await collect(exactInfluence(engine, mixed, docs, { batchWindows: 4 }));
    expectSame(await collect(exactInfluenceTotals(engine, mixed, docs, { batchWindows: 4, queryChunk: 4 })), want);
    expectSame(await collect(exactInfluenceTotals(engine, mixed, docs, { batchWindows: 2, queryChunk: 1 })), want);
  });

  it('both forms of the head, factored (per token) and gradient (G_b formed, dense vec M), give the same scores', async () => {
    const mixed = [low[0]!, dense[1]!, low[2]!];
    const want = await collect(exactInfluence(engine, mixed, docs, { batchWindows: 4 }));
    for (const form of ['factored', 'gradient', 'auto'] as const)
      expectSame(await collect(exactInfluenceTotals(engine, mixed, docs, { batchWindows: 4, form })), want);
    // auto: gradient form where Q·r·T·(o+i+1) > (T + Q)·o·(i+1)
    const many = Array.from({ length: 40 }, (_, k) => ({ ...low[k % 3]!, id: `m${k}` }));
    expect(Object.values(influenceTotalsInputs(many, 'float64', { tokens: 16 }).ranks)).toEqual([0, 0, 0]);
    expect(Object.values(influenceTotalsInputs(low.slice(0, 1), 'float64', { tokens: 16 }).ranks)).toEqual([3, 3, 3]);
    const { extra } = influenceTotalsInputs([low[0]!, dense[1]!], 'float64', { form: 'gradient' });
    const m = dense[1]!.m[1] as { data: Float64Array };
    const km = extra[`KM.${layers[1]}`]!;
    expect(
      relErr(
        Float64Array.from(m.data, (_, e) => km.data[e * 2 + 1] as number),
        m.data,
      ),
    ).toBe(0);
  });

  it('packs each query factored exactly: Σ_k KU[:,k] KV[:,k]ᵀ over its columns is M (dense) or U diag(σ) Vᵀ', () => {
    const { extra, ranks } = influenceTotalsInputs([dense[0]!, low[1]!], 'float64', { form: 'factored' });
    layers.forEach((name, li) => {
      const m = dense[0]!.m[li] as { rows: number; cols: number; data: Float64Array };
      const r = ranks[name]!;
      expect(r).toBe(Math.min(m.rows, m.cols));
      const ku = extra[`KU.${name}`]!;
      const kv = extra[`KV.${name}`]!;
      expect(ku.dims).toEqual([m.rows, 2 * r]);
      expect(kv.dims).toEqual([m.cols, 2 * r]);
      const rebuilt = new Float64Array(m.rows * m.cols);
      for (let i = 0; i < m.rows; i++)
        for (let j = 0; j < m.cols; j++) {
          let s = 0;
          for (let k = 0; k < r; k++) s += (ku.data[i * 2 * r + k] as number) * (kv.data[j * 2 * r + k] as number);
          rebuilt[i * m.cols + j] = s;
        }
      expect(relErr(rebuilt, m.data)).toBeLessThan(1e-15);
    });
  });

  it('refuses no queries and queries of different layers', async () => {
    await expect(collect(exactInfluenceTotals(engine, [], docs))).rejects.toThrow(/at least one query/);
    const other = { ...dense[1]!, layers: dense[1]!.layers.slice(1), m: dense[1]!.m.slice(1) };
    await expect(collect(exactInfluenceTotals(engine, [dense[0]!, other], docs))).rejects.toThrow(/other layers/);
  });
});
