import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { matrix } from '../../src/math/dense-matrix';
import { NonFiniteValueError } from '../../src/math/math.error';
import { FactorSet } from '../../src/influence/factor-set';
import { assertFactorsMatch, FACTOR_FILES, readFactorSet, writeFactorSet } from '../../src/influence/factor-set.store';
import { decodeFloat64Safetensors, encodeFloat64Safetensors } from '../../src/influence/float64-safetensors.codec';
import { FactorFileError, FactorMismatchError } from '../../src/influence/influence.errors';

const work = mkdtempSync(join(tmpdir(), 'tb-factors-'));
const m = (r: number, c: number, seed: number) =>
  matrix(
    r,
    c,
    Float64Array.from({ length: r * c }, (_, i) => Math.sin(seed + i * 1.7) * 10 ** ((i % 7) - 3)),
  );
const factors: FactorSet = {
  strategy: 'ekfac',
  fisher: 'sampled',
  counts: { sequences: 3, windows: 4, tokens: 40 },
  layers: [
    {
      name: 'h.0.mlp.c_fc',
      rows: 3,
      cols: 2,
      covA: m(2, 2, 1),
      covS: m(3, 3, 2),
      qA: m(2, 2, 3),
      qS: m(3, 3, 4),
      lambdaA: m(1, 2, 5),
      lambdaS: m(1, 3, 6),
      eigenvalues: m(3, 2, 7),
    },
  ],
};
const args = {
  strategy: 'ekfac' as const,
  fisher: 'sampled' as const,
  damping: { mode: 'relative' as const, factor: 0.1 },
  maxDocs: null,
  seed: 0,
  layers: ['h.0.mlp.c_fc'],
};
const prov = { modelHash: 'm'.repeat(64), corpusHash: 'c'.repeat(64), arguments: args };

describe('factor set store', () => {
  it('float64 safetensors round-trip bit for bit', () => {
    const t = decodeFloat64Safetensors(
      encodeFloat64Safetensors([
        ['x', m(3, 5, 9)],
        ['y', m(1, 1, 2)],
      ]),
      'f',
    );
    expect(Array.from(t.get('x')!.data)).toEqual(Array.from(m(3, 5, 9).data));
    expect(t.get('y')!.rows).toBe(1);
  });

  it('writes safetensors + provenance JSON atomically and reads the same factors back', () => {
    const dir = join(work, 'a');
    const p = writeFactorSet(dir, factors, prov);
    expect(readdirSync(dir).sort()).toEqual([FACTOR_FILES.tensors, FACTOR_FILES.provenance].sort());
    expect(readdirSync(work).filter((n) => n.includes('.tmp-'))).toEqual([]);
    const json = JSON.parse(readFileSync(join(dir, FACTOR_FILES.provenance), 'utf8'));
    expect(json).toMatchObject({
      modelHash: prov.modelHash,
      corpusHash: prov.corpusHash,
      arguments: args,
      counts: factors.counts,
      layers: [{ name: 'h.0.mlp.c_fc', rows: 3, cols: 2 }],
    });
    const back = readFactorSet(dir);
    expect(back.provenance.tensorsSha256).toBe(p.tensorsSha256);
    expect(Array.from(back.factors.layers[0]!.eigenvalues!.data)).toEqual(Array.from(factors.layers[0]!.eigenvalues!.data));
    expect(Array.from(back.factors.layers[0]!.qS!.data)).toEqual(Array.from(factors.layers[0]!.qS!.data));
    expect(back.factors.strategy).toBe('ekfac');
  });

  it('refuses an existing directory without overwrite, and replaces it with', () => {
    const dir = join(work, 'b');
    writeFactorSet(dir, factors, prov);
    expect(() => writeFactorSet(dir, factors, prov)).toThrow(FactorMismatchError);
    writeFactorSet(dir, factors, { ...prov, corpusHash: 'd'.repeat(64) }, { overwrite: true });
    expect(readFactorSet(dir).provenance.corpusHash).toBe('d'.repeat(64));
    expect(readdirSync(work).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('NaN in a factor: a named error and no directory left behind', () => {
    const bad = { ...factors, layers: [{ ...factors.layers[0]!, eigenvalues: matrix(3, 2, [1, 2, NaN, 4, 5, 6]) }] };
    const dir = join(work, 'nan');
    expect(() => writeFactorSet(dir, bad, prov)).toThrow(NonFiniteValueError);
    expect(() => writeFactorSet(dir, bad, prov)).toThrow(/layer h\.0\.mlp\.c_fc, tensor Lambda: non-finite value NaN at flat index 2/);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(work).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('detects modified tensors and missing files', () => {
    const dir = join(work, 'c');
    writeFactorSet(dir, factors, prov);
    const f = join(dir, FACTOR_FILES.tensors);
    const bytes = readFileSync(f);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(f, bytes);
    expect(() => readFactorSet(dir)).toThrow(/sha256 differs/);
    expect(() => readFactorSet(join(work, 'none'))).toThrow(FactorFileError);
  });

  it('refuses reuse with another model, corpus or arguments, naming each difference', () => {
    const p = readFactorSet((writeFactorSet(join(work, 'd'), factors, prov), join(work, 'd'))).provenance;
    expect(() => assertFactorsMatch(p, { modelHash: prov.modelHash, arguments: args }, 'd')).not.toThrow();
    expect(() => assertFactorsMatch(p, { modelHash: 'x'.repeat(64) }, 'd')).toThrow(/model hash mmmmmmmmmmmm… \(factors\) vs xxxxxxxxxxxx… \(this model\)/);
    expect(() => assertFactorsMatch(p, { arguments: { ...args, strategy: 'kfac', seed: 2 } }, 'd')).toThrow(
      /strategy "ekfac" \(factors\) vs "kfac" \(requested\); seed 0 \(factors\) vs 2/,
    );
    expect(() => assertFactorsMatch(p, { corpusHash: 'e'.repeat(64) }, 'd')).toThrow(FactorMismatchError);
  });
});
