/**
 * Runs one computation per key at a time: callers asking for a key whose computation is under
 * way get the same promise, whether they are aliases of one request or concurrent requests. The
 * key is forgotten once the computation settles (results are kept elsewhere, e.g. a
 * {@link RankingCache}); a failure reaches every waiting caller.
 */
export class SingleFlight<V> {
  private readonly running = new Map<string, Promise<V>>();

  /** Computations under way. */
  get size(): number {
    return this.running.size;
  }

  /** The running computation of `key`, or `compute()` started as it. */
  run(key: string, compute: () => Promise<V>): Promise<V> {
    const running = this.running.get(key);
    if (running) return running;
    const started = compute().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }
}
