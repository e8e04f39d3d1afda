import { replicaBases, replicateVectors } from '../../bench/retrieval/vector-replication';
import { mulberry32 } from '../support/seeded-random';

function realVectors(count: number, dims: number, seed: number): Float32Array[] {
  const random = mulberry32(seed);
  // norms spread over two orders of magnitude, as gradient norms are
  return Array.from({ length: count }, (_, i) => Float32Array.from({ length: dims }, () => (random() * 2 - 1) * (1 + 99 * (i / count) ** 4)));
}
const norm = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));

describe('replicateVectors', () => {
  const real = realVectors(20, 64, 5);

  it('is deterministic and prefix-stable: the first n of a longer sequence are the n-sequence', () => {
    const settings = { noise: 0.5, scaleSpread: 0.3, seed: 7 };
    const short = [...replicateVectors(real, 30, settings)];
    const long = [...replicateVectors(real, 80, settings)];
    expect(long.slice(0, 30).map((r) => [r.base, r.scale, Array.from(r.full)])).toEqual(short.map((r) => [r.base, r.scale, Array.from(r.full)]));
    const other = [...replicateVectors(real, 30, { ...settings, seed: 8 })];
    expect(other.map((r) => r.full[0])).not.toEqual(short.map((r) => r.full[0]));
  });

  it('takes its bases from replicaBases, uniformly over the real vectors', () => {
    const bases = replicaBases(4000, real.length, 3);
    const replicas = [...replicateVectors(real, 200, { noise: 0.1, scaleSpread: 0.1, seed: 3 })];
    expect(replicas.map((r) => r.base)).toEqual(Array.from(bases.subarray(0, 200)));
    const counts = new Array<number>(real.length).fill(0);
    for (const b of bases) counts[b]!++;
    expect(Math.min(...counts)).toBeGreaterThan(4000 / real.length / 2);
    expect(Math.max(...counts)).toBeLessThan((4000 / real.length) * 1.5);
  });

  it('without noise and spread, copies its base exactly', () => {
    for (const r of replicateVectors(real, 25, { noise: 0, scaleSpread: 0, seed: 1 })) {
      expect(r.scale).toBe(1);
      expect(Array.from(r.full)).toEqual(Array.from(real[r.base]!));
      expect(r.norm).toBeCloseTo(norm(real[r.base]!), 4);
    }
  });

  it("adds Gaussian noise of relative size sigma: E||x' - x_b||^2 = sigma^2 ||x_b||^2", () => {
    const dims = 256;
    const wide = realVectors(10, dims, 9);
    const ratios: number[] = [];
    for (const r of replicateVectors(wide, 400, { noise: 0.5, scaleSpread: 0, seed: 2 })) {
      const base = wide[r.base]!;
      const diff = Array.from(r.full, (v, j) => v - base[j]!);
      ratios.push(norm(diff) ** 2 / norm(base) ** 2);
      expect(r.norm).toBeCloseTo(norm(r.full), 3);
    }
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    expect(mean).toBeGreaterThan(0.25 * 0.95);
    expect(mean).toBeLessThan(0.25 * 1.05);
  });

  it('scales by a log-normal factor with log-standard-deviation tau, keeping the direction without noise', () => {
    const logs: number[] = [];
    for (const r of replicateVectors(real, 3000, { noise: 0, scaleSpread: 0.4, seed: 4 })) {
      logs.push(Math.log(r.scale));
      if (r.index < 20) {
        const base = real[r.base]!;
        r.full.forEach((v, j) => expect(v).toBeCloseTo(Math.fround(r.scale * base[j]!), 4));
      }
    }
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((s, v) => s + (v - mean) ** 2, 0) / logs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(sd).toBeGreaterThan(0.37);
    expect(sd).toBeLessThan(0.43);
  });

  it('refuses bad settings and inputs by name', () => {
    expect(() => [...replicateVectors(real, 1, { noise: -1, scaleSpread: 0, seed: 1 })]).toThrow(/noise/);
    expect(() => [...replicateVectors(real, 1, { noise: 0, scaleSpread: Number.NaN, seed: 1 })]).toThrow(/scale spread/);
    expect(() => [...replicateVectors([], 1, { noise: 0, scaleSpread: 0, seed: 1 })]).toThrow(/at least one real vector/);
    expect(() => [...replicateVectors([new Float32Array(2), new Float32Array(3)], 1, { noise: 0, scaleSpread: 0, seed: 1 })]).toThrow(/vector 1 has 3 dims/);
    expect(() => replicaBases(-1, 2, 1)).toThrow(/count/);
  });
});
