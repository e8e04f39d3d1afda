/** How a watched value is polled. */
export interface PollingFeed<T> {
  /** Reads the current value (from the database). */
  fetch(): Promise<T>;
  /** What counts as a change: values with equal fingerprints are not sent again. */
  fingerprint(value: T): string;
  /** Whether the value is the last one (the feed then completes). */
  isFinal(value: T): boolean;
}

/** Most unread values kept per subscriber; older ones are dropped (progress: the latest matters). */
const MAX_QUEUED = 16;

/**
 * One subscriber's stream: values pushed by the hub, read with `for await`. `return()` (a client
 * unsubscribing, a socket closing) ends it at once, even while a read is waiting.
 */
class Subscriber<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  private ended = false;
  private failure: { error: unknown } | null = null;
  /** Fingerprint of the last value pushed. */
  last: string | null = null;

  constructor(private readonly onReturn: (s: Subscriber<T>) => void) {}

  push(value: T, fingerprint: string): void {
    if (this.ended) return;
    this.last = fingerprint;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve({ value, done: false });
      return;
    }
    this.queue.push(value);
    if (this.queue.length > MAX_QUEUED) this.queue.shift();
  }

  /** Ends the stream after the queued values, with `error` if given. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (error !== undefined) this.failure = { error };
    if (this.waiting && this.queue.length === 0) {
      const w = this.waiting;
      this.waiting = null;
      if (this.failure) {
        this.failure = null;
        w.reject(error);
      } else w.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.ended) {
      if (this.failure) {
        const { error } = this.failure;
        this.failure = null;
        return Promise.reject(error);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.queue.length = 0;
    this.failure = null;
    this.end();
    this.onReturn(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

interface Feed {
  readonly source: PollingFeed<unknown>;
  readonly subscribers: Set<Subscriber<unknown>>;
  timer: NodeJS.Timeout | null;
}

/**
 * Watches values by polling, with one poll per key however many subscribers share it: every
 * `intervalMs` the key's value is fetched once and sent to each subscriber whose last value had
 * another fingerprint; a final value completes every subscriber of the key, and a failed fetch
 * ends them with the error. A key's polling stops as soon as it has no subscribers, so nothing
 * keeps running once clients are gone ({@link activeFeeds} counts what is left).
 */
export class PollingHub {
  private readonly feeds = new Map<string, Feed>();

  /** @param intervalMs pause between the end of one poll of a key and the start of the next */
  constructor(private readonly intervalMs: number) {
    if (!Number.isFinite(intervalMs) || intervalMs < 10) throw new RangeError(`polling interval must be at least 10 ms, got ${intervalMs}`);
  }

  /** Keys being polled now. */
  get activeFeeds(): number {
    return this.feeds.size;
  }

  /**
   * Subscribes to `key`: reads the current value first (its errors reach the caller, and no
   * subscription is made), which is the stream's first value; then the stream gets each change
   * and completes after a final value.
   */
  async watch<T>(key: string, source: PollingFeed<T>): Promise<AsyncIterableIterator<T>> {
    const first = await source.fetch();
    const subscriber = new Subscriber<T>((s) => this.unsubscribe(key, s as Subscriber<unknown>));
    subscriber.push(first, source.fingerprint(first));
    if (source.isFinal(first)) {
      subscriber.end();
      return subscriber;
    }
    let feed = this.feeds.get(key);
    if (!feed) {
      feed = { source: source as PollingFeed<unknown>, subscribers: new Set(), timer: null };
      this.feeds.set(key, feed);
      this.schedule(key, feed);
    }
    feed.subscribers.add(subscriber as Subscriber<unknown>);
    return subscriber;
  }

  /** Completes every subscriber and stops all polling. */
  close(): void {
    for (const [key, feed] of this.feeds) {
      this.stop(key, feed);
      for (const s of feed.subscribers) s.end();
    }
  }

  private schedule(key: string, feed: Feed): void {
    feed.timer = setTimeout(() => void this.poll(key, feed), this.intervalMs);
  }

  private async poll(key: string, feed: Feed): Promise<void> {
    feed.timer = null;
    let value: unknown;
    try {
      value = await feed.source.fetch();
    } catch (error) {
      if (this.feeds.get(key) !== feed) return;
      this.stop(key, feed);
      for (const s of feed.subscribers) s.end(error);
      return;
    }
    if (this.feeds.get(key) !== feed) return; // stopped while fetching
    const print = feed.source.fingerprint(value);
    for (const s of feed.subscribers) if (s.last !== print) s.push(value, print);
    if (feed.source.isFinal(value)) {
      this.stop(key, feed);
      for (const s of feed.subscribers) s.end();
      return;
    }
    this.schedule(key, feed);
  }

  private unsubscribe(key: string, subscriber: Subscriber<unknown>): void {
    const feed = this.feeds.get(key);
    if (!feed) return;
    feed.subscribers.delete(subscriber);
    if (feed.subscribers.size === 0) this.stop(key, feed);
  }

  private stop(key: string, feed: Feed): void {
    if (feed.timer) clearTimeout(feed.timer);
    feed.timer = null;
    if (this.feeds.get(key) === feed) this.feeds.delete(key);
  }
}
