import { Client } from 'pg';

import { assertChannelName, type NotificationHandler, type Unlisten } from './notification-channel';

/** Delays before reconnecting a lost listening connection: 1 s, doubling up to 30 s. */
const RECONNECT_MS = { first: 1_000, max: 30_000 } as const;

/**
 * LISTEN/NOTIFY subscriptions of one process on a Postgres server, over one dedicated
 * connection outside the pool (a pooled client would hold a slot for as long as the process
 * listens). The connection opens with the first subscription; when it is lost it reconnects
 * with backoff and listens again to every channel, so that subscribers only miss the
 * notifications sent while it was down (listeners use them to wake up early, never as the one
 * source of truth).
 */
export class PostgresListener {
  private readonly handlers = new Map<string, Set<NotificationHandler>>();
  /** Per channel: settles when the first subscription's LISTEN has been sent. */
  private readonly listening = new Map<string, Promise<void>>();
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelay: number = RECONNECT_MS.first;
  private closed = false;

  constructor(private readonly url: string) {}

  /**
   * Calls `handler` with the payload of every notification on `channel` until unlistened;
   * resolves once the connection listens on the channel (for a later subscriber of the same
   * channel too).
   */
  async listen(channel: string, handler: NotificationHandler): Promise<Unlisten> {
    assertChannelName(channel);
    if (this.closed) throw new Error('the listening connection is closed');
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      const listening = this.connection()
        .then((client) => client.query(`LISTEN "${channel}"`))
        .then(() => undefined);
      this.listening.set(channel, listening);
      listening.catch(() => {
        if (this.listening.get(channel) === listening) this.listening.delete(channel);
      });
    }
    set.add(handler);
    try {
      await this.listening.get(channel);
    } catch (error) {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(channel) === set) this.handlers.delete(channel);
      throw error;
    }
    return async () => {
      const current = this.handlers.get(channel);
      if (!current?.delete(handler) || current.size > 0) return;
      this.handlers.delete(channel);
      this.listening.delete(channel);
      if (this.client) await this.client.query(`UNLISTEN "${channel}"`).catch(() => undefined);
    };
  }

  /** Stops listening and closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    this.listening.clear();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client ?? (await this.connecting?.catch(() => null));
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    if (!this.connecting) {
      this.connecting = this.connect().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async connect(): Promise<Client> {
    const client = new Client({ connectionString: this.url, application_name: 'tracebase-listener', connectionTimeoutMillis: 10_000 });
    client.on('notification', (message) => {
      for (const handler of this.handlers.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    await client.connect();
    if (this.closed) {
      await client.end().catch(() => undefined);
      throw new Error('the listening connection is closed');
    }
    this.client = client;
    this.reconnectDelay = RECONNECT_MS.first;
    return client;
  }

  /** The connection broke: forget it and, while anyone listens, reconnect later. */
  private lost(client: Client): void {
    if (this.client !== client) return;
    this.client = null;
    void client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  /** Reconnects after the current backoff delay and listens again to every channel. */
  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(RECONNECT_MS.max, delay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed || this.handlers.size === 0) return;
      void this.connection()
        .then(async (c) => {
          for (const channel of this.handlers.keys()) await c.query(`LISTEN "${channel}"`);
        })
        .catch(() => this.scheduleReconnect());
    }, delay);
    this.reconnectTimer.unref();
  }
}
