import { clipGlobalNorm } from '../../src/training/global-norm.clipper';

describe('clipGlobalNorm', () => {
  it('scales every tensor by maxNorm/‖g‖ when the global norm exceeds the limit', () => {
    const a = new Float32Array([3, 0]);
    const b = new Float32Array([0, 4]);
    expect(clipGlobalNorm([a, b], 1)).toBeCloseTo(5, 6);
    expect(Array.from(a)).toEqual([Math.fround(0.6), 0]);
    expect(Array.from(b)).toEqual([0, Math.fround(0.8)]);
  });

  it('leaves gradients under the limit (or with clipping disabled) unchanged', () => {
    const a = new Float32Array([0.3, 0.4]);
    expect(clipGlobalNorm([a], 1)).toBeCloseTo(0.5, 6);
    expect(Array.from(a)).toEqual([Math.fround(0.3), Math.fround(0.4)]);
    const c = new Float32Array([30, 40]);
    expect(clipGlobalNorm([c], 0)).toBeCloseTo(50, 4);
    expect(Array.from(c)).toEqual([30, 40]);
  });
});
