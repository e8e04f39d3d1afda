import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { SessionSettings } from '../onnx/ort.runner';
import { AdamOptimizer } from './adam.optimizer';
import { END_OF_TEXT_ID, encodeBytes } from '../generation/byte-level.vocabulary';
import { clipGlobalNorm } from './global-norm.clipper';
import { initGpt2Parameters } from '../model-families/gpt2';
import { learningRateAt } from './learning-rate.schedule';
import { renderLossCurveSvg } from './loss-curve.svg';
import { LossLogRow, readLossLog, writeLossLog } from './loss-log.writer';
import { writeFileAtomic, writeModelDirectory } from './model-directory.writer';
import { DataCursor, PackedRowStream, packRows } from './training-batch.packer';
import { loadCheckpoint, saveCheckpoint } from './training-checkpoint.store';
import { TrainingStepRunner } from './training-step.runner';
import { TrainingSettings } from './training.settings';
import { CorruptCheckpointError, InvalidTrainingOptionError, ModelDirectoryOccupiedError, TrainingDivergedError } from './training.errors';

/** Files of a model directory written by training (relative to it). */
export const TRAINING_FILES = {
  checkpoint: 'training/checkpoint.safetensors',
  log: 'training-log.csv',
  plot: 'training-loss.svg',
  summary: 'training.json',
  fixedBatch: 'fixed-batch.json',
} as const;

/**
 * Records the final model's mean loss (nats per scored token) on a fixed batch, the corpus's
 * first 8 documents, each as its own row `<eot> doc <eot>`, in `fixed-batch.json`; a test checks
 * that the committed model still reproduces it through the gradient engine.
 */
export async function recordFixedBatchLoss(dir: string, corpus: TrainingCorpus, runner: TrainingStepRunner, params: Map<string, Float32Array>): Promise<void> {
  const texts = corpus.texts.slice(0, 8).filter((t) => Buffer.byteLength(t) + 2 <= runner.config.nPositions);
  if (texts.length === 0) return;
  const rows = texts.map((t) => [END_OF_TEXT_ID, ...encodeBytes(t), END_OF_TEXT_ID]);
  const batch = packRows(rows, Math.max(...rows.map((r) => r.length)));
  const meanLoss = (await runner.loss(params, batch)) / batch.scored;
  writeFileAtomic(
    join(dir, TRAINING_FILES.fixedBatch),
    JSON.stringify({ texts, meanLoss: Number(meanLoss.toFixed(6)), scoredTokens: batch.scored }, null, 2) + '\n',
  );
}

/** A corpus to train on: document texts and a fingerprint of their bytes. */
export interface TrainingCorpus {
  texts: readonly string[];
  /** e.g. the world's corpus SHA-256; part of the run key checked on resume. */
  fingerprint: string;
  /** Free-form description for the summary (world directory, seed, size). */
  description?: string;
  /** The world's seed and size, when the corpus is a generated world (recorded for evaluation). */
  world?: { seed: number; size: string };
}

/** Progress after each step. */
export interface TrainingProgress {
  step: number;
  totalSteps: number;
  loss: number;
  /** EMA of the loss (α = 0.05). */
  smoothedLoss: number;
  lr: number;
  tokensPerSecond: number;
  tokensSeen: number;
  elapsedSeconds: number;
}

/** How a run is driven (not part of its result). */
export interface TrainingRunOptions {
  outDir: string;
  resume?: boolean;
  force?: boolean;
  /** Write a checkpoint (and the model files, log and plot) every this many steps (default 200) and at the end. */
  checkpointEvery?: number;
  /** Stop after this step (with a checkpoint and the fixed-batch loss; the schedule still runs to `steps`, and the run can be resumed). */
  stopAfterStep?: number;
  session?: Partial<SessionSettings>;
  onProgress?: (p: TrainingProgress) => void;
  /** Called after each checkpoint is written (e.g. to evaluate the model files); its time is not counted as training time. */
  onCheckpoint?: (step: number) => Promise<void> | void;
}

/** What a run returns. */
export interface TrainingResult {
  step: number;
  params: Map<string, Float32Array>;
  log: LossLogRow[];
  elapsedSeconds: number;
  tokensSeen: number;
}

/** A stable fingerprint of everything that fixes the run's numbers (settings + corpus). */
export function runKey(settings: TrainingSettings, corpus: TrainingCorpus): string {
  return createHash('sha256')
    .update(JSON.stringify({ settings, corpus: corpus.fingerprint }))
    .digest('hex')
    .slice(0, 32);
}

function checkOutputDirectory(dir: string, resume: boolean, force: boolean): void {
  if (resume && force) throw new InvalidTrainingOptionError('resume', 'with --force', 'used without --force (--force starts over, --resume continues)');
  if (!existsSync(dir)) {
    if (resume) throw new CorruptCheckpointError(join(dir, TRAINING_FILES.checkpoint), 'the model directory does not exist');
    return;
  }
  if (!statSync(dir).isDirectory()) throw new InvalidTrainingOptionError('out', dir, 'a directory');
  const occupied = ['config.json', 'model.safetensors', 'training'].filter((f) => existsSync(join(dir, f)));
  if (resume) return;
  if (occupied.length && !force) throw new ModelDirectoryOccupiedError(dir, `a model (${occupied.join(', ')})`);
  if (force) {
    for (const f of [
      'config.json',
      'model.safetensors',
      'vocab.json',
      'merges.txt',
      'tokenizer_config.json',
      'special_tokens_map.json',
      'training',
      ...Object.values(TRAINING_FILES),
    ]) {
      rmSync(join(dir, f), { recursive: true, force: true });
    }
  }
}

/**
 * Trains a GPT-2 on a corpus with the gradient engine's all-parameter head. Per step k = 1…N:
 * batch k of the packed stream ({@link PackedRowStream}); g = ∇_θ (L_sum / n_scored) (mean
 * nats per scored token); clip ‖g‖ to `clipNorm`; Adam with lr from the warm-up + decay schedule.
 * Every `checkpointEvery` steps and at the end it writes the model directory (loadable by the
 * engine), the checkpoint (parameters, Adam moments, step, data cursor, seed) atomically, the
 * CSV log and the SVG plot. With `resume` it continues from the checkpoint and gives the same
 * numbers as an uninterrupted run (same settings, world and thread count).
 */
export async function trainReferenceModel(settings: TrainingSettings, corpus: TrainingCorpus, run: TrainingRunOptions): Promise<TrainingResult> {
  const { config } = settings;
  const dir = run.outDir;
  checkOutputDirectory(dir, run.resume ?? false, run.force ?? false);
  if (settings.seqLen > config.nPositions) throw new InvalidTrainingOptionError('seq-len', settings.seqLen, `at most n_positions = ${config.nPositions}`);
  const key = runKey(settings, corpus);
  const ckptFile = join(dir, TRAINING_FILES.checkpoint);

  let params: Map<string, Float32Array>;
  const adam = new AdamOptimizer(settings.adam);
  let step = 0;
  let cursor: DataCursor = { epoch: 0, row: 0 };
  let tokensSeen = 0;
  let elapsedBefore = 0;
  let log: LossLogRow[] = [];
  if (run.resume) {
    const ck = loadCheckpoint(ckptFile, config);
    if (ck.state.runKey !== key) {
      throw new CorruptCheckpointError(
        ckptFile,
        'it belongs to a run with other settings or another world (same --steps, --seed and world are needed to resume)',
      );
    }
    params = ck.params;
    for (const [n, t] of ck.adamM) adam.m.set(n, t);
    for (const [n, t] of ck.adamV) adam.v.set(n, t);
    adam.step = ck.state.step;
    step = ck.state.step;
    cursor = ck.state.cursor;
    tokensSeen = ck.state.tokensSeen;
    elapsedBefore = ck.state.elapsedSeconds;
    log = readLossLog(join(dir, TRAINING_FILES.log), step);
  } else {
    params = initGpt2Parameters(config, settings.seed);
  }
  mkdirSync(join(dir, 'training'), { recursive: true });

  const stream = new PackedRowStream(corpus.texts.map(encodeBytes), settings.seqLen, settings.seed);
  const runner = new TrainingStepRunner(config, { device: 'cpu', intraOpThreads: 1, interOpThreads: 1, optimization: 'all', ...run.session });
  const every = run.checkpointEvery ?? 200;
  const startedAt = Date.now();
  let pausedMs = 0; // time spent in onCheckpoint (e.g. evaluation) is not training time
  const elapsed = () => elapsedBefore + (Date.now() - startedAt - pausedMs) / 1000;
  let smoothed = log.length ? log[log.length - 1]!.loss : NaN;

  const persist = async () => {
    const state = { step, seed: settings.seed, cursor, tokensSeen, elapsedSeconds: elapsed(), runKey: key };
    writeModelDirectory(dir, config, params, { step: String(step), seed: String(settings.seed) });
    saveCheckpoint(ckptFile, config, { state, params, adamM: adam.m, adamV: adam.v });
    writeLossLog(join(dir, TRAINING_FILES.log), log);
    writeFileAtomic(
      join(dir, TRAINING_FILES.plot),
      renderLossCurveSvg(log, { title: `Training loss (seed ${settings.seed}, ${corpus.description ?? 'corpus'})` }),
    );
    const last = log.slice(-50);
    writeFileAtomic(
      join(dir, TRAINING_FILES.summary),
      JSON.stringify(
        {
          step,
          totalSteps: settings.steps,
          tokensSeen,
          elapsedSeconds: Number(elapsed().toFixed(1)),
          meanLossLast50: last.length ? Number((last.reduce((s, r) => s + r.loss, 0) / last.length).toFixed(4)) : null,
          meanTokensPerSecond: Number((tokensSeen / Math.max(1e-9, elapsed())).toFixed(0)),
          corpus: corpus.description ?? null,
          world: corpus.world ?? null,
          corpusFingerprint: corpus.fingerprint,
          settings,
        },
        null,
        2,
      ) + '\n',
    );
    if (run.onCheckpoint) {
      const t = Date.now();
      await run.onCheckpoint(step);
      pausedMs += Date.now() - t;
    }
  };

  try {
    const last = Math.min(settings.steps, run.stopAfterStep ?? Infinity);
    while (step < last) {
      const t0 = Date.now();
      const next = stream.next(cursor, settings.batchSize);
      const { lossSum, grads } = await runner.run(params, next.batch);
      const n = next.batch.scored;
      for (const g of grads.values()) for (let i = 0; i < g.length; i++) g[i]! /= n;
      const loss = lossSum / n;
      const gradNorm = clipGlobalNorm(grads.values(), settings.clipNorm);
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) throw new TrainingDivergedError(step + 1, loss, gradNorm);
      const lr = learningRateAt(
        { peak: settings.lr, warmupSteps: settings.warmupSteps, totalSteps: settings.steps, minRatio: settings.minLrRatio, decay: settings.decay },
        step + 1,
      );
      adam.update(params, grads, lr);
      step += 1;
      cursor = next.cursor;
      tokensSeen += n;
      const dt = Math.max(1e-6, (Date.now() - t0) / 1000);
      const row: LossLogRow = { step, tokens: tokensSeen, loss, lr, gradNorm, elapsedSeconds: elapsed(), tokensPerSecond: next.batch.tokens / dt };
      log.push(row);
      smoothed = Number.isNaN(smoothed) ? loss : 0.95 * smoothed + 0.05 * loss;
      run.onProgress?.({
        step,
        totalSteps: settings.steps,
        loss,
        smoothedLoss: smoothed,
        lr,
        tokensPerSecond: row.tokensPerSecond,
        tokensSeen,
        elapsedSeconds: row.elapsedSeconds,
      });
      if (step % every === 0 || step === last) await persist();
    }
    if (step === last) await recordFixedBatchLoss(dir, corpus, runner, params);
  } finally {
    await runner.release();
  }
  return { step, params, log, elapsedSeconds: elapsed(), tokensSeen };
}
