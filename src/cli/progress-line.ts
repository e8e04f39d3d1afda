import { etaSeconds, progressRate } from '../math/progress-rate';

/** Shortest window a rate is shown for: below it one batch decides the figure ("500000 documents/s"). */
const MIN_RATE_WINDOW_MS = 1000;

/**
 * A one-line progress display on stderr (redrawn in place on a terminal, printed at most every
 * few seconds otherwise): done / total, rate and ETA. The rate is measured from the first
 * update, not from construction: work done before the first update (a batch finished at once,
 * items resumed from a previous run) is not counted ({@link progressRate}), and no rate or ETA
 * is shown before a second of measurement.
 * While the remaining work is held by nobody (`stalled`: e.g. jobs of a stopped process being
 * reclaimed), it shows why instead of an ETA: no estimate is given for work that nobody is doing.
 */
export class ProgressLine {
  private readonly started: number;
  private lastPrint = 0;
  private baseline: { at: number; done: number } | undefined;

  constructor(
    private readonly label: string,
    private readonly unit: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Redraws the line; `stalled` says why no work is being done now (shown instead of the ETA). */
  update(done: number, total: number | undefined, extra = '', stalled?: string): void {
    const now = this.now();
    this.baseline ??= { at: now, done };
    const interactive = Boolean(this.stream.isTTY);
    if (now - this.lastPrint < (interactive ? 100 : 5000)) return;
    this.lastPrint = now;
    this.stream.write(`${interactive ? '\r\x1b[2K' : ''}${this.render(done, total, extra, now, false, stalled)}${interactive ? '' : '\n'}`);
  }

  /** The last line, with the time taken since the display was created. */
  finish(done: number, total: number | undefined, extra = ''): void {
    const interactive = Boolean(this.stream.isTTY);
    const now = this.now();
    const seconds = (now - this.started) / 1000;
    const line = this.render(done, total, extra, now, true);
    this.stream.write(`${interactive ? '\r\x1b[2K' : ''}${line}  in ${seconds.toFixed(1)} s\n`);
  }

  /** The rate in units per second, or null before {@link MIN_RATE_WINDOW_MS} of measurement. */
  private rate(done: number, now: number, finished: boolean): number | null {
    if (finished && (this.baseline === undefined || now - this.baseline.at < MIN_RATE_WINDOW_MS)) {
      // a step with no or short measurement: its whole duration
      const ms = now - this.started;
      return ms >= MIN_RATE_WINDOW_MS ? done / (ms / 1000) : null;
    }
    if (this.baseline === undefined || now - this.baseline.at < MIN_RATE_WINDOW_MS) return null;
    const measured = progressRate(
      [
        { at: this.baseline.at, items: 0, tokens: 0 },
        { at: now, items: Math.max(0, done - this.baseline.done), tokens: 0 },
      ],
      now,
    );
    return measured?.itemsPerSecond ?? null;
  }

  private render(done: number, total: number | undefined, extra: string, now: number, finished = false, stalled?: string): string {
    const rate = this.rate(done, now, finished);
    const parts = [`${this.label}: ${done}${total !== undefined ? ` / ${total}` : ''} ${this.unit}`];
    if (total !== undefined && total > 0) {
      const width = 24;
      const filled = Math.min(width, Math.round((done / total) * width));
      parts.unshift(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${((100 * done) / total).toFixed(0)}%`);
      const eta = finished ? null : etaSeconds(total - done, rate);
      if (stalled && !finished) parts.push(stalled);
      else if (eta !== null) parts.push(`ETA ${eta} s`);
    }
    if (rate !== null) parts.push(`${rate < 10 ? rate.toFixed(1) : rate.toFixed(0)} ${this.unit}/s`);
    if (extra) parts.push(extra);
    return parts.join('  ');
  }
}
