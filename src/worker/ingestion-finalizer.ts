import type { IngestionService } from '../services/ingestion.service';

/** Delay between a worker's last finished batch and its sweep, ms: pg-boss completes the job after the handler returns. */
export const FINALIZE_DELAY_MS = 1500;

/**
 * Builds the HNSW indexes of spaces whose ingestion has finished, from inside the workers: a
 * sweep (`IngestionService.finalizeFinished`) runs when the worker starts and a moment after
 * each of its batches (debounced: one sweep per quiet period). Race-free without coordination:
 * whichever worker finishes the last batch, every worker's next sweep sees no unfinished job
 * and the index statement is idempotent; a worker killed before its sweep leaves the work to
 * the next worker that starts or finishes a batch.
 */
export class IngestionFinalizer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly ingestion: IngestionService,
    private readonly delayMs = FINALIZE_DELAY_MS,
    private readonly onIndexed: (spaceIds: number[]) => void = () => undefined,
    private readonly onError: (error: Error) => void = (e) => process.stderr.write(`ingestion finalizer: ${e.message}\n`),
  ) {}

  /** Schedules a sweep `delayMs` from now (replacing one already scheduled). */
  schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sweep();
    }, this.delayMs);
    this.timer.unref();
  }

  /** Runs one sweep now (one at a time); errors go to `onError`, never thrown. */
  async sweep(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        const indexed = await this.ingestion.finalizeFinished();
        if (indexed.length) this.onIndexed(indexed);
      } catch (error) {
        this.onError(error as Error);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Cancels a scheduled sweep and waits for a running one. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }
}
