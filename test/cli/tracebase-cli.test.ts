import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { readMigrationFiles } from '../../src/db/migration-files';
import { createScratchDatabase, testBackends } from '../support/test-database';
import { servedUrl } from '../support/served-url';

// Each test starts the CLI in child processes (TypeScript compiled on the fly, an embedded
// database): slow on a loaded machine.
jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'tracebase.js');

/** Environment of a child `tracebase`: the test's, without the test runner's node options. */
function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', TRACEBASE_FROM_SOURCE: '1', ...extra };
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

function tracebase(args: string[], extra: Record<string, string | undefined> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: childEnv(extra), timeout: 120_000 });
}

describe('tracebase CLI', () => {
  it.each([
    [[]],
    [['serve']],
    [['migrate']],
    [['db', 'status']],
    [['schema', 'emit']],
    [['schema', 'check']],
    [['factors', 'register']],
    [['factors', 'fit']],
    [['influence']],
    [['ingest']],
    [['queries', 'add']],
  ])(
    'prints help for %j',
    (args) => {
      const result = tracebase([...args, '--help']);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/Usage: tracebase/);
    },
    120_000,
  );

  it('exits 2 naming a bad integer flag, its value and its range, before reading any file', () => {
    const result = tracebase(['factors', 'fit', '--model', 'no-such-model', '--corpus', 'x', '--out', 'y', '--batch', '1e3']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--batch must be an integer from 1 to 4096 (decimal digits only), got "1e3"');
  });

  it('exits 2 with a message naming a bad setting', () => {
    const result = tracebase(['db', 'status'], { TRACEBASE_DATA_DIR: '', DATABASE_URL: 'mysql://nope' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/DATABASE_URL.*postgresql:\/\/ URL/);
  });

  it('exits 2 naming the server when DATABASE_URL is unreachable', () => {
    const result = tracebase(['db', 'status'], { DATABASE_URL: 'postgresql://x:y@127.0.0.1:1/none' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/cannot connect to Postgres at 127.0.0.1:1\/none.*is the server running/);
  });

  it('migrates an embedded database and reports its status', () => {
    // three child processes, each starting the CLI and an embedded database
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tb-cli-'));
    const env = { DATABASE_URL: undefined, TRACEBASE_DATA_DIR: dataDir };
    const names = readMigrationFiles().map((m) => m.name);
    expect(tracebase(['migrate'], env).stdout).toContain(`applied ${names.length} migration(s): ${names.join(', ')}`);
    expect(tracebase(['migrate'], env).stdout).toMatch(/up to date/);
    const status = JSON.parse(tracebase(['db', 'status', '--json'], env).stdout) as Record<string, unknown>;
    expect(status.database).toBe('pglite');
    expect(status.pending).toEqual([]);
    expect(status.vectorExtension).toMatch(/^0\.\d+\.\d+$/);
  }, 240_000);
});

describe.each(testBackends())('tracebase serve on %s', (kind) => {
  it('starts, answers health over HTTP, and stops on SIGTERM', async () => {
    const scratch = kind === 'postgres' ? await createScratchDatabase('postgres') : undefined;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tb-serve-'));
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
      cwd: ROOT,
      env: childEnv({ DATABASE_URL: scratch?.url, TRACEBASE_DATA_DIR: dataDir }),
    });
    try {
      const url = await servedUrl(child);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ health { database vectorExtension } }' }),
      });
      const json = (await res.json()) as { data: { health: { database: string; vectorExtension: string } } };
      expect(json.data.health.database).toBe(kind);
      expect(json.data.health.vectorExtension).toMatch(/^0\.\d+\.\d+$/);
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await scratch?.drop();
    }
  }, 180_000);
});
