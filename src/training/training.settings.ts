import { Gpt2Config } from '../model-families/gpt2';
import { AdamSettings, DEFAULT_ADAM } from './adam.optimizer';
import { BYTE_VOCAB_SIZE } from '../generation/byte-level.vocabulary';
import { DecayShape } from './learning-rate.schedule';
import { InvalidTrainingOptionError } from './training.errors';

/** Everything that determines a training run's result (with the world). */
export interface TrainingSettings {
  config: Gpt2Config;
  /** Optimiser steps N. */
  steps: number;
  /** Rows per batch B. */
  batchSize: number;
  /** Tokens per row T (≤ n_positions). */
  seqLen: number;
  seed: number;
  /** Peak learning rate. */
  lr: number;
  warmupSteps: number;
  /** Final learning rate as a fraction of the peak. */
  minLrRatio: number;
  decay: DecayShape;
  adam: AdamSettings;
  /** Global gradient-norm limit (of the mean-per-token loss's gradient). */
  clipNorm: number;
}

/**
 * The reference model: byte-level GPT-2, d = 128, 4 layers, 4 heads, MLP 512, context 256,
 * vocabulary 257 (256 bytes + end-of-text): 0.86 M parameters, the size the issue's
 * calibration found to learn fastest per CPU-minute.
 */
export function referenceModelConfig(): Gpt2Config {
  return { nEmbd: 128, nLayer: 4, nHead: 4, nPositions: 256, vocabSize: BYTE_VOCAB_SIZE, nInner: 512, layerNormEpsilon: 1e-5, activation: 'gelu_new' };
}

/** Default settings of the reference run: B = 8 rows × 256 tokens, peak lr 2e-3, 2 % warm-up (≤ 200 steps), cosine to 10 %, clip 1. */
export function defaultTrainingSettings(over: Partial<TrainingSettings> = {}): TrainingSettings {
  const steps = over.steps ?? 6000;
  return {
    config: referenceModelConfig(),
    steps,
    batchSize: 8,
    seqLen: 256,
    seed: 1,
    lr: 2e-3,
    warmupSteps: Math.min(200, Math.ceil(steps * 0.02)),
    minLrRatio: 0.1,
    decay: 'cosine',
    adam: DEFAULT_ADAM,
    clipNorm: 1,
    ...over,
  };
}

/** Parses a positive finite number option (e.g. a learning rate). */
export function parsePositiveNumberOption(name: string, raw: string): number {
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidTrainingOptionError(name, raw, 'a positive number');
  return n;
}
