import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { LOCK_FILE } from '../../src/db/data-dir.lock';
import { applyMigrations } from '../../src/db/migration-runner';
import { openPgliteDatabase } from '../../src/db/pglite.database';

/*
 * Graceful shutdown (docs/operations.md "Stopping"): SIGTERM to `tracebase worker` and to
 * `tracebase serve` ends the process with exit code 0 within a bound, releasing the database.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'tracebase.js');

jest.setTimeout(240_000);

function tracebase(
  args: string[],
  env: Record<string, string>,
): {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  stdout(): string;
} {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', TRACEBASE_FROM_SOURCE: '1', ORT_DISABLE_TELEMETRY: '1', CHECKPOINT_DISABLE: '1', DATABASE_URL: '', ...env },
  });
  let err = '';
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, stderr: () => err, stdout: () => out };
}

async function until(what: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('graceful shutdown on SIGTERM', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'tb-stop-'));
    const db = await openPgliteDatabase(dataDir);
    await applyMigrations(db.sql);
    await db.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('tracebase worker stops within its bound, exits 0 and releases the database', async () => {
    const worker = tracebase(['worker', '--data-dir', dataDir, '--shutdown-timeout', '5', '--threads', '1'], {});
    await until(() => /waiting for jobs/.test(worker.stderr()) || worker.child.exitCode !== null, 120_000);
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(true);
    const t0 = Date.now();
    worker.child.kill('SIGTERM');
    const end = await worker.exited;
    expect(end.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000 + 5_000);
    expect(worker.stderr()).toMatch(/SIGTERM: finishing the current job/);
    expect(worker.stderr()).toMatch(/stopped/);
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('tracebase serve stops accepting, drains and exits 0', async () => {
    const serve = tracebase(['serve', '--data-dir', dataDir, '--port', '0'], {});
    await until(() => /GraphQL API and landing page: (\S+)/.test(serve.stdout()) || serve.child.exitCode !== null, 120_000);
    const url = /GraphQL API and landing page: (\S+)/.exec(serve.stdout())![1]!;
    // a keep-alive connection with a finished request does not hold the shutdown up
    const health = await fetch(url.replace(/\/graphql$/, '/healthz'));
    expect(health.status).toBe(200);
    const t0 = Date.now();
    serve.child.kill('SIGTERM');
    const end = await serve.exited;
    expect(end.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    await expect(fetch(url.replace(/\/graphql$/, '/healthz'))).rejects.toThrow();
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
  });
});
