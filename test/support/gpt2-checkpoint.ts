import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Mulberry32 } from '../../src/math/seeded-random';
import { bytesToUnicode } from '../../src/model/byte-level-bpe.tokenizer';
import { Gpt2Config, gpt2ParameterSpecs, toHfConfigJson } from '../../src/model-families/gpt2';
import { Float32Tensor } from '../../src/model/safetensors.reader';
import { writeSafetensors } from '../../src/model/safetensors.writer';

/** A tiny GPT-2 configuration with a byte-level vocabulary. */
export function tinyConfig(over: Partial<Gpt2Config> = {}): Gpt2Config {
  return { nEmbd: 16, nLayer: 2, nHead: 2, nPositions: 16, vocabSize: 256, nInner: 64, layerNormEpsilon: 1e-5, activation: 'gelu_new', ...over };
}

/** Seeded random GPT-2 weights (N(0, scale²); LayerNorm gains around 1) by canonical HF name. */
export function randomWeights(config: Gpt2Config, seed = 1, scale = 0.2): Map<string, Float32Array> {
  const rng = new Mulberry32(seed);
  const out = new Map<string, Float32Array>();
  for (const s of gpt2ParameterSpecs(config)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isGain = /ln_(1|2|f)\.weight$/.test(s.name);
    for (let i = 0; i < n; i++) data[i] = (isGain ? 1 : 0) + scale * rng.normal();
    out.set(s.name, data);
  }
  return out;
}

/** Byte-level vocab.json content (256 symbols, id = byte) and merges.txt. */
export function byteLevelTokenizerFiles(merges: [string, string][] = [], extraTokens: string[] = []): { vocab: string; merges: string } {
  const chars = bytesToUnicode();
  const vocab: Record<string, number> = {};
  chars.forEach((c, b) => (vocab[c] = b));
  extraTokens.forEach((t, i) => (vocab[t] = 256 + i));
  return { vocab: JSON.stringify(vocab), merges: ['#version: 0.2', ...merges.map(([a, b]) => `${a} ${b}`)].join('\n') + '\n' };
}

/** Writes a random tiny HF-layout GPT-2 directory and returns its path and weights. */
export function writeTinyCheckpoint(
  config: Gpt2Config = tinyConfig(),
  opts: { seed?: number; prefix?: string; legacyBuffers?: boolean; dir?: string } = {},
): { dir: string; weights: Map<string, Float32Array> } {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tracebase-gpt2-'));
  const weights = randomWeights(config, opts.seed ?? 1);
  const specs = gpt2ParameterSpecs(config);
  const tensors: [string, Float32Tensor][] = specs.map((s) => [`${opts.prefix ?? ''}${s.name}`, { shape: s.shape, data: weights.get(s.name)! }]);
  if (opts.legacyBuffers) {
    for (let i = 0; i < config.nLayer; i++) {
      const T = config.nPositions;
      tensors.push([`h.${i}.attn.bias`, { shape: [1, 1, T, T], data: new Float32Array(T * T) }]);
    }
  }
  writeFileSync(join(dir, 'config.json'), JSON.stringify(toHfConfigJson(config)));
  writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(tensors));
  const tok = byteLevelTokenizerFiles();
  writeFileSync(join(dir, 'vocab.json'), tok.vocab);
  writeFileSync(join(dir, 'merges.txt'), tok.merges);
  return { dir, weights };
}
