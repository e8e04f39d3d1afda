import { resolveDamping } from '../../src/math/damping';
import { matrix, Matrix } from '../../src/math/dense-matrix';
import { DiagonalFisherAccumulator } from '../../src/math/diagonal-fisher.accumulator';
import { EkfacEigenvalueAccumulator } from '../../src/math/ekfac-eigenvalue.accumulator';
import {
  dampedEigenbasisGradient,
  dampedEigenvalues,
  diagonalPreconditioner,
  EigenbasisPreconditioner,
  isEigenbasisPreconditioner,
  ekfacPreconditioner,
  identityPreconditioner,
  kfacPreconditioner,
  preconditionGradient,
} from '../../src/math/ekfac-preconditioner';
import { kfacEigenvalues } from '../../src/math/kfac-eigenvalues';
import { appendBiasColumn, covarianceFromSum, gradientFromTokens, outerProductSum } from '../../src/math/kronecker-covariance';
import { NonFiniteValueError, ShapeMismatchError } from '../../src/math/math.error';
import { symmetricEigen } from '../../src/math/symmetric-eigen';
import { InvalidInputError } from '../../src/errors/tracebase.error';
import { Dense, nKron, nMaxAbs, nMaxAbsDiff, nMul, nSolve, nT, nVec, testNormal, testRandom, toDense, toMatrix } from './support/naive';

// A tiny layer W ∈ R^{o×i} with bias: gradients are o×(i+1) = 3×3, the Fisher is 9×9.
const o = 3;
const i = 2;
const n = i + 1;
const Z = 400; // fitting sequences
const T = 5; // tokens per sequence

interface Seq {
  deltas: Dense; // T×o
  acts: Dense; // T×i (no bias)
}

function makeSequences(seed: number, count: number): Seq[] {
  const rand = testRandom(seed);
  const normal = testNormal(rand);
  // Correlated inputs and output gradients so that A and S are far from the identity.
  const mixA = [
    [1, 0],
    [0.8, 0.5],
  ];
  const mixS = [
    [1, 0, 0],
    [-0.6, 0.7, 0],
    [0.3, 0.2, 0.2],
  ];
  return Array.from({ length: count }, () => {
    const acts = Array.from({ length: T }, () => {
      const z = [normal(), normal()];
      return mixA.map((row) => row[0]! * z[0]! + row[1]! * z[1]! + 0.5);
    });
    // δ depends on a (as real gradients do), so the Fisher is not exactly Kronecker.
    const deltas = acts.map((a) => {
      const z = [normal(), normal(), normal()];
      return mixS.map((row) => (row[0]! * z[0]! + row[1]! * z[1]! + row[2]! * z[2]!) * (1 + 0.5 * a[0]!));
    });
    return { deltas, acts };
  });
}

/** Naive G = Σ_t δ_t [a_t; 1]ᵀ. */
function naiveGradient(s: Seq): Dense {
  const g: Dense = Array.from({ length: o }, () => new Array<number>(n).fill(0));
  s.deltas.forEach((d, t) => {
    const a = [...s.acts[t]!, 1];
    for (let j = 0; j < o; j++) for (let k = 0; k < n; k++) g[j]![k]! += d[j]! * a[k]!;
  });
  return g;
}

function tokens(s: Seq): { deltas: Matrix; acts: Matrix } {
  return { deltas: toMatrix(s.deltas), acts: appendBiasColumn(toMatrix(s.acts)) };
}

const seqs = makeSequences(42, Z);
const query = makeSequences(7, 1)[0]!;
const gq = naiveGradient(query);

// Factors through the library path: sums of outer products, then covariances.
function fitFactors() {
  let sumA = matrix(n, n);
  let sumS = matrix(o, o);
  let count = 0;
  for (const s of seqs) {
    const { deltas, acts } = tokens(s);
    const a = outerProductSum(acts);
    const d = outerProductSum(deltas);
    sumA = matrix(
      n,
      n,
      sumA.data.map((x, k) => x + a.data[k]!),
    );
    sumS = matrix(
      o,
      o,
      sumS.data.map((x, k) => x + d.data[k]!),
    );
    count += deltas.rows;
  }
  const A = covarianceFromSum(sumA, count, { layer: 'l0', tensor: 'A' });
  const S = covarianceFromSum(sumS, count, { layer: 'l0', tensor: 'S' });
  return { A, S, eigA: symmetricEigen(A), eigS: symmetricEigen(S) };
}

/** Full per-sequence Fisher F = mean_z vec(G) vec(G)ᵀ (row-major vec), naive. */
function naiveFullFisher(): Dense {
  const F: Dense = Array.from({ length: o * n }, () => new Array<number>(o * n).fill(0));
  for (const s of seqs) {
    const g = nVec(naiveGradient(s));
    for (let p = 0; p < g.length; p++) for (let q = 0; q < g.length; q++) F[p]![q]! += (g[p]! * g[q]!) / Z;
  }
  return F;
}

describe('K-FAC covariances', () => {
  it('A = Σ ã ãᵀ / N and S = Σ δ δᵀ / N match naive means over tokens', () => {
    const { A, S } = fitFactors();
    const nA: Dense = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const nS: Dense = Array.from({ length: o }, () => new Array<number>(o).fill(0));
    const N = Z * T;
    for (const s of seqs)
      for (let t = 0; t < T; t++) {
        const a = [...s.acts[t]!, 1];
        const d = s.deltas[t]!;
        for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) nA[p]![q]! += (a[p]! * a[q]!) / N;
        for (let p = 0; p < o; p++) for (let q = 0; q < o; q++) nS[p]![q]! += (d[p]! * d[q]!) / N;
      }
    expect(nMaxAbsDiff(toDense(A), nA)).toBeLessThan(1e-13);
    expect(nMaxAbsDiff(toDense(S), nS)).toBeLessThan(1e-13);
    expect(A.data[n * n - 1]).toBeCloseTo(1, 14); // the bias entry E[1·1]
  });

  it('G from token matrices equals Σ_t δ_t ã_tᵀ', () => {
    const { deltas, acts } = tokens(query);
    expect(nMaxAbsDiff(toDense(gradientFromTokens(deltas, acts)), gq)).toBeLessThan(1e-14);
    expect(() => gradientFromTokens(deltas, toMatrix([[1, 2, 1]]))).toThrow(ShapeMismatchError);
  });

  it('rejects a zero token count and NaN in a sum, naming the layer and factor', () => {
    expect(() => covarianceFromSum(matrix(2, 2), 0, { layer: 'h.1.mlp.c_fc', tensor: 'A' })).toThrow(InvalidInputError);
    const bad = matrix(2, 2, [1, Infinity, Infinity, 1]);
    expect(() => covarianceFromSum(bad, 3, { layer: 'h.1.mlp.c_fc', tensor: 'S' })).toThrow(/layer h\.1\.mlp\.c_fc, tensor S/);
  });
});

describe('preconditioned query M_ℓ(q) against explicit inverses', () => {
  const { A, S, eigA, eigS } = fitFactors();

  it('K-FAC: M = Q_S[(Q_Sᵀ G Q_A) ⊘ (λ_S λ_Aᵀ + λ)]Q_Aᵀ equals (S ⊗ A + λI)⁻¹ vec G (row-major vec)', () => {
    const F = nKron(toDense(S), toDense(A)); // row-major vec(δ aᵀ) = δ ⊗ a, so F_KFAC = S ⊗ A
    // Independent damping: 0.1 × mean eigenvalue of F = 0.1 × trace(F) / dim.
    const lambda = (0.1 * F.reduce((s, row, p) => s + row[p]!, 0)) / (o * n);
    const p = kfacPreconditioner(eigS, eigA);
    expect(p.strategy === 'kfac' && p.damping).toBeCloseTo(lambda, 13);
    const expected = nSolve(
      F.map((row, r) => row.map((x, c) => x + (r === c ? lambda : 0))),
      nVec(gq),
    );
    const m = preconditionGradient(p, toMatrix(gq));
    expect(nMaxAbsDiff([Array.from(m.data)], [expected])).toBeLessThan(1e-10 * nMaxAbs([expected]));
    // And the eigenvalues are λ_S ⊗ λ_A: the eigenvalues of the explicit Kronecker product.
    const kronEig = Array.from(symmetricEigen(toMatrix(F)).values);
    const fromFactors = Array.from(kfacEigenvalues(eigS.values, eigA.values).data).sort((x, y) => y - x);
    kronEig.forEach((v, k) => expect(v).toBeCloseTo(fromFactors[k]!, 12));
  });

  it('EK-FAC: Λ equals the diagonal of the full Fisher in the basis Q_S ⊗ Q_A, and M equals the explicit inverse', () => {
    const acc = new EkfacEigenvalueAccumulator(eigS.vectors, eigA.vectors, 'l0');
    for (const s of seqs) {
      const { deltas, acts } = tokens(s);
      acc.add(gradientFromTokens(deltas, acts));
    }
    expect(acc.count).toBe(Z);
    const lambdaE = acc.finalize();
    const F = naiveFullFisher();
    const K = nKron(toDense(eigS.vectors), toDense(eigA.vectors));
    const rotated = nMul(nMul(nT(K), F), K);
    const diag = rotated.map((row, p) => row[p]!);
    expect(nMaxAbsDiff([Array.from(lambdaE.data)], [diag])).toBeLessThan(1e-12 * Math.max(...diag));
    // EK-FAC is exact on the diagonal: trace is preserved, off-diagonals are dropped.
    const p = ekfacPreconditioner(eigS.vectors, eigA.vectors, lambdaE, undefined, 'l0');
    const lambda = (0.1 * diag.reduce((s, x) => s + x, 0)) / diag.length;
    expect(p.strategy === 'ekfac' && p.damping).toBeCloseTo(lambda, 13);
    const Fhat = nMul(
      nMul(
        K,
        diag.map((d, r) => diag.map((_, c) => (r === c ? d : 0))),
      ),
      nT(K),
    );
    const expected = nSolve(
      Fhat.map((row, r) => row.map((x, c) => x + (r === c ? lambda : 0))),
      nVec(gq),
    );
    const m = preconditionGradient(p, toMatrix(gq));
    expect(nMaxAbsDiff([Array.from(m.data)], [expected])).toBeLessThan(1e-10 * nMaxAbs([expected]));
    // EK-FAC approximates the true damped inverse better than K-FAC on these gradients.
    const trueM = nSolve(
      F.map((row, r) => row.map((x, c) => x + (r === c ? lambda : 0))),
      nVec(gq),
    );
    const kfacM = Array.from(preconditionGradient(kfacPreconditioner(eigS, eigA, { mode: 'absolute', value: lambda }), toMatrix(gq)).data);
    const err = (v: number[]) => Math.hypot(...v.map((x, k) => x - trueM[k]!));
    expect(err(Array.from(m.data))).toBeLessThan(err(kfacM));
  });

  it('EK-FAC partial sums merge to the same Λ', () => {
    const whole = new EkfacEigenvalueAccumulator(eigS.vectors, eigA.vectors);
    const part = new EkfacEigenvalueAccumulator(eigS.vectors, eigA.vectors);
    const other = new EkfacEigenvalueAccumulator(eigS.vectors, eigA.vectors);
    seqs.slice(0, 50).forEach((s, k) => {
      const g = toMatrix(naiveGradient(s));
      whole.add(g);
      (k < 20 ? part : other).add(g);
    });
    const otherSum = other.finalize();
    part.addSums(
      matrix(
        o,
        n,
        otherSum.data.map((x) => x * other.count),
      ),
      other.count,
    );
    const w = whole.finalize();
    expect(nMaxAbsDiff(toDense(part.finalize()), toDense(w))).toBeLessThan(1e-13 * nMaxAbs(toDense(w)));
    expect(() => new EkfacEigenvalueAccumulator(eigS.vectors, eigA.vectors).finalize()).toThrow(InvalidInputError);
    expect(() => whole.add(matrix(o, n, new Float64Array(o * n).fill(NaN)))).toThrow(NonFiniteValueError);
    expect(() => whole.add(matrix(o, n + 1))).toThrow(ShapeMismatchError);
  });

  it('diagonal: diag F is the diagonal of the full Fisher and M = G ⊘ (diag F + λ) solves (diag F + λI) m = g', () => {
    const acc = new DiagonalFisherAccumulator(o, n, 'l0');
    seqs.forEach((s) => acc.add(toMatrix(naiveGradient(s))));
    const d = acc.finalize();
    const F = naiveFullFisher();
    expect(nMaxAbsDiff([Array.from(d.data)], [F.map((row, p) => row[p]!)])).toBeLessThan(1e-12);
    const p = diagonalPreconditioner(d, { mode: 'absolute', value: 0.25 });
    const expected = nSolve(
      F.map((row, r) => row.map((_, c) => (r === c ? row[r]! + 0.25 : 0))),
      nVec(gq),
    );
    expect(nMaxAbsDiff([Array.from(preconditionGradient(p, toMatrix(gq)).data)], [expected])).toBeLessThan(1e-13);
  });

  it('identity: M = G (a copy)', () => {
    const g = toMatrix(gq);
    const m = preconditionGradient(identityPreconditioner(o, n), g);
    expect(m.data).toEqual(g.data);
    expect(m.data).not.toBe(g.data);
    expect(() => preconditionGradient(identityPreconditioner(o, n, 'l9'), matrix(o, n, new Float64Array(o * n).fill(NaN)))).toThrow(
      /layer l9, tensor G \(query\)/,
    );
  });

  it('a huge damping λ makes M tend to G/λ', () => {
    const acc = new EkfacEigenvalueAccumulator(eigS.vectors, eigA.vectors);
    seqs.forEach((s) => acc.add(toMatrix(naiveGradient(s))));
    const lam = acc.finalize();
    const big = 1e9;
    const m = preconditionGradient(ekfacPreconditioner(eigS.vectors, eigA.vectors, lam, { mode: 'absolute', value: big }), toMatrix(gq));
    expect(
      nMaxAbsDiff(
        toDense(m),
        gq.map((r) => r.map((x) => x / big)),
      ),
    ).toBeLessThan(1e-15);
  });
});

describe('damping', () => {
  it('relative = factor × mean(Λ), absolute = value, and bad specs are refused', () => {
    expect(resolveDamping({ mode: 'relative', factor: 0.1 }, [1, 2, 3, 6])).toBeCloseTo(0.3, 15);
    expect(resolveDamping({ mode: 'relative', factor: 0.5 }, [1, 2, 3, 6])).toBeCloseTo(1.5, 15);
    expect(resolveDamping({ mode: 'absolute', value: 7 }, [1, 2])).toBe(7);
    expect(() => resolveDamping({ mode: 'relative', factor: 0.1 }, [0, 0], 'h.0.mlp.c_fc')).toThrow(/layer h\.0\.mlp\.c_fc/);
    expect(() => resolveDamping({ mode: 'relative', factor: -1 }, [1])).toThrow(InvalidInputError);
    expect(() => resolveDamping({ mode: 'absolute', value: 0 }, [1])).toThrow(InvalidInputError);
    expect(() => resolveDamping({ mode: 'absolute', value: NaN }, [1])).toThrow(InvalidInputError);
  });
});

describe('dampedEigenvalues', () => {
  it('is Λ + λ entry by entry, the divisor of dampedEigenbasisGradient (identity bases: X = G ⊘ (Λ + λ) exactly)', () => {
    const eye = (n: number) =>
      matrix(
        n,
        n,
        Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0)),
      );
    const lam = matrix(2, 3, [1, 2, 3, 4, 5, 6]);
    const p = ekfacPreconditioner(eye(2), eye(3), lam, { mode: 'absolute', value: 0.5 });
    expect(isEigenbasisPreconditioner(p)).toBe(true);
    expect(isEigenbasisPreconditioner(identityPreconditioner(2, 3))).toBe(false);
    const d = dampedEigenvalues(p as EigenbasisPreconditioner);
    expect([d.rows, d.cols]).toEqual([2, 3]);
    expect(Array.from(d.data)).toEqual([1.5, 2.5, 3.5, 4.5, 5.5, 6.5]);
    const g = matrix(2, 3, [3, -5, 7, 9, 11, -13]);
    const x = dampedEigenbasisGradient(p as EigenbasisPreconditioner, g);
    expect(Array.from(x.data)).toEqual(Array.from(g.data, (v, k) => v / d.data[k]!));
  });
});
