import type { InferenceSession } from 'onnxruntime-node';

import { SessionSettings, createSession } from '../onnx/ort.runner';

/**
 * onnxruntime sessions keyed by (model hash, head, shapes, dtype, device, threads). A graph is
 * built and compiled once per key; concurrent requests for the same key share one compilation.
 */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<InferenceSession>>();

  constructor(private readonly maxEntries = 16) {}

  /** The cached session for `key`, compiling `build()` on a miss. */
  get(key: string, settings: SessionSettings, build: () => Uint8Array): Promise<InferenceSession> {
    const fullKey = `${key}|${settings.device}|${settings.intraOpThreads}|${settings.interOpThreads}|${settings.optimization ?? 'all'}`;
    let s = this.sessions.get(fullKey);
    if (!s) {
      if (this.sessions.size >= this.maxEntries) {
        const oldest = this.sessions.keys().next().value as string;
        const evicted = this.sessions.get(oldest)!;
        this.sessions.delete(oldest);
        void evicted.then((x) => x.release()).catch(() => undefined);
      }
      s = createSession(build(), settings);
      s.catch(() => this.sessions.delete(fullKey));
      this.sessions.set(fullKey, s);
    }
    return s;
  }

  /** Number of compiled (or compiling) sessions. */
  get size(): number {
    return this.sessions.size;
  }

  /** Releases every session. */
  async clear(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((p) => p.then((s) => s.release()).catch(() => undefined)));
  }
}
