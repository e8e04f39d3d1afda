import { EigenbasisRotationRunner, defaultRotationSettings } from '../../src/engine/eigenbasis-rotation.runner';
import { matrix } from '../../src/math/dense-matrix';
import { diagonalPreconditioner, ekfacPreconditioner, identityPreconditioner, preconditionGradient } from '../../src/math/ekfac-preconditioner';
import { lowRankApproximation } from '../../src/math/low-rank-approximation';
import { symmetricEigen } from '../../src/math/symmetric-eigen';
import { denseQuery, preconditionLayer, preconditionLayerBatch } from '../../src/influence/query-gradient.pipeline';
import { mulberry32 } from '../support/seeded-random';

/** A random symmetric positive definite n×n matrix (B Bᵀ + n I), seeded. */
function spd(n: number, random: () => number) {
  const b = Array.from({ length: n * n }, () => random() - 0.5);
  const out = matrix(n, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!;
      out.data[i * n + j] = s;
    }
  return out;
}

describe('preconditionLayer', () => {
  it('with a rank, equals the truncated SVD of the dense EK-FAC preconditioned gradient (computed in the eigenbasis, rotated as factors)', () => {
    const random = mulberry32(3);
    const o = 12;
    const i = 7;
    const qS = symmetricEigen(spd(o, random)).vectors;
    const qA = symmetricEigen(spd(i, random)).vectors;
    const eigenvalues = matrix(
      o,
      i,
      Array.from({ length: o * i }, () => 0.01 + random() ** 3),
    );
    const pre = ekfacPreconditioner(qS, qA, eigenvalues, undefined, 'layer');
    const g = matrix(
      o,
      i,
      Array.from({ length: o * i }, () => random() - 0.5),
    );
    for (const rank of [1, 3, 7]) {
      const reference = denseQuery(lowRankApproximation(preconditionGradient(pre, g), rank));
      const got = preconditionLayer(pre, g, rank);
      expect((got as { sigma: Float64Array }).sigma).toHaveLength(rank);
      const dense = denseQuery(got);
      const scale = Math.max(...reference.data.map(Math.abs));
      dense.data.forEach((v, k) => expect(Math.abs(v - reference.data[k]!)).toBeLessThan(1e-9 * scale));
    }
    // full rank reproduces M itself
    const m = preconditionGradient(pre, g);
    denseQuery(preconditionLayer(pre, g, 7)).data.forEach((v, k) => expect(v).toBeCloseTo(m.data[k]!, 9));
  });

  it('refuses a non-finite gradient naming the layer', () => {
    const qS = matrix(2, 2, [1, 0, 0, 1]);
    const pre = ekfacPreconditioner(qS, qS, matrix(2, 2, [1, 1, 1, 1]), undefined, 'h.0.mlp.c_fc');
    expect(() => preconditionLayer(pre, matrix(2, 2, [1, NaN, 0, 0]), 1)).toThrow(/h\.0\.mlp\.c_fc/);
  });
});

describe('preconditionLayerBatch', () => {
  const runner = new EigenbasisRotationRunner(defaultRotationSettings({ intraOpThreads: 1 }));

  it('equals preconditionLayer query by query for every strategy, with and without the batched rotation, dense and rank-r', async () => {
    const random = mulberry32(5);
    const o = 9;
    const i = 6;
    const ekfac = ekfacPreconditioner(
      symmetricEigen(spd(o, random)).vectors,
      symmetricEigen(spd(i, random)).vectors,
      matrix(
        o,
        i,
        Array.from({ length: o * i }, () => 0.01 + random() ** 3),
      ),
      undefined,
      'l',
    );
    const diagonal = diagonalPreconditioner(
      matrix(
        o,
        i,
        Array.from({ length: o * i }, () => 0.1 + random()),
      ),
    );
    const gs = Array.from({ length: 4 }, () =>
      matrix(
        o,
        i,
        Array.from({ length: o * i }, () => random() - 0.5),
      ),
    );
    for (const pre of [ekfac, diagonal, identityPreconditioner(o, i)])
      for (const rotation of [runner, null])
        for (const rank of [undefined, 2]) {
          const got = await preconditionLayerBatch(pre, gs, rank, rotation);
          expect(got).toHaveLength(gs.length);
          got.forEach((m, k) => {
            const ref = denseQuery(preconditionLayer(pre, gs[k]!, rank)).data;
            const scale = Math.max(...ref.map(Math.abs));
            denseQuery(m).data.forEach((v, j) => expect(Math.abs(v - ref[j]!)).toBeLessThan(1e-10 * scale));
          });
        }
    expect(await preconditionLayerBatch(ekfac, [], 2, runner)).toEqual([]);
  });
});
