import { InvalidInputError } from '../../src/errors/tracebase.error';
import { openPostgresDatabase } from '../../src/db/postgres.database';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../support/test-database';

jest.setTimeout(120_000);

/** Resolves with the next payloads `count` handler calls receive, or rejects after `ms`. */
function collector(count: number, ms = 10_000): { handler: (payload: string) => void; received: Promise<string[]> } {
  const payloads: string[] = [];
  let done: (value: string[]) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const received = new Promise<string[]>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  const timer = setTimeout(() => fail(new Error(`received ${payloads.length} of ${count} notifications: ${JSON.stringify(payloads)}`)), ms);
  return {
    handler: (payload) => {
      payloads.push(payload);
      if (payloads.length === count) {
        clearTimeout(timer);
        done([...payloads]);
      }
    },
    received,
  };
}

async function notify(scratch: ScratchDatabase, channel: string, payload: string): Promise<void> {
  await scratch.db.sql.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

describe.each(testBackends())('LISTEN/NOTIFY on %s', (kind) => {
  let scratch: ScratchDatabase;

  beforeEach(async () => {
    scratch = await createScratchDatabase(kind);
  });
  afterEach(() => scratch.drop());

  it('delivers payloads of its channel only, in order, until unlistened', async () => {
    const a = collector(2);
    const other: string[] = [];
    const unlistenA = await scratch.db.listen('tb_test_a', a.handler);
    const unlistenB = await scratch.db.listen('tb_test_b', (p) => other.push(p));
    await notify(scratch, 'tb_test_a', 'first');
    await notify(scratch, 'tb_test_a', 'second');
    expect(await a.received).toEqual(['first', 'second']);
    expect(other).toEqual([]);

    await unlistenA();
    const b = collector(1);
    const unlistenB2 = await scratch.db.listen('tb_test_b', b.handler);
    await notify(scratch, 'tb_test_a', 'nobody hears this');
    await notify(scratch, 'tb_test_b', 'third');
    expect(await b.received).toEqual(['third']);
    expect(other).toEqual(['third']);
    await unlistenB();
    await unlistenB2();
  });

  it('a second subscription made while the first is connecting resolves only once the channel is listened to', async () => {
    const [a, b] = [collector(1), collector(1)];
    const first = scratch.db.listen('tb_test_both', a.handler);
    await scratch.db.listen('tb_test_both', b.handler);
    await notify(scratch, 'tb_test_both', 'to both');
    await first;
    expect(await Promise.all([a.received, b.received])).toEqual([['to both'], ['to both']]);
  });

  it('refuses a channel name that is not a plain identifier, naming it', async () => {
    await expect(scratch.db.listen('jobs"; DROP TABLE x; --', () => undefined)).rejects.toThrow(InvalidInputError);
    await expect(scratch.db.listen('Jobs', () => undefined)).rejects.toThrow(/notification channel "Jobs" must be a lower-case identifier/);
  });

  if (kind === 'postgres') {
    it('hears notifications sent by another process, and listens again after its connection is killed', async () => {
      const sender = await openPostgresDatabase({ url: scratch.url!, maxConnections: 1 });
      try {
        const first = collector(1);
        await scratch.db.listen('tb_test_wake', first.handler);
        await sender.sql.query("SELECT pg_notify('tb_test_wake', 'from elsewhere')");
        expect(await first.received).toEqual(['from elsewhere']);

        const killed = await sender.sql.query<{ ok: boolean }>(
          "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'tracebase-listener' AND datname = current_database()",
        );
        expect(killed).toHaveLength(1);
        // the listener reconnects after 1 s; notify until it hears one
        const again = collector(1, 20_000);
        await scratch.db.listen('tb_test_wake', again.handler);
        let heard = false;
        void again.received.then(() => {
          heard = true;
        });
        for (let i = 0; i < 40 && !heard; i++) {
          await sender.sql.query("SELECT pg_notify('tb_test_wake', 'after the reconnect')");
          await new Promise((r) => setTimeout(r, 250));
        }
        expect(await again.received).toEqual(['after the reconnect']);
      } finally {
        await sender.close();
      }
    });
  }
});
