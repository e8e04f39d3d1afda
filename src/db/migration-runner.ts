import { randomUUID } from 'node:crypto';

import { DatabaseNotReadyError, MigrationError } from './database.error';
import type { SqlClient, TransactionalSqlClient } from './database.types';
import { DEFAULT_MIGRATIONS_DIR, type MigrationFile, readMigrationFiles } from './migration-files';

/** A migration as recorded in `_prisma_migrations`. */
export interface AppliedMigration {
  readonly name: string;
  readonly checksum: string;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
}

/** Where the database stands against the migrations directory. */
export interface MigrationStatus {
  readonly applied: AppliedMigration[];
  /** In the directory, not yet applied, in the order they would apply. */
  readonly pending: string[];
  /** Applied but missing from the directory (the database is ahead of this code). */
  readonly unknown: string[];
  /** Applied, but the file changed since. */
  readonly changed: string[];
  /** Started and never finished (a failure outside a transaction). */
  readonly failed: string[];
}

/** The table Prisma Migrate keeps its history in; same layout, so Prisma tools read it. */
const HISTORY_TABLE_DDL = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Key of the advisory lock that serialises concurrent `migrate` runs on one database. */
const MIGRATION_LOCK_KEY = 72_707_365_001;

interface HistoryRow {
  migration_name: string;
  checksum: string;
  started_at: Date | string;
  finished_at: Date | string | null;
}

async function readHistory(sql: SqlClient): Promise<AppliedMigration[]> {
  const exists = await sql.query<{ t: string | null }>(`SELECT to_regclass('"_prisma_migrations"')::text AS t`);
  if (!exists[0]?.t) return [];
  const rows = await sql.query<HistoryRow>(
    `SELECT migration_name, checksum, started_at, finished_at
       FROM "_prisma_migrations" WHERE rolled_back_at IS NULL ORDER BY started_at, migration_name`,
  );
  return rows.map((r) => ({
    name: r.migration_name,
    checksum: r.checksum,
    startedAt: new Date(r.started_at),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
  }));
}

function compare(files: MigrationFile[], history: AppliedMigration[]): MigrationStatus {
  const byName = new Map(history.map((m) => [m.name, m]));
  const fileNames = new Set(files.map((f) => f.name));
  return {
    applied: history.filter((m) => m.finishedAt !== null),
    pending: files.filter((f) => !byName.has(f.name)).map((f) => f.name),
    unknown: history.filter((m) => !fileNames.has(m.name)).map((m) => m.name),
    changed: files
      .filter((f) => {
        const m = byName.get(f.name);
        return m !== undefined && m.finishedAt !== null && m.checksum !== f.checksum;
      })
      .map((f) => f.name),
    failed: history.filter((m) => m.finishedAt === null).map((m) => m.name),
  };
}

/** Reads where the database stands, changing nothing. */
export async function migrationStatus(sql: SqlClient, dir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationStatus> {
  return compare(readMigrationFiles(dir), await readHistory(sql));
}

function refuseInconsistentHistory(status: MigrationStatus): void {
  if (status.changed.length > 0) {
    const name = status.changed[0]!;
    throw new MigrationError(
      `migration ${name} was changed after it was applied (checksum differs). Applied migrations are ` +
        `immutable: restore prisma/migrations/${name}/migration.sql and put the change in a new migration`,
      name,
    );
  }
  if (status.failed.length > 0) {
    const name = status.failed[0]!;
    throw new MigrationError(
      `migration ${name} was started and never finished; inspect the database, then delete its row ` +
        `from "_prisma_migrations" (or set rolled_back_at) before migrating again`,
      name,
    );
  }
  if (status.unknown.length > 0) {
    throw new MigrationError(
      `the database has migrations this code does not know (${status.unknown.join(', ')}): it was ` +
        'migrated by a newer Tracebase; upgrade this installation',
      status.unknown[0]!,
    );
  }
}

/** Explains a failure of a migration script, with a remedy for the known causes. */
function explainFailure(name: string, error: unknown): MigrationError {
  const err = error as { code?: string; message?: string };
  const message = err.message ?? String(error);
  if (/vector/.test(message) && /(control file|not available|could not access file)/.test(message)) {
    return new MigrationError(
      `migration ${name} needs the pgvector extension, which this Postgres server does not have ` +
        `(${message}). Install pgvector >= 0.8 on the server (scripts/setup-postgres.sh does it for a local server); ` +
        'nothing was changed',
      name,
    );
  }
  if (err.code === '42501' && /extension/i.test(message)) {
    return new MigrationError(
      `migration ${name} must create the pgvector extension, which needs a superuser (${message}). ` +
        'As a superuser run CREATE EXTENSION vector in this database (scripts/setup-postgres.sh does it), ' +
        'then migrate again; nothing was changed',
      name,
    );
  }
  return new MigrationError(`migration ${name} failed and was rolled back, nothing was changed: ${message}`, name);
}

/**
 * Applies the pending migrations of `dir` in name order, each in its own transaction together
 * with its `_prisma_migrations` record, under an advisory lock so that concurrent runs apply
 * each migration once. Idempotent. Refuses (before applying anything) when an applied
 * migration's file changed, a migration never finished, or the database knows migrations the
 * directory lacks. Returns the names applied.
 */
export async function applyMigrations(sql: TransactionalSqlClient, dir: string = DEFAULT_MIGRATIONS_DIR): Promise<string[]> {
  const files = readMigrationFiles(dir);
  await sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(HISTORY_TABLE_DDL);
  });
  refuseInconsistentHistory(compare(files, await readHistory(sql)));
  const applied: string[] = [];
  for (const file of files) {
    const done = await sql
      .transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        const seen = await tx.query<{ checksum: string }>(`SELECT checksum FROM "_prisma_migrations" WHERE migration_name = $1 AND rolled_back_at IS NULL`, [
          file.name,
        ]);
        if (seen.length > 0) return false; // applied meanwhile by a concurrent run
        const startedAt = new Date();
        await tx.exec(file.sql);
        await tx.query(
          `INSERT INTO "_prisma_migrations"
             (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
          [randomUUID(), file.checksum, file.name, startedAt],
        );
        return true;
      })
      .catch((error: unknown) => {
        throw explainFailure(file.name, error);
      });
    if (done) applied.push(file.name);
  }
  return applied;
}

/**
 * Throws {@link DatabaseNotReadyError} unless every migration of `dir` is applied and none
 * changed: what a worker or server checks before it touches data.
 */
export async function assertMigrated(sql: SqlClient, dir: string = DEFAULT_MIGRATIONS_DIR): Promise<void> {
  const status = await migrationStatus(sql, dir);
  refuseInconsistentHistory(status);
  if (status.pending.length > 0) {
    throw new DatabaseNotReadyError(
      `the database is missing ${status.pending.length} migration(s) (${status.pending.join(', ')}); ` + 'run `tracebase migrate` first',
    );
  }
}
