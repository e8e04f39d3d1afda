import { frobeniusInner, Matrix, matrix } from '../../src/math/dense-matrix';
import { fitFactors } from '../../src/influence/factor-fit.pipeline';
import { exactInfluence, ExactInfluence } from '../../src/influence/exact-influence.pipeline';
import { preconditionQueries, tokenizeQuery } from '../../src/influence/query-gradient.pipeline';
import { DampingSpec } from '../../src/math/damping';
import { TokenizedSequence } from '../../src/influence/tokenized-sequence';
import { randomTokens, tinyEngine } from '../engine/engine-fixtures';
import { byteTokenizer, naiveMul, naiveT, referenceGradients, relErr } from './influence-fixtures';

// Damping is a score argument: one fitted factor set, scored under two dampings, gives for each
// the scores that a factor set fitted "with" that damping gives — here the dense textbook
// M_ℓ = Q_S [(Q_Sᵀ G_ℓ(q) Q_A) ⊘ (Λ_ℓ + λ_ℓ)] Q_Aᵀ with λ_ℓ resolved by hand, contracted with
// reference document gradients — and the two dampings give different scores.

const layers = ['h.0.mlp.c_fc', 'h.1.mlp.c_proj'];
const { engine } = tinyEngine('float64');
const fitDocs: TokenizedSequence[] = Array.from({ length: 10 }, (_, k) => ({ id: `f${k}`, tokens: randomTokens(7 + k, 256, 300 + k), scoreFrom: 0 }));
const docs: TokenizedSequence[] = [5, 16, 21, 9].map((n, k) => ({ id: `d${k}`, tokens: randomTokens(n, 256, 500 + k), scoreFrom: 0 }));
const queries = [
  { id: 'q1', prompt: 'Q: 3+4=', completion: ' 7.' },
  { id: 'q2', prompt: 'capital: P', completion: 'aris' },
];

/** Dense M under the eigenvalues Λ and λ (naive products, independent of the preconditioner code). */
function textbookM(qS: Matrix, qA: Matrix, eigenvalues: Matrix, lambda: number, g: Matrix): Matrix {
  const rotated = naiveMul(naiveMul(naiveT(qS), g), qA);
  const scaled = matrix(
    rotated.rows,
    rotated.cols,
    rotated.data.map((v, i) => v / (eigenvalues.data[i]! + lambda)),
  );
  return naiveMul(naiveMul(qS, scaled), naiveT(qA));
}

function lambdaOf(spec: DampingSpec, eigenvalues: Matrix): number {
  if (spec.mode === 'absolute') return spec.value;
  return (spec.factor * eigenvalues.data.reduce((a, b) => a + b, 0)) / eigenvalues.data.length;
}

async function scores(gen: AsyncGenerator<ExactInfluence[]>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const rows of gen) out.push(rows.map((r) => r.score));
  return out;
}

describe('damping is chosen at score time (one fit, two dampings)', () => {
  const dampings: DampingSpec[] = [
    { mode: 'relative', factor: 0.1 },
    { mode: 'relative', factor: 0.001 },
  ];

  it('each damping scores as a fit with that damping would, and the two differ', async () => {
    const factors = await fitFactors(engine, fitDocs, { strategy: 'ekfac', tracked: layers, seed: 5, batchWindows: 4 });
    const refDocs = await Promise.all(docs.map((d) => referenceGradients(engine, d, layers)));
    const refQueries = await Promise.all(queries.map((q) => referenceGradients(engine, tokenizeQuery(byteTokenizer, q, 16), layers)));

    const byDamping: number[][][] = [];
    for (const damping of dampings) {
      const qs = await preconditionQueries(engine, byteTokenizer, factors, queries, { rank: 'exact', damping });
      const got = await scores(exactInfluence(engine, qs, docs, { batchWindows: 4 }));
      const expected = docs.map((_, di) =>
        queries.map((_, qi) =>
          factors.layers.reduce((sum, l, li) => {
            const m = textbookM(l.qS!, l.qA!, l.eigenvalues!, lambdaOf(damping, l.eigenvalues!), refQueries[qi]!.gradients[li]!);
            return sum + frobeniusInner(m, refDocs[di]!.gradients[li]!);
          }, 0),
        ),
      );
      expect(relErr(Float64Array.from(got.flat()), Float64Array.from(expected.flat()))).toBeLessThan(1e-9);
      byDamping.push(got);
    }
    // a hundredfold smaller λ changes the scores well beyond rounding
    expect(relErr(Float64Array.from(byDamping[1]!.flat()), Float64Array.from(byDamping[0]!.flat()))).toBeGreaterThan(1e-3);
  });
});
