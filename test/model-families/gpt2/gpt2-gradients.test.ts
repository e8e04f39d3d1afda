import { GradientEngine, defaultEngineSettings } from '../../../src/engine/gradient.engine';
import { gpt2Family, gpt2ParameterSpecs } from '../../../src/model-families/gpt2';
import { Mulberry32 } from '../../../src/math/seeded-random';
import { PackedBatch, packWindows, splitIntoWindows } from '../../../src/engine/sequence-windows';
import { referenceLoss, toFloat64 } from '../../support/gpt2-reference';
import { randomTokens, relErr, tinyEngine } from '../../engine/engine-fixtures';

/** Central finite differences of the float64 reference loss at chosen coordinates of each tensor. */
function referenceGradientSubset(
  config: Parameters<typeof referenceLoss>[0],
  weights: Map<string, Float32Array>,
  seqs: { tokens: number[]; mask: number[] }[],
  coords: Map<string, number[]>,
): Map<string, number[]> {
  const W = toFloat64(weights);
  const loss = () => seqs.reduce((s, q) => s + referenceLoss(config, W, q.tokens, q.mask), 0);
  const h = 1e-5;
  const out = new Map<string, number[]>();
  for (const [name, idx] of coords) {
    const t = W.get(name)!;
    out.set(
      name,
      idx.map((i) => {
        const x0 = t[i]!;
        t[i] = x0 + h;
        const lp = loss();
        t[i] = x0 - h;
        const lm = loss();
        t[i] = x0;
        return (lp - lm) / (2 * h);
      }),
    );
  }
  return out;
}

describe('whole-model gradients of a tiny random GPT-2', () => {
  const config = tinyEngine('float64').config;
  const seqs = [
    { tokens: randomTokens(12, 256, 21), scoreFrom: 4 }, // a query: prompt of 4 tokens
    { tokens: randomTokens(7, 256, 22), scoreFrom: 0 }, // a document, padded in the batch
  ];
  const windows = seqs.flatMap((s, i) => splitIntoWindows(s, config.nPositions, i));
  const batch: PackedBatch = packWindows(windows, 12);
  // coordinates: 8 random ones per tensor, plus (for wte) entries in rows of tokens that occur
  const rng = new Mulberry32(5);
  const coords = new Map<string, number[]>();
  for (const s of gpt2ParameterSpecs(config)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const idx = Array.from({ length: 8 }, () => Math.floor(rng.next() * n));
    if (s.name === 'wte.weight')
      for (const tok of [...seqs[0]!.tokens.slice(0, 3), seqs[1]!.tokens[2]!]) idx.push(tok * config.nEmbd + Math.floor(rng.next() * config.nEmbd));
    if (s.name === 'wpe.weight') idx.push(...Array.from({ length: 6 }, (_, j) => j * config.nEmbd + Math.floor(rng.next() * config.nEmbd)));
    coords.set(s.name, idx);
  }
  let fd: Map<string, number[]>;
  beforeAll(() => {
    const { weights } = tinyEngine('float64');
    fd = referenceGradientSubset(
      config,
      weights,
      windows.map((w) => ({ tokens: w.tokens, mask: w.lossMask })),
      coords,
    );
  });

  it.each([
    ['float64', 1e-7],
    ['float32', 1e-4],
  ] as const)('every parameter gradient (%s) matches finite differences of the float64 reference within %p relative error per tensor', async (dtype, tol) => {
    const { engine } = tinyEngine(dtype);
    const out = await engine.run({ labels: 'data', allGradients: true }, batch);
    let worst = 0;
    for (const s of gpt2ParameterSpecs(config)) {
      const g = out[`grad.${s.name}`]!;
      expect(g.dims).toEqual(s.shape);
      const ref = fd.get(s.name)!;
      const got = coords.get(s.name)!.map((i) => g.data[i] as number);
      const e = relErr(got, ref);
      worst = Math.max(worst, e);
      if (!(e < tol)) throw new Error(`${s.name}: relative error ${e} (${dtype})`);
    }
    if (process.env.TRACEBASE_PRINT_ERRORS) process.stdout.write(`worst ${dtype} relative error vs finite differences: ${worst}\n`);
  });

  it('float32 full gradient tensors match the float64 graph within 1e-4 relative error per tensor', async () => {
    const g64 = await tinyEngine('float64').engine.run({ labels: 'data', allGradients: true }, batch);
    const g32 = await tinyEngine('float32').engine.run({ labels: 'data', allGradients: true }, batch);
    for (const s of gpt2ParameterSpecs(config)) {
      const e = relErr(g32[`grad.${s.name}`]!.data as Float32Array, g64[`grad.${s.name}`]!.data as Float64Array);
      if (!(e < 1e-4)) throw new Error(`${s.name}: relative error ${e}`);
    }
  });

  it('padding does not change gradients: a padded batch equals the sum of single-sequence runs', async () => {
    const { engine } = tinyEngine('float64');
    const both = await engine.run({ labels: 'data', allGradients: true }, batch);
    const one = await engine.run({ labels: 'data', allGradients: true }, packWindows([windows[0]!], 12));
    const two = await engine.run({ labels: 'data', allGradients: true }, packWindows([windows[1]!], 7));
    for (const s of gpt2ParameterSpecs(config)) {
      const sum = (one[`grad.${s.name}`]!.data as Float64Array).map((v, i) => v + (two[`grad.${s.name}`]!.data as Float64Array)[i]!);
      expect(relErr(both[`grad.${s.name}`]!.data as Float64Array, sum)).toBeLessThan(1e-10);
    }
  });

  it('tracked-only gradients equal the corresponding all-parameter gradients', async () => {
    const { engine } = tinyEngine('float64');
    const all = await engine.run({ labels: 'data', allGradients: true }, batch);
    const tr = await engine.run({ labels: 'data', trackedGradients: true }, batch);
    const names = Object.keys(tr).filter((k) => k.startsWith('grad.'));
    expect(names.sort()).toEqual(
      ['h.0.mlp.c_fc', 'h.0.mlp.c_proj', 'h.1.mlp.c_fc', 'h.1.mlp.c_proj'].flatMap((l) => [`grad.${l}.bias`, `grad.${l}.weight`]).sort(),
    );
    for (const k of names) expect(relErr(tr[k]!.data as Float64Array, all[k]!.data as Float64Array)).toBeLessThan(1e-12);
  });
});

describe('untied LM head (checkpoint with its own lm_head.weight)', () => {
  it('uses lm_head for the logits and returns its gradient; wte then only gets the embedding gradient', async () => {
    const config = tinyEngine('float64').config;
    const { weights } = tinyEngine('float64');
    const rng = new Mulberry32(77);
    const lmHead = Float32Array.from({ length: config.vocabSize * config.nEmbd }, () => 0.2 * rng.normal());
    const engine = new GradientEngine(
      { family: gpt2Family, config, weights: { tensors: weights, lmHead, fileNames: new Map() }, hash: 'untied' },
      defaultEngineSettings({ dtype: 'float64', intraOpThreads: 1 }),
    );
    const tokens = randomTokens(9, 256, 78);
    const windows = splitIntoWindows({ tokens, scoreFrom: 0 }, 16);
    const out = await engine.run({ labels: 'data', allGradients: true }, packWindows(windows, 9));
    const W = toFloat64(weights);
    W.set('lm_head.weight', Float64Array.from(lmHead));
    const mask = windows[0]!.lossMask;
    const ref = referenceLoss(config, W, tokens, mask);
    expect(Math.abs((out.loss!.data as Float64Array)[0]! - ref) / ref).toBeLessThan(1e-9);
    const check = (name: string, idx: number[]) => {
      const t = W.get(name)!;
      const fdv = idx.map((i) => {
        const x0 = t[i]!;
        t[i] = x0 + 1e-5;
        const lp = referenceLoss(config, W, tokens, mask);
        t[i] = x0 - 1e-5;
        const lm = referenceLoss(config, W, tokens, mask);
        t[i] = x0;
        return (lp - lm) / 2e-5;
      });
      const got = idx.map((i) => (out[`grad.${name}`]!.data as Float64Array)[i]!);
      expect(relErr(got, fdv)).toBeLessThan(1e-6);
    };
    check('lm_head.weight', [tokens[1]! * config.nEmbd + 3, tokens[4]! * config.nEmbd + 7, 5, 1000]);
    check('wte.weight', [tokens[0]! * config.nEmbd + 2, tokens[3]! * config.nEmbd + 9]);
    // a vocabulary row never used as input has zero wte gradient when the head is untied
    const unused = [...Array(256).keys()].find((v) => !tokens.includes(v))!;
    const wteGrad = out['grad.wte.weight']!.data as Float64Array;
    expect(wteGrad.slice(unused * config.nEmbd, (unused + 1) * config.nEmbd).every((v) => v === 0)).toBe(true);
  });
});

describe('full gradient tensors of a micro GPT-2 vs finite differences of the float64 reference', () => {
  const config = { nEmbd: 8, nLayer: 2, nHead: 2, nPositions: 8, vocabSize: 16, nInner: 16, layerNormEpsilon: 1e-5, activation: 'gelu_new' as const };
  const seqs = [
    { tokens: randomTokens(8, 16, 3), scoreFrom: 2 },
    { tokens: randomTokens(5, 16, 4), scoreFrom: 0 },
  ];
  const windows = seqs.flatMap((s, i) => splitIntoWindows(s, config.nPositions, i));
  const fd = new Map<string, number[]>();
  beforeAll(() => {
    // central differences of the plain-TypeScript float64 model at every coordinate
    const W = toFloat64(tinyEngine('float64', config, 12).weights);
    const loss = () => windows.reduce((s, w) => s + referenceLoss(config, W, w.tokens, w.lossMask), 0);
    for (const spec of gpt2ParameterSpecs(config)) {
      const t = W.get(spec.name)!;
      fd.set(
        spec.name,
        Array.from(t, (_, i) => {
          const x0 = t[i]!;
          t[i] = x0 + 1e-5;
          const lp = loss();
          t[i] = x0 - 1e-5;
          const lm = loss();
          t[i] = x0;
          return (lp - lm) / 2e-5;
        }),
      );
    }
  }, 120_000);

  it.each([
    ['float64', 1e-7],
    ['float32', 1e-4],
  ] as const)('every coordinate of every tensor (%s) within %p relative error per tensor', async (dtype, tol) => {
    const { engine } = tinyEngine(dtype, config, 12);
    const out = await engine.run({ labels: 'data', allGradients: true }, packWindows(windows, 8));
    for (const spec of gpt2ParameterSpecs(config)) {
      const e = relErr(out[`grad.${spec.name}`]!.data as Float64Array | Float32Array, fd.get(spec.name)!);
      if (!(e < tol)) throw new Error(`${spec.name}: relative error ${e} (${dtype})`);
    }
  });
});
