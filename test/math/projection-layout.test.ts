import { matrix } from '../../src/math/dense-matrix';
import { gaussianKroneckerProjection } from '../../src/math/gaussian-projection';
import { eigenbasisKroneckerProjection } from '../../src/math/eigenbasis-projection';
import { projectLayerMatrix } from '../../src/math/kronecker-projection';
import { ShapeMismatchError } from '../../src/math/math.error';
import { concatLayerBlocks, createProjectionLayout, layerBlock, layerwiseInner, MAX_FULL_PROJECTION_DIMS } from '../../src/math/projection-layout';
import { createSketchLayout, proportionalSketchRanks, sketchVector } from '../../src/math/projection-sketch';
import { symmetricEigen } from '../../src/math/symmetric-eigen';
import { InvalidInputError } from '../../src/errors/tracebase.error';
import { randomDense, randomPsd, testRandom, toMatrix } from './support/naive';

// Two layers of a tiny model: c_fc 8×5 (i = 4, bias included), c_proj 4×9.
const shapes = [
  { name: 'h.0.mlp.c_fc', o: 8, n: 5, ro: 4, ri: 3 },
  { name: 'h.0.mlp.c_proj', o: 4, n: 9, ro: 2, ri: 6 },
];
const layout = createProjectionLayout(shapes.map((s) => ({ name: s.name, outputRank: s.ro, inputRank: s.ri })));

describe('projection layout', () => {
  it('places layer blocks row-major one after another; layer-wise terms sum to the inner product', () => {
    expect(layout.dims).toBe(12 + 12);
    expect(layout.layers.map((l) => [l.offset, l.length])).toEqual([
      [0, 12],
      [12, 12],
    ]);
    const b0 = matrix(
      4,
      3,
      Float64Array.from({ length: 12 }, (_, k) => k),
    );
    const b1 = matrix(
      2,
      6,
      Float64Array.from({ length: 12 }, (_, k) => 100 + k),
    );
    const v = concatLayerBlocks(layout, [b0, b1]);
    expect(v[2 * 3 + 1]).toBe(7); // entry (2, 1) of layer 0
    expect(v[12 + 1 * 6 + 4]).toBe(110); // entry (1, 4) of layer 1
    expect(layerBlock(layout, v, 1).data).toEqual(b1.data);
    const w = Float64Array.from({ length: 24 }, (_, k) => (k % 5) - 2);
    const terms = layerwiseInner(layout, v, w);
    let total = 0;
    for (let k = 0; k < 24; k++) total += v[k]! * w[k]!;
    expect(terms[0]! + terms[1]!).toBeCloseTo(total, 12);
    let t0 = 0;
    for (let k = 0; k < 12; k++) t0 += v[k]! * w[k]!;
    expect(terms[0]).toBeCloseTo(t0, 12);
  });

  it('refuses duplicate names, bad ranks, too many dimensions and mis-shaped blocks', () => {
    expect(() =>
      createProjectionLayout([
        { name: 'a', outputRank: 2, inputRank: 2 },
        { name: 'a', outputRank: 1, inputRank: 1 },
      ]),
    ).toThrow(/twice/);
    expect(() => createProjectionLayout([{ name: 'a', outputRank: 0, inputRank: 2 }])).toThrow(InvalidInputError);
    expect(() => createProjectionLayout([{ name: 'a', outputRank: 200, inputRank: 81 }])).toThrow(new RegExp(`limit ${MAX_FULL_PROJECTION_DIMS}`));
    expect(() => createProjectionLayout([])).toThrow(InvalidInputError);
    expect(() => concatLayerBlocks(layout, [matrix(4, 3), matrix(6, 2)])).toThrow(ShapeMismatchError);
    expect(() => layerwiseInner(layout, new Float64Array(24), new Float64Array(23))).toThrow(ShapeMismatchError);
  });
});

describe('sketch', () => {
  const rand = testRandom(4);
  const sketchLayout = createSketchLayout(layout, [
    { outputRank: 2, inputRank: 2 },
    { outputRank: 1, inputRank: 4 },
  ]);

  it('for Gaussian projections equals projecting with the sketch ranks from the same seed', () => {
    const seed = 1234;
    const G = shapes.map((s) => toMatrix(randomDense(s.o, s.n, rand)));
    const fullBlocks = shapes.map((s, l) => projectLayerMatrix(gaussianKroneckerProjection(seed, l, s.ro, s.o, s.ri, s.n), G[l]!));
    const x = concatLayerBlocks(layout, fullBlocks);
    const direct = concatLayerBlocks(
      sketchLayout,
      shapes.map((s, l) => {
        const k = sketchLayout.layers[l]!;
        return projectLayerMatrix(gaussianKroneckerProjection(seed, l, k.outputRank, s.o, k.inputRank, s.n), G[l]!);
      }),
    );
    const sk = sketchVector(layout, sketchLayout, x, 'gaussian');
    expect(sk.length).toBe(8);
    sk.forEach((v, k) => expect(v).toBeCloseTo(direct[k]!, 12));
  });

  it('for eigenbasis projections equals projecting onto fewer top eigenvectors (no rescaling)', () => {
    const G = shapes.map((s) => toMatrix(randomDense(s.o, s.n, rand)));
    const eig = shapes.map((s) => ({ S: symmetricEigen(toMatrix(randomPsd(s.o, 30, rand))), A: symmetricEigen(toMatrix(randomPsd(s.n, 30, rand))) }));
    const x = concatLayerBlocks(
      layout,
      shapes.map((s, l) => projectLayerMatrix(eigenbasisKroneckerProjection(eig[l]!.S.vectors, s.ro, eig[l]!.A.vectors, s.ri), G[l]!)),
    );
    const direct = concatLayerBlocks(
      sketchLayout,
      shapes.map((_, l) => {
        const k = sketchLayout.layers[l]!;
        return projectLayerMatrix(eigenbasisKroneckerProjection(eig[l]!.S.vectors, k.outputRank, eig[l]!.A.vectors, k.inputRank), G[l]!);
      }),
    );
    sketchVector(layout, sketchLayout, x, 'eigenbasis').forEach((v, k) => expect(v).toBeCloseTo(direct[k]!, 12));
  });

  it('proportional sketch ranks fit the limit; sketch ranks above the full ranks are refused', () => {
    const big = createProjectionLayout([
      { name: 'a', outputRank: 64, inputRank: 64 },
      { name: 'b', outputRank: 32, inputRank: 128 },
    ]);
    const ranks = proportionalSketchRanks(big, 2000);
    const sk = createSketchLayout(big, ranks, 2000);
    expect(sk.dims).toBeLessThanOrEqual(2000);
    expect(sk.dims).toBeGreaterThan(1700); // not needlessly small
    expect(ranks[0]!.outputRank / 64).toBeCloseTo(ranks[1]!.inputRank / 128, 1);
    expect(() =>
      createSketchLayout(layout, [
        { outputRank: 5, inputRank: 1 },
        { outputRank: 1, inputRank: 1 },
      ]),
    ).toThrow(/exceed/);
    expect(() => createSketchLayout(layout, [{ outputRank: 1, inputRank: 1 }])).toThrow(ShapeMismatchError);
  });
});
