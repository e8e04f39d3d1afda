import {
  addScaledInto,
  dot,
  frobeniusInner,
  fromRows,
  identity,
  matmul,
  matmulABt,
  matmulAtB,
  matmulDiagBt,
  matrix,
  transpose,
} from '../../src/math/dense-matrix';
import { ShapeMismatchError } from '../../src/math/math.error';
import { assertFinite, allFinite } from '../../src/math/finite.guard';
import { NonFiniteValueError } from '../../src/math/math.error';
import { nMaxAbsDiff, nMul, nT, randomDense, testRandom, toDense, toMatrix } from './support/naive';

describe('dense-matrix', () => {
  const rand = testRandom(1);
  const a = randomDense(4, 3, rand);
  const b = randomDense(3, 5, rand);
  const c = randomDense(4, 5, rand);

  it('matmul, AᵀB, ABᵀ and A·diag·Bᵀ agree with triple loops', () => {
    expect(nMaxAbsDiff(toDense(matmul(toMatrix(a), toMatrix(b))), nMul(a, b))).toBeLessThan(1e-15);
    expect(nMaxAbsDiff(toDense(matmulAtB(toMatrix(a), toMatrix(c))), nMul(nT(a), c))).toBeLessThan(1e-15);
    expect(nMaxAbsDiff(toDense(matmulABt(toMatrix(b), toMatrix(b))), nMul(b, nT(b)))).toBeLessThan(1e-15);
    const d = [2, -1, 0.5];
    const dm = d.map((x, i) => d.map((_, j) => (i === j ? x : 0)));
    const e = randomDense(6, 3, rand);
    expect(nMaxAbsDiff(toDense(matmulDiagBt(toMatrix(a), Float64Array.from(d), toMatrix(e))), nMul(nMul(a, dm), nT(e)))).toBeLessThan(1e-15);
    expect(toDense(transpose(toMatrix(a)))).toEqual(nT(a));
    expect(toDense(matmul(identity(4), toMatrix(a)))).toEqual(a);
  });

  it('blocked kernel handles every remainder of rows and columns (sizes 1…9, 17)', () => {
    for (const [m, k, n] of [
      [1, 1, 1],
      [5, 3, 7],
      [8, 8, 8],
      [9, 2, 6],
      [3, 17, 9],
      [17, 5, 4],
      [6, 9, 1],
    ] as const) {
      const x = randomDense(m, k, rand);
      const y = randomDense(k, n, rand);
      expect(nMaxAbsDiff(toDense(matmul(toMatrix(x), toMatrix(y))), nMul(x, y))).toBeLessThan(1e-14);
      expect(nMaxAbsDiff(toDense(matmulAtB(toMatrix(nT(x)), toMatrix(y))), nMul(x, y))).toBeLessThan(1e-14);
      expect(nMaxAbsDiff(toDense(matmulABt(toMatrix(x), toMatrix(nT(y)))), nMul(x, y))).toBeLessThan(1e-14);
    }
  });

  it('addScaledInto accumulates in place', () => {
    const t = fromRows([
      [1, 2],
      [3, 4],
    ]);
    expect(
      addScaledInto(
        t,
        fromRows([
          [1, 1],
          [2, 2],
        ]),
        -2,
      ),
    ).toBe(t);
    expect(Array.from(t.data)).toEqual([-1, 0, -1, 0]);
    expect(() => addScaledInto(t, matrix(1, 2))).toThrow(ShapeMismatchError);
  });

  it('inner products and shape errors', () => {
    expect(
      frobeniusInner(
        fromRows([
          [1, 2],
          [3, 4],
        ]),
        fromRows([
          [5, 6],
          [7, 8],
        ]),
      ),
    ).toBe(70);
    expect(dot([1, 2, 3], [4, 5, 6])).toBe(32);
    expect(() => matmul(toMatrix(a), toMatrix(c))).toThrow(ShapeMismatchError);
    expect(() => matmulAtB(toMatrix(a), toMatrix(b))).toThrow(ShapeMismatchError);
    expect(() => matmulABt(toMatrix(a), toMatrix(c))).toThrow(ShapeMismatchError);
    expect(() => matrix(2, 2, [1, 2, 3])).toThrow(ShapeMismatchError);
    expect(() => frobeniusInner(toMatrix(a), toMatrix(c))).toThrow(ShapeMismatchError);
  });

  it('finite guard names the layer and tensor and the first bad index', () => {
    expect(allFinite([1, 2])).toBe(true);
    expect(allFinite([1, Infinity])).toBe(false);
    expect(() => assertFinite(Float64Array.from([0, 1, -Infinity, NaN]), { layer: 'h.2.mlp.c_proj', tensor: 'δ' })).toThrow(
      'layer h.2.mlp.c_proj, tensor δ: non-finite value -Infinity at flat index 2',
    );
    try {
      assertFinite([NaN], { tensor: 'scores' });
    } catch (e) {
      expect(e).toBeInstanceOf(NonFiniteValueError);
      expect((e as NonFiniteValueError).code).toBe('NON_FINITE_VALUE');
      expect((e as NonFiniteValueError).details).toMatchObject({ tensor: 'scores', index: 0 });
    }
    expect.assertions(6);
  });
});
