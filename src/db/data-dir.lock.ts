import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

import { DatabaseUnreachableError } from './database.error';

/** Name of the lock file inside a PGlite data directory. */
export const LOCK_FILE = 'tracebase.lock';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of a PGlite data directory for this process: PGlite is one Postgres inside one
 * process, and two processes writing one directory would corrupt it. A lock left by a process
 * that no longer runs is taken over. Returns the release function. Throws
 * {@link DatabaseUnreachableError} naming the process that holds the lock.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
        throw new DatabaseUnreachableError(
          `the embedded database in ${dataDir} is in use by process ${holder} (embedded PGlite serves one process at a time). ` +
            'If that is `tracebase serve` or `npm start`, its GraphQL API does what these commands do: createApiToken (token create), ' +
            'createInfluenceQueriesFromJsonl (queries add), influenceQuery { topInfluences } (queries top), importCorpus, startIngestion ' +
            '(docs/api.md), with the admin token it printed; or stop it (Ctrl-C), run the command, and start it again. ' +
            'Otherwise set TRACEBASE_DATA_DIR (--data-dir) to another directory, or use a Postgres server (DATABASE_URL), which any number of processes share',
        );
      }
      if (holder === process.pid) {
        throw new DatabaseUnreachableError(`the embedded database in ${dataDir} is already open in this process`);
      }
      unlinkSync(file); // stale: its process is gone
    }
  }
  throw new DatabaseUnreachableError(`could not take the lock ${file}`);
}
