/**
 * A one-line progress display on stderr (redrawn in place on a terminal, printed at most every
 * few seconds otherwise): done / total, rate and ETA. While the remaining work is held by
 * nobody (`stalled`: e.g. jobs of a stopped process being reclaimed), it shows why instead of
 * an ETA: no estimate is given for work that nobody is doing.
 */
export class ProgressLine {
  private readonly started = Date.now();
  private lastPrint = 0;

  constructor(
    private readonly label: string,
    private readonly unit: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** Redraws the line; `stalled` says why no work is being done now (shown instead of the ETA). */
  update(done: number, total: number | undefined, extra = '', stalled?: string): void {
    const now = Date.now();
    const interactive = Boolean(this.stream.isTTY);
    if (now - this.lastPrint < (interactive ? 100 : 5000)) return;
    this.lastPrint = now;
    this.stream.write(`${interactive ? '\r\x1b[2K' : ''}${this.render(done, total, extra, stalled)}${interactive ? '' : '\n'}`);
  }

  finish(done: number, total: number | undefined, extra = ''): void {
    const interactive = Boolean(this.stream.isTTY);
    this.stream.write(`${interactive ? '\r\x1b[2K' : ''}${this.render(done, total, extra)}\n`);
  }

  /** The line's text. */
  render(done: number, total: number | undefined, extra: string, stalled?: string): string {
    const seconds = Math.max((Date.now() - this.started) / 1000, 1e-3);
    const rate = done / seconds;
    const parts = [`${this.label}: ${done}${total !== undefined ? ` / ${total}` : ''} ${this.unit}`];
    if (total !== undefined && total > 0) {
      const width = 24;
      const filled = Math.min(width, Math.round((done / total) * width));
      parts.unshift(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${((100 * done) / total).toFixed(0)}%`);
      if (stalled) parts.push(stalled);
      else if (rate > 0 && done < total) parts.push(`ETA ${Math.ceil((total - done) / rate)} s`);
    }
    parts.push(`${rate.toFixed(0)} ${this.unit}/s`);
    if (extra) parts.push(extra);
    return parts.join('  ');
  }
}
