import { frobeniusInner, Matrix } from '../../src/math/dense-matrix';
import { preconditionGradient } from '../../src/math/ekfac-preconditioner';
import { LowRankFactors, lowRankInner } from '../../src/math/low-rank-approximation';
import { fitFactors } from '../../src/influence/factor-fit.pipeline';
import { layerPreconditioners } from '../../src/influence/factor-set';
import { exactInfluence, ExactInfluence } from '../../src/influence/exact-influence.pipeline';
import { projectDocuments, projectQuery } from '../../src/influence/document-projection.pipeline';
import { eigenbasisProjectionSpace, gaussianProjectionSpace, uniformRanks } from '../../src/influence/projection-space';
import { preconditionQueries, tokenizeQuery } from '../../src/influence/query-gradient.pipeline';
import { TokenizedSequence } from '../../src/influence/tokenized-sequence';
import { randomTokens, tinyEngine } from '../engine/engine-fixtures';
import { byteTokenizer, inner, naiveMul, naiveT, referenceGradients, relErr } from './influence-fixtures';
import { DEFAULT_DAMPING } from '../../src/math/damping';

const layers = ['h.0.mlp.c_fc', 'h.0.mlp.c_proj', 'h.1.mlp.c_fc'];
const { engine } = tinyEngine('float64');
const fitDocs: TokenizedSequence[] = Array.from({ length: 12 }, (_, k) => ({ id: `f${k}`, tokens: randomTokens(6 + k, 256, 900 + k), scoreFrom: 0 }));
// documents of 1–3 windows (context 16)
const docs: TokenizedSequence[] = [4, 16, 17, 33, 9, 25].map((n, k) => ({ id: `d${k}`, tokens: randomTokens(n, 256, 700 + k), scoreFrom: 0 }));
const queries = [
  { id: 'q1', prompt: 'Q: 2+2=', completion: ' 4.' },
  { id: 'q2', prompt: 'capital: B', completion: 'elgium' },
];

async function collect(gen: AsyncGenerator<ExactInfluence[]>): Promise<ExactInfluence[][]> {
  const out: ExactInfluence[][] = [];
  for await (const r of gen) out.push(r);
  return out;
}

describe('query side, exact influence and projections (tiny GPT-2, float64)', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  async function setup() {
    const factors = await fitFactors(engine, fitDocs, { strategy: 'ekfac', tracked: layers, seed: 3, batchWindows: 4 });
    const pre = layerPreconditioners(factors, DEFAULT_DAMPING);
    const qs = await preconditionQueries(engine, byteTokenizer, factors, queries, { rank: 'exact' });
    const refDocs = await Promise.all(docs.map((d) => referenceGradients(engine, d, layers)));
    return { factors, pre, qs, refDocs };
  }
  beforeAll(async () => {
    ctx = await setup();
  });

  it('query gradients and nats equal the completion-only reference; M_ℓ = (F̂ + λI)⁻¹ G_ℓ', async () => {
    for (const [k, q] of queries.entries()) {
      const seq = tokenizeQuery(byteTokenizer, q, 16);
      expect(seq.scoreFrom).toBe(Buffer.byteLength(q.prompt));
      const ref = await referenceGradients(engine, seq, layers);
      const got = ctx.qs[k]!;
      expect(got.id).toBe(q.id);
      expect(Math.abs(got.nats - ref.loss)).toBeLessThan(1e-10 * ref.loss);
      got.gradients.forEach((g, li) => expect(relErr(g.data, ref.gradients[li]!.data)).toBeLessThan(1e-10));
      got.m.forEach((m, li) => expect(relErr((m as Matrix).data, preconditionGradient(ctx.pre[li]!, ref.gradients[li]!).data)).toBeLessThan(1e-10));
    }
  });

  it('I(q,d) = Σ_ℓ ⟨M_ℓ(q), G_ℓ(d)⟩ with per-layer terms, windows summing to the document, token scores summing to the total, per nat', async () => {
    const rows = await collect(exactInfluence(engine, ctx.qs, docs, { tokens: true, batchWindows: 4 }));
    expect(rows.map((r) => r.map((x) => `${x.queryId}/${x.documentId}`))).toEqual(docs.map((d) => [`q1/${d.id}`, `q2/${d.id}`]));
    rows.forEach((r, di) =>
      r.forEach((x, qi) => {
        const q = ctx.qs[qi]!;
        const ref = layers.map((_, li) => frobeniusInner(q.m[li] as Matrix, ctx.refDocs[di]!.gradients[li]!));
        const total = ref.reduce((a, b) => a + b, 0);
        expect(relErr(x.layers, ref)).toBeLessThan(1e-9);
        expect(Math.abs(x.score - total)).toBeLessThan(1e-9 * Math.abs(total) + 1e-12);
        expect(x.perNat).toBeCloseTo(x.score / q.nats, 12);
        expect(x.tokens!.length).toBe(docs[di]!.tokens.length);
        const tsum = x.tokens!.reduce((a, b) => a + b, 0);
        expect(Math.abs(tsum - x.score)).toBeLessThan(1e-9 * Math.abs(x.score) + 1e-12);
      }),
    );
  });

  it('rank-r queries: scores equal Σ_ℓ Σ_k σ_k u_kᵀ G v_k of their own factors, through the low-rank head', async () => {
    const low = await preconditionQueries(engine, byteTokenizer, ctx.factors, queries, { rank: 3 });
    const rows = await collect(exactInfluence(engine, low, docs, { batchWindows: 4 }));
    rows.forEach((r, di) =>
      r.forEach((x, qi) => {
        const ref = layers.map((_, li) => lowRankInner(low[qi]!.m[li] as LowRankFactors, ctx.refDocs[di]!.gradients[li]!));
        expect(relErr(x.layers, ref)).toBeLessThan(1e-9);
      }),
    );
  });

  it('document projections: x_d = concat vec(P G(d) Rᵀ) and loss; full-rank eigenbasis ⟨y_q, x_d⟩ = I(q,d) exactly; Gaussian y_q = P M Rᵀ', async () => {
    const ls = ctx.factors.layers;
    const gauss = gaussianProjectionSpace(ls, uniformRanks(ls, 4, 3), 11);
    const xs = await projectDocuments(engine, gauss, docs, { batchWindows: 4 });
    xs.forEach((x, di) => {
      expect(x.documentId).toBe(docs[di]!.id);
      expect(x.tokenCount).toBe(docs[di]!.tokens.length);
      expect(Math.abs(x.loss - ctx.refDocs[di]!.loss)).toBeLessThan(1e-9 * ctx.refDocs[di]!.loss);
      gauss.layout.layers.forEach((b, li) => {
        const { p, r } = gauss.projections[li]!;
        const want = naiveMul(naiveMul(p, ctx.refDocs[di]!.gradients[li]!), naiveT(r));
        expect(relErr(x.vector.subarray(b.offset, b.offset + b.length), want.data)).toBeLessThan(1e-9);
      });
      expect(x.norm).toBeCloseTo(Math.sqrt(inner(x.vector, x.vector)), 10);
    });
    const y = projectQuery(gauss, ctx.qs[0]!);
    gauss.layout.layers.forEach((b, li) => {
      const { p, r } = gauss.projections[li]!;
      expect(relErr(y.subarray(b.offset, b.offset + b.length), naiveMul(naiveMul(p, ctx.qs[0]!.m[li] as Matrix), naiveT(r)).data)).toBeLessThan(1e-12);
    });

    const full = eigenbasisProjectionSpace(
      ctx.factors,
      ls.map((l) => [l.rows, l.cols]),
    );
    const xf = await projectDocuments(engine, full, docs, { batchWindows: 4 });
    const exact = await collect(exactInfluence(engine, ctx.qs, docs, { batchWindows: 4 }));
    ctx.qs.forEach((q, qi) => {
      const yq = projectQuery(full, q);
      xf.forEach((x, di) => expect(Math.abs(inner(yq, x.vector) - exact[di]![qi]!.score)).toBeLessThan(1e-8 * Math.abs(exact[di]![qi]!.score) + 1e-12));
    });
  });

  it('a single-token document predicts nothing: zero score and zero vector, in its place among the others', async () => {
    const mixed = [docs[0]!, { id: 'one', tokens: [65], scoreFrom: 0 }, docs[1]!, { id: 'two', tokens: [66], scoreFrom: 0 }];
    const rows = await collect(exactInfluence(engine, ctx.qs, mixed, { tokens: true, batchWindows: 4 }));
    expect(rows.map((r) => r[0]!.documentId)).toEqual(['d0', 'one', 'd1', 'two']);
    expect(rows[1]!.map((x) => x.score)).toEqual([0, 0]);
    expect(Array.from(rows[3]![1]!.tokens!)).toEqual([0]);
    const alone = await collect(exactInfluence(engine, ctx.qs, [docs[1]!], { batchWindows: 4 }));
    expect(rows[2]![1]!.score).toBeCloseTo(alone[0]![1]!.score, 10);
    const space = gaussianProjectionSpace(ctx.factors.layers, uniformRanks(ctx.factors.layers, 2, 2), 3);
    const xs = await projectDocuments(engine, space, mixed, { batchWindows: 4 });
    expect(xs.map((x) => [x.documentId, x.norm > 0])).toEqual([
      ['d0', true],
      ['one', false],
      ['d1', true],
      ['two', false],
    ]);
  });

  it('refuses an empty completion, naming the query, and a query longer than the context', async () => {
    await expect(preconditionQueries(engine, byteTokenizer, ctx.factors, [{ id: 'qx', prompt: 'abc', completion: '' }])).rejects.toThrow(
      /query qx: completion is empty/,
    );
    await expect(preconditionQueries(engine, byteTokenizer, ctx.factors, [{ id: 'ql', prompt: 'abc', completion: 'x'.repeat(20) }])).rejects.toThrow(
      /query ql: prompt \+ completion are 23 tokens/,
    );
  });
});
