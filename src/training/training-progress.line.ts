import { TrainingProgress } from './reference-model.trainer';

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return `${h ? `${h}:` : ''}${String(m).padStart(h ? 2 : 1, '0')}:${String(r).padStart(2, '0')}`;
}

/** One progress line: `[#####-----] step 120/6000 loss 2.345 (ema 2.401) lr 1.20e-3 1850 tok/s 0.2M tok 1:05 ETA 54:10`. */
export function formatProgress(p: TrainingProgress, width = 20): string {
  const done = Math.round((p.step / p.totalSteps) * width);
  const rate = p.step > 0 ? p.elapsedSeconds / p.step : 0;
  return (
    `[${'#'.repeat(done)}${'-'.repeat(width - done)}] step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)} (ema ${p.smoothedLoss.toFixed(3)}) ` +
    `lr ${p.lr.toExponential(2)} ${p.tokensPerSecond.toFixed(0)} tok/s ${(p.tokensSeen / 1e6).toFixed(2)}M tok ${clock(p.elapsedSeconds)} ETA ${clock(rate * (p.totalSteps - p.step))}`
  );
}

/**
 * Writes progress to a stream: redraws one line (`\r`) on a terminal, else prints a line every
 * `every` steps (and the last step), so logs stay readable.
 */
export class TrainingProgressLine {
  private last?: TrainingProgress;

  constructor(
    private readonly out: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean },
    private readonly every = 25,
  ) {}

  update(p: TrainingProgress): void {
    this.last = p;
    if (this.out.isTTY) this.out.write(`\r${formatProgress(p)}\x1b[K`);
    else if (p.step % this.every === 0 || p.step === p.totalSteps) this.out.write(`${formatProgress(p)}\n`);
  }

  done(): void {
    if (this.out.isTTY && this.last) this.out.write('\n');
  }
}
