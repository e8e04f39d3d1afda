import { EigenbasisRotationRunner, MAX_ROTATION_BATCH, defaultRotationSettings } from '../../src/engine/eigenbasis-rotation.runner';
import { Matrix, matrix, matmulABt } from '../../src/math/dense-matrix';
import {
  dampedEigenbasisGradient,
  EigenbasisPreconditioner,
  ekfacPreconditioner,
  kfacPreconditioner,
  preconditionGradient,
} from '../../src/math/ekfac-preconditioner';
import { LowRankFactors } from '../../src/math/low-rank-approximation';
import { symmetricEigen } from '../../src/math/symmetric-eigen';
import { denseQuery, preconditionLayer } from '../../src/influence/query-gradient.pipeline';
import { mulberry32 } from '../support/seeded-random';

/** max |a − b| / max |b|. */
function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

function randomMatrix(rows: number, cols: number, random: () => number): Matrix {
  return matrix(
    rows,
    cols,
    Float64Array.from({ length: rows * cols }, () => random() - 0.5),
  );
}

/** An orthogonal n×n eigenbasis (columns), as Q_S / Q_A are: the eigenvectors of a random covariance. */
function eigenbasis(n: number, random: () => number): Matrix {
  const b = randomMatrix(n, n + 8, random);
  return symmetricEigen(matmulABt(b, b)).vectors;
}

/** A query-like gradient G = Σ_t δ_t [a_t; 1]ᵀ over T tokens (o×(i+1), rank ≤ T). */
function queryGradient(o: number, i1: number, tokens: number, random: () => number): Matrix {
  const deltas = randomMatrix(tokens, o, random);
  const acts = randomMatrix(tokens, i1, random);
  for (let t = 0; t < tokens; t++) acts.data[t * i1 + i1 - 1] = 1;
  const g = matrix(o, i1);
  for (let t = 0; t < tokens; t++)
    for (let r = 0; r < o; r++) {
      const d = deltas.data[t * o + r]!;
      for (let c = 0; c < i1; c++) g.data[r * i1 + c]! += d * acts.data[t * i1 + c]!;
    }
  return g;
}

/** An EK-FAC layer with heavy-tailed eigenvalues Λ and the default damping (0.1 · mean Λ). */
function ekfacLayer(o: number, i1: number, seed: number, layer: string): EigenbasisPreconditioner {
  const random = mulberry32(seed);
  const qS = eigenbasis(o, random);
  const qA = eigenbasis(i1, random);
  const eigenvalues = matrix(
    o,
    i1,
    Float64Array.from({ length: o * i1 }, () => 1e-6 + random() ** 4),
  );
  return ekfacPreconditioner(qS, qA, eigenvalues, undefined, layer) as EigenbasisPreconditioner;
}

const runner = new EigenbasisRotationRunner(defaultRotationSettings({ intraOpThreads: 1 }));

// The reference model's two tracked layer shapes: c_fc o×(i+1) = 512×129 (o > i), c_proj 128×513 (o < i).
describe.each([
  { name: 'c_fc', o: 512, i1: 129, seed: 11 },
  { name: 'c_proj', o: 128, i1: 513, seed: 12 },
])('EigenbasisRotationRunner on a $o×$i1 layer ($name)', ({ name, o, i1, seed }) => {
  const pre = ekfacLayer(o, i1, seed, `h.0.mlp.${name}`);
  const random = mulberry32(seed + 100);
  const gradients = Array.from({ length: 3 }, (_, k) => queryGradient(o, i1, 12 + 10 * k, random));

  it.each([1, 3])('X = (Q_Sᵀ G Q_A) ⊘ (Λ + λ) of a batch of %i equals dampedEigenbasisGradient to 1e-10', async (n) => {
    const got = await runner.dampedEigenbasisGradients(pre, gradients.slice(0, n));
    expect(got).toHaveLength(n);
    got.forEach((x, k) => {
      expect([x.rows, x.cols]).toEqual([o, i1]);
      expect(maxRel(x.data, dampedEigenbasisGradient(pre, gradients[k]!).data)).toBeLessThan(1e-10);
    });
  });

  it.each([1, 3])('rank 32 of a batch of %i: σ, Q_S U and Q_A V equal preconditionLayer’s to 1e-10', async (n) => {
    const got = (await runner.precondition(pre, gradients.slice(0, n), 32)) as LowRankFactors[];
    expect(got).toHaveLength(n);
    got.forEach((f, k) => {
      const ref = preconditionLayer(pre, gradients[k]!, 32) as LowRankFactors;
      expect([f.u.rows, f.u.cols, f.v.rows, f.v.cols, f.sigma.length]).toEqual([o, 32, i1, 32, 32]);
      expect(maxRel(f.sigma, ref.sigma)).toBeLessThan(1e-10);
      expect(maxRel(f.u.data, ref.u.data)).toBeLessThan(1e-10);
      expect(maxRel(f.v.data, ref.v.data)).toBeLessThan(1e-10);
      expect(maxRel(denseQuery(f).data, denseQuery(ref).data)).toBeLessThan(1e-10);
    });
  });

  it('dense M = Q_S X Q_Aᵀ of a batch of 2 equals preconditionGradient to 1e-10', async () => {
    const got = (await runner.precondition(pre, gradients.slice(0, 2), undefined)) as Matrix[];
    got.forEach((m, k) => expect(maxRel(m.data, preconditionGradient(pre, gradients[k]!).data)).toBeLessThan(1e-10));
  });
});

describe('EigenbasisRotationRunner edge cases', () => {
  it('small layers of either shape and o = i+1, K-FAC too, with ranks up to full, in batches of 1 and 5', async () => {
    const random = mulberry32(7);
    for (const [o, i1] of [
      [6, 4],
      [4, 6],
      [5, 5],
    ] as const) {
      const ek = ekfacLayer(o, i1, 20 + o, 'small');
      const [bS, bA] = [randomMatrix(o, o + 2, random), randomMatrix(i1, i1 + 2, random)];
      const eigS = symmetricEigen(matmulABt(bS, bS));
      const eigA = symmetricEigen(matmulABt(bA, bA));
      const kf = kfacPreconditioner(
        { values: eigS.values.map(Math.abs), vectors: eigS.vectors },
        { values: eigA.values.map(Math.abs), vectors: eigA.vectors },
      ) as EigenbasisPreconditioner;
      for (const pre of [ek, kf]) {
        for (const n of [1, 5]) {
          const gs = Array.from({ length: n }, () => randomMatrix(o, i1, random));
          for (const rank of [1, 2, Math.min(o, i1), undefined]) {
            const got = await runner.precondition(pre, gs, rank);
            got.forEach((m, k) => expect(maxRel(denseQuery(m).data, denseQuery(preconditionLayer(pre, gs[k]!, rank)).data)).toBeLessThan(1e-10));
          }
        }
      }
    }
  });

  it(`splits batches larger than ${MAX_ROTATION_BATCH} and keeps the input order`, async () => {
    const pre = ekfacLayer(3, 4, 5, 'tiny');
    const random = mulberry32(8);
    const gs = Array.from({ length: MAX_ROTATION_BATCH + 3 }, () => randomMatrix(3, 4, random));
    const got = await runner.dampedEigenbasisGradients(pre, gs);
    expect(got).toHaveLength(gs.length);
    got.forEach((x, k) => expect(maxRel(x.data, dampedEigenbasisGradient(pre, gs[k]!).data)).toBeLessThan(1e-12));
  });

  it('a zero gradient in a batch gives σ = 0, a zero other side and the reference’s basis side', async () => {
    const pre = ekfacLayer(6, 4, 10, 'zero');
    const random = mulberry32(9);
    const gs = [randomMatrix(6, 4, random), matrix(6, 4)];
    const [f, zero] = (await runner.precondition(pre, gs, 2)) as LowRankFactors[];
    expect(maxRel(denseQuery(f!).data, denseQuery(preconditionLayer(pre, gs[0]!, 2)).data)).toBeLessThan(1e-10);
    const ref = preconditionLayer(pre, gs[1]!, 2) as LowRankFactors;
    expect(Array.from(zero!.sigma)).toEqual([0, 0]);
    // o > i+1: the Gram is Xᵀ X, V its eigenvectors (Q_A V the basis side), U = X V / σ the other side
    expect(zero!.u.data.every((x) => x === 0)).toBe(true);
    expect(maxRel(zero!.v.data, ref.v.data)).toBeLessThan(1e-12);
  });

  it('refuses a non-finite gradient naming the layer, and a gradient of the wrong shape', async () => {
    const pre = ekfacLayer(2, 3, 9, 'h.3.mlp.c_proj');
    await expect(runner.precondition(pre, [matrix(2, 3, [1, NaN, 0, 0, 0, 0])], 1)).rejects.toThrow(/h\.3\.mlp\.c_proj/);
    await expect(runner.precondition(pre, [matrix(3, 2)], 1)).rejects.toThrow(/3×2/);
  });
});
