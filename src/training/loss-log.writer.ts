import { existsSync, readFileSync } from 'node:fs';

import { writeFileAtomic } from './model-directory.writer';

/** One row of the training log. */
export interface LossLogRow {
  step: number;
  /** Scored tokens seen after this step. */
  tokens: number;
  /** Mean loss of this step's batch, nats per token. */
  loss: number;
  lr: number;
  /** Global gradient norm before clipping (of the mean loss). */
  gradNorm: number;
  /** Training wall-clock seconds after this step. */
  elapsedSeconds: number;
  /** Real tokens per second of this step. */
  tokensPerSecond: number;
}

/** Header of the CSV training log. */
export const LOSS_LOG_HEADER = 'step,tokens,loss,lr,grad_norm,elapsed_s,tokens_per_s';

/** One CSV line of a row (loss 6 decimals, lr in exponent form). */
export function formatLossRow(r: LossLogRow): string {
  return `${r.step},${r.tokens},${r.loss.toFixed(6)},${r.lr.toExponential(4)},${r.gradNorm.toFixed(4)},${r.elapsedSeconds.toFixed(1)},${r.tokensPerSecond.toFixed(0)}`;
}

/** Parses a CSV log written by {@link formatLossRow} (header first); malformed lines are skipped. */
export function parseLossLog(text: string): LossLogRow[] {
  return text
    .split('\n')
    .slice(1)
    .filter((l) => l.trim().length > 0)
    .map((l) => l.split(',').map(Number))
    .filter((c) => c.length === 7 && c.every(Number.isFinite))
    .map(([step, tokens, loss, lr, gradNorm, elapsedSeconds, tokensPerSecond]) => ({
      step: step!,
      tokens: tokens!,
      loss: loss!,
      lr: lr!,
      gradNorm: gradNorm!,
      elapsedSeconds: elapsedSeconds!,
      tokensPerSecond: tokensPerSecond!,
    }));
}

/** Reads the log at `file` (empty if absent), keeping only rows with step ≤ `upToStep` (for resume). */
export function readLossLog(file: string, upToStep = Infinity): LossLogRow[] {
  if (!existsSync(file)) return [];
  return parseLossLog(readFileSync(file, 'utf8')).filter((r) => r.step <= upToStep);
}

/** Writes the whole log atomically. */
export function writeLossLog(file: string, rows: readonly LossLogRow[]): void {
  writeFileAtomic(file, [LOSS_LOG_HEADER, ...rows.map(formatLossRow)].join('\n') + '\n');
}
