import { Client } from 'pg';

import type { SessionLock } from './database.types';

/** Delays before retaking a lock whose connection was lost: 1 s, doubling up to 30 s. */
const RECONNECT_MS = { first: 1_000, max: 30_000 } as const;

/**
 * A session-level advisory lock `pg_try_advisory_lock(namespace, key)` held on a dedicated
 * connection outside the pool (a pooled client would return the session, and with it the lock,
 * to other work). Postgres releases it when the connection ends, which is what other processes
 * watch in `pg_locks` to tell that this process is gone (docs/operations.md "Liveness of jobs").
 * When the connection is lost while the process lives, it reconnects with backoff and takes the
 * lock again.
 */
export class PostgresSessionLock implements SessionLock {
  private client: Client | null = null;
  private released = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay: number = RECONNECT_MS.first;

  private constructor(
    private readonly url: string,
    readonly namespace: number,
    readonly key: number,
  ) {}

  /** Takes the lock on a new connection; null when another session holds it. */
  static async tryTake(url: string, namespace: number, key: number): Promise<PostgresSessionLock | null> {
    const lock = new PostgresSessionLock(url, namespace, key);
    return (await lock.take()) ? lock : null;
  }

  /** Whether the connection holding the lock is up now. */
  get held(): boolean {
    return this.client !== null;
  }

  async release(): Promise<void> {
    this.released = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    // ending the session releases the lock
    if (client) await client.end().catch(() => undefined);
  }

  private async take(): Promise<boolean> {
    const client = new Client({ connectionString: this.url, application_name: 'tracebase-worker-lock', connectionTimeoutMillis: 10_000 });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    await client.connect();
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [this.namespace, this.key]);
    if (!rows[0]?.ok || this.released) {
      await client.end().catch(() => undefined);
      return false;
    }
    this.client = client;
    this.reconnectDelay = RECONNECT_MS.first;
    return true;
  }

  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    void client.end().catch(() => undefined);
    this.scheduleRetake();
  }

  private scheduleRetake(): void {
    if (this.released || this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(RECONNECT_MS.max, delay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.released) return;
      void this.take()
        .then((ok) => {
          if (!ok) this.scheduleRetake();
        })
        .catch(() => this.scheduleRetake());
    }, delay);
    this.reconnectTimer.unref();
  }
}
