import { Gpt2Config, gpt2Family } from '../../src/model-families/gpt2';
import { GradientEngine, defaultEngineSettings } from '../../src/engine/gradient.engine';
import { Mulberry32 } from '../../src/math/seeded-random';
import { randomWeights, tinyConfig } from '../support/gpt2-checkpoint';

/** An engine over a seeded random tiny GPT-2 (weights kept for the float64 reference). */
export function tinyEngine(
  dtype: 'float32' | 'float64',
  config: Gpt2Config = tinyConfig(),
  seed = 3,
): { engine: GradientEngine; weights: Map<string, Float32Array>; config: Gpt2Config } {
  const weights = randomWeights(config, seed);
  const engine = new GradientEngine(
    { family: gpt2Family, config, weights: { tensors: weights, fileNames: new Map() }, hash: `tiny-${seed}` },
    defaultEngineSettings({ dtype, intraOpThreads: 1 }),
  );
  return { engine, weights, config };
}

/** Seeded random token ids in [0, vocab). */
export function randomTokens(n: number, vocab: number, seed: number): number[] {
  const rng = new Mulberry32(seed);
  return Array.from({ length: n }, () => Math.floor(rng.next() * vocab));
}

/** ‖a − b‖ / ‖b‖. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}
