import { InvalidInputError } from '../../src/errors/tracebase.error';
import { symmetricEigen } from '../../src/math/symmetric-eigen';
import { matrix } from '../../src/math/dense-matrix';
import {
  decodeSearchWhitening,
  encodeSearchWhitening,
  fitSearchWhitening,
  SEARCH_WHITENING_FLOOR,
  whitenDocument,
  whitenDocuments,
  whitenQuery,
} from '../../src/math/search-whitening';
import { mulberry32 } from '../support/seeded-random';

const D = 12;

/** Gaussian N(0,1) from a uniform stream (Box–Muller). */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** n sketches s = R diag(σ) z: second moment R diag(σ²) Rᵀ with σ spanning 10^0 … 10^2 (λ over 10^4). */
function anisotropicSketches(n: number, seed: number): { sketches: Float32Array[]; basis: number[][] } {
  const random = mulberry32(seed);
  // a random orthonormal basis: eigenvectors of a random symmetric matrix
  const a = matrix(D, D);
  for (let i = 0; i < D; i++) for (let j = 0; j <= i; j++) a.data[i * D + j] = a.data[j * D + i] = gaussian(random);
  const q = symmetricEigen(a).vectors;
  const basis = Array.from({ length: D }, (_, k) => Array.from({ length: D }, (_, i) => q.data[i * D + k]!));
  const sigma = Array.from({ length: D }, (_, k) => Math.pow(10, (2 * k) / (D - 1)));
  const sketches = Array.from({ length: n }, () => {
    const z = sigma.map((s) => s * gaussian(random));
    return Float32Array.from({ length: D }, (_, i) => basis.reduce((acc, b, k) => acc + b[i]! * z[k]!, 0));
  });
  return { sketches, basis };
}

const dot = (x: ArrayLike<number>, y: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
};

describe('search whitening', () => {
  const { sketches } = anisotropicSketches(4000, 7);
  const w = fitSearchWhitening(sketches);

  it('keeps every inner product: ⟨T⁻ᵀy, T s⟩ · c = ⟨y, s⟩', () => {
    const random = mulberry32(3);
    for (let t = 0; t < 20; t++) {
      const y = Float64Array.from({ length: D }, () => gaussian(random) * 100);
      const s = sketches[t]!;
      const q = whitenQuery(w, y);
      const direct = dot(y, s);
      const viaBasis = dot(q.vector, whitenDocument(w, s)) * q.scale;
      expect(Math.abs(viaBasis - direct)).toBeLessThan(1e-5 * Math.sqrt(dot(y, y) * dot(s, s)));
    }
  });

  it('makes the documents isotropic down to the floor: the whitened second moment has a condition number below 12 instead of 10⁴', () => {
    const white = whitenDocuments(w, sketches);
    const m = matrix(D, D);
    for (const v of white) for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) m.data[i * D + j]! += (v[i]! * v[j]!) / white.length;
    const raw = matrix(D, D);
    for (const v of sketches) for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) raw.data[i * D + j]! += (v[i]! * v[j]!) / sketches.length;
    const cond = (x: typeof m) => {
      const values = symmetricEigen(x).values;
      return values[0]! / values[D - 1]!;
    };
    expect(cond(raw)).toBeGreaterThan(5000);
    // λ/(λ + ελ_max) ∈ [1/(1+ε·10⁴)…1]: with ε = 1e-3 and λ_max/λ_min = 10⁴ the ratio is at most 11
    expect(SEARCH_WHITENING_FLOOR).toBe(1e-3);
    expect(cond(m)).toBeLessThan(12);
    expect(cond(m)).toBeGreaterThan(1);
  });

  it("whitens a batch exactly as one by one, within half precision's range, scaled so the sample peaks at 1 024", () => {
    const batch = whitenDocuments(w, sketches.slice(0, 1500));
    batch.forEach((v, j) => {
      const one = whitenDocument(w, sketches[j]!);
      for (let i = 0; i < D; i++) expect(Math.abs(v[i]! - one[i]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(one[i]!)));
    });
    const peak = Math.max(...whitenDocuments(w, sketches).map((v) => Math.max(...Array.from(v, Math.abs))));
    expect(peak).toBeCloseTo(1024, 0);
    const huge = Float32Array.from(sketches[0]!, (v) => v * 1e6);
    expect(Math.max(...Array.from(whitenDocument(w, huge), Math.abs))).toBe(65_504);
  });

  it('round-trips through its byte encoding and names malformed records', () => {
    const back = decodeSearchWhitening(encodeSearchWhitening(w));
    expect(back.dims).toBe(D);
    expect(back.samples).toBe(4000);
    expect(back.documentScale).toBe(w.documentScale);
    expect(Array.from(back.scales)).toEqual(Array.from(w.scales));
    expect(Array.from(back.rotation)).toEqual(Array.from(w.rotation));
    expect(() => decodeSearchWhitening(new Uint8Array(13))).toThrow(/13 bytes is not a whitening record/);
    const truncated = encodeSearchWhitening(w).slice(0, 8 * (4 + D + 3));
    expect(() => decodeSearchWhitening(truncated)).toThrow(/do not hold a 12-dim basis/);
  });

  it('refuses too few sketches, mixed dimensions, non-finite values and a bad floor', () => {
    expect(() => fitSearchWhitening(sketches.slice(0, 2 * D - 1))).toThrow(InvalidInputError);
    expect(() => fitSearchWhitening(sketches.slice(0, 2 * D - 1))).toThrow(/at least 24 documents, got 23/);
    expect(() => fitSearchWhitening([])).toThrow(/got none/);
    const mixed = [...sketches.slice(0, 30), new Float32Array(D + 1)];
    expect(() => fitSearchWhitening(mixed)).toThrow(/sketch 30 has 13 dims/);
    const bad = sketches.slice(0, 30).map((s) => s.slice());
    bad[4]![2] = Number.NaN;
    expect(() => fitSearchWhitening(bad)).toThrow(/sketch 4 has a non-finite value at 2/);
    expect(() => fitSearchWhitening(sketches, 0)).toThrow(/floor must be in \(0, 1\)/);
    expect(() => whitenQuery(w, new Float64Array(D + 2))).toThrow(/14 dims, the basis 12/);
  });
});
