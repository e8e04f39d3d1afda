import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { TrainingCorpus } from '../../src/training/reference-model.trainer';
import { TrainingSettings, defaultTrainingSettings } from '../../src/training/training.settings';

/** A small repetitive corpus that a tiny model learns within a few dozen steps. */
export function tinyCorpus(): TrainingCorpus {
  const texts: string[] = [];
  for (let i = 0; i < 40; i++) texts.push(`The capital of Velor is Danu. ${i % 5} + 1 = ${(i % 5) + 1}.`);
  return { texts, fingerprint: 'tiny-corpus-v1', description: 'tiny test corpus' };
}

/** A tiny model (d = 16, 2 layers, context 32) and a short schedule, one thread. */
export function tinySettings(over: Partial<TrainingSettings> = {}): TrainingSettings {
  return defaultTrainingSettings({
    config: { nEmbd: 16, nLayer: 2, nHead: 2, nPositions: 48, vocabSize: 257, nInner: 64, layerNormEpsilon: 1e-5, activation: 'gelu_new' },
    steps: 40,
    batchSize: 4,
    seqLen: 48,
    seed: 5,
    lr: 1e-2,
    warmupSteps: 4,
    ...over,
  });
}

/** A fresh temporary directory. */
export function scratchDir(label: string): string {
  return join(mkdtempSync(join(tmpdir(), `tracebase-${label}-`)), 'model');
}

export const oneThread = { intraOpThreads: 1, interOpThreads: 1 };
