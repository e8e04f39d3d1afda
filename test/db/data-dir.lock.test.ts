import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { LOCK_FILE, lockDataDir } from '../../src/db/data-dir.lock';
import { openPgliteDatabase } from '../../src/db/pglite.database';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'tb-lock-'));
}

describe('PGlite data directory lock', () => {
  it('refuses a directory held by another live process, naming it', () => {
    const dir = tempDir();
    // the parent of this test process is alive for the whole test
    writeFileSync(path.join(dir, LOCK_FILE), String(process.ppid));
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by process ${process.ppid}`));
    // and says what to do instead when the holder is a running server
    expect(() => lockDataDir(dir)).toThrow(
      /its GraphQL API does what these commands do: createApiToken \(token create\).*or stop it \(Ctrl-C\), run the command/,
    );
  });

  it('takes over a lock left by a process that is gone', () => {
    const dir = tempDir();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(path.join(dir, LOCK_FILE), gone.stdout);
    const release = lockDataDir(dir);
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(true);
    release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('is held while a database is open and released when it closes', async () => {
    const dir = tempDir();
    const db = await openPgliteDatabase(dir);
    try {
      await expect(openPgliteDatabase(dir)).rejects.toThrow(/already open in this process/);
      expect(existsSync(path.join(dir, LOCK_FILE))).toBe(true);
    } finally {
      await db.close();
    }
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    const again = await openPgliteDatabase(dir);
    await again.close();
  });
});
