import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PGlite } from '@electric-sql/pglite';

import { MigrationError } from '../../src/db/database.error';
import type { SqlClient, TransactionalSqlClient } from '../../src/db/database.types';
import { DEFAULT_MIGRATIONS_DIR, readMigrationFiles } from '../../src/db/migration-files';
import { applyMigrations, assertMigrated, migrationStatus } from '../../src/db/migration-runner';
import { createScratchDatabase, type ScratchDatabase, testBackends } from '../support/test-database';

const PROJECT_MIGRATIONS = readMigrationFiles(DEFAULT_MIGRATIONS_DIR).map((m) => m.name);
const TABLES = [
  'users',
  'api_tokens',
  'models',
  'corpora',
  'corpus_imports',
  'documents',
  'factor_sets',
  'projection_spaces',
  'document_projections',
  'queries',
  'query_gradients',
  'query_projections',
  'influence_scores',
  'label_tasks',
  'labels',
  'label_events',
];

function copyOfMigrations(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tb-migrations-'));
  cpSync(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function historyCount(sql: SqlClient): Promise<number> {
  const [row] = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM "_prisma_migrations"');
  return Number(row!.n);
}

async function tableExists(sql: SqlClient, table: string): Promise<boolean> {
  const [row] = await sql.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
  return row!.t !== null;
}

describe.each(testBackends())('migrations on %s', (kind) => {
  let scratch: ScratchDatabase;
  let sql: TransactionalSqlClient;

  beforeEach(async () => {
    scratch = await createScratchDatabase(kind);
    sql = scratch.db.sql;
  });
  afterEach(() => scratch.drop());

  it('applies every migration once, records it as Prisma does, and is idempotent', async () => {
    expect(await applyMigrations(sql)).toEqual(PROJECT_MIGRATIONS);
    for (const table of TABLES) expect(await tableExists(sql, table)).toBe(true);
    const rows = await sql.query<{ migration_name: string; checksum: string; applied_steps_count: number; finished_at: unknown }>(
      'SELECT migration_name, checksum, applied_steps_count, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(PROJECT_MIGRATIONS);
    expect(rows.map((r) => r.checksum)).toEqual(readMigrationFiles().map((m) => m.checksum));
    expect(rows.every((r) => r.finished_at !== null && Number(r.applied_steps_count) === 1)).toBe(true);

    expect(await applyMigrations(sql)).toEqual([]);
    expect(await historyCount(sql)).toBe(PROJECT_MIGRATIONS.length);
    await expect(assertMigrated(sql)).resolves.toBeUndefined();
  });

  it('reports pending migrations before migrating, and a worker refuses to start', async () => {
    const status = await migrationStatus(sql);
    expect(status.applied).toEqual([]);
    expect(status.pending).toEqual(PROJECT_MIGRATIONS);
    await expect(assertMigrated(sql)).rejects.toThrow(/missing \d+ migration.*tracebase migrate/);
  });

  it('refuses a migration whose file changed after it was applied, and changes nothing', async () => {
    const dir = copyOfMigrations();
    await applyMigrations(sql, dir);
    const first = PROJECT_MIGRATIONS[0]!;
    writeFileSync(path.join(dir, first, 'migration.sql'), '-- edited\nCREATE TABLE sneaky (id int);\n', { flag: 'a' });
    mkdirSync(path.join(dir, '29990101000000_later'));
    writeFileSync(path.join(dir, '29990101000000_later', 'migration.sql'), 'CREATE TABLE later_table (id int);');

    await expect(applyMigrations(sql, dir)).rejects.toThrow(MigrationError);
    await expect(applyMigrations(sql, dir)).rejects.toThrow(new RegExp(`${first} was changed after it was applied`));
    expect(await tableExists(sql, 'later_table')).toBe(false);
    expect(await tableExists(sql, 'sneaky')).toBe(false);
    expect(await historyCount(sql)).toBe(PROJECT_MIGRATIONS.length);
    expect((await migrationStatus(sql, dir)).changed).toEqual([first]);
  });

  it('rolls back a failing migration entirely, leaving no table and no history row', async () => {
    const dir = copyOfMigrations();
    mkdirSync(path.join(dir, '29990101000000_broken'));
    writeFileSync(path.join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE half_done (id int);\nALTER TABLE no_such_table ADD COLUMN x int;\n');
    await expect(applyMigrations(sql, dir)).rejects.toThrow(/29990101000000_broken failed and was rolled back.*no_such_table/);
    expect(await tableExists(sql, 'half_done')).toBe(false);
    // the earlier migrations were applied and recorded; the broken one was not
    expect(await historyCount(sql)).toBe(PROJECT_MIGRATIONS.length);
    expect((await migrationStatus(sql, dir)).pending).toEqual(['29990101000000_broken']);
  });

  it('refuses a database migrated by a newer release (a migration this code does not know)', async () => {
    const dir = copyOfMigrations();
    mkdirSync(path.join(dir, '29990101000000_newer'));
    writeFileSync(path.join(dir, '29990101000000_newer', 'migration.sql'), 'CREATE TABLE newer (id int);');
    await applyMigrations(sql, dir);
    await expect(applyMigrations(sql, DEFAULT_MIGRATIONS_DIR)).rejects.toThrow(/does not know \(29990101000000_newer\)/);
  });

  it('applies each migration once when two runs race', async () => {
    const results = await Promise.all([applyMigrations(sql), applyMigrations(sql)]);
    expect([...results[0]!, ...results[1]!].sort()).toEqual([...PROJECT_MIGRATIONS].sort());
    expect(await historyCount(sql)).toBe(PROJECT_MIGRATIONS.length);
  });

  it('enforces invariants in the database itself (CHECK constraints, append-only audit)', async () => {
    await applyMigrations(sql);
    await sql.query(`INSERT INTO corpora (name) VALUES ('c')`);
    await expect(sql.query(`INSERT INTO documents (corpus_id, external_id, text, content_hash) VALUES (1, 'd1', 'x', 'not-a-hash')`)).rejects.toThrow(
      /documents_content_hash_sha256/,
    );
    await sql.query(`INSERT INTO users (name) VALUES ('ann')`);
    await sql.query(`INSERT INTO label_tasks (name, question, kind) VALUES ('t', 'q?', 'BINARY')`);
    await sql.query(`INSERT INTO label_events (task_id, document_id, annotator_id, action, version) VALUES (1, 1, 1, 'CREATE', 1)`);
    await expect(sql.query(`UPDATE label_events SET version = 2`)).rejects.toThrow(/append-only/);
    await expect(sql.query(`INSERT INTO label_tasks (name, question, kind, options) VALUES ('t2', 'q?', 'CATEGORICAL', '{one}')`)).rejects.toThrow(
      /label_tasks_options_for_choices/,
    );
  });
});

describe('migrations on a database without pgvector', () => {
  it('PGlite without the extension: a clear error naming pgvector, nothing changed', async () => {
    const bare = new PGlite();
    const sql: TransactionalSqlClient = {
      query: async (q, p = []) => (await bare.query(q, p as unknown[])).rows as never[],
      exec: async (s) => void (await bare.exec(s)),
      transaction: (fn) =>
        bare.transaction((tx) =>
          fn({
            query: async (q, p = []) => (await tx.query(q, p as unknown[])).rows as never[],
            exec: async (s) => void (await tx.exec(s)),
          }),
        ),
    };
    await expect(applyMigrations(sql)).rejects.toThrow(/needs the pgvector extension.*Install pgvector >= 0.8.*nothing was changed/s);
    expect(await tableExists(sql, 'documents')).toBe(false);
    expect(await historyCount(sql)).toBe(0);
    await bare.close();
  });

  const onPostgres = process.env.DATABASE_URL ? it : it.skip;
  onPostgres('Postgres database without the extension, role not superuser: error says how to fix it', async () => {
    const scratch = await createScratchDatabase('postgres', { template: 'template0' });
    try {
      const [{ su }] = await scratch.db.sql.query<{ su: boolean }>('SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user');
      const attempt = applyMigrations(scratch.db.sql);
      if (su) {
        // A superuser can create the extension itself: migrating simply works.
        await expect(attempt).resolves.toEqual(PROJECT_MIGRATIONS);
      } else {
        await expect(attempt).rejects.toThrow(/pgvector extension.*(superuser|Install pgvector).*nothing was changed/s);
        expect(await tableExists(scratch.db.sql, 'documents')).toBe(false);
        expect(await historyCount(scratch.db.sql)).toBe(0);
      }
    } finally {
      await scratch.drop();
    }
  });
});
