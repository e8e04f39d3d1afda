import { spawnSync } from 'node:child_process';
import path from 'node:path';

import type { SqlClient } from '../../src/db/database.types';
import { applyMigrations } from '../../src/db/migration-runner';
import { createScratchDatabase } from '../support/test-database';

const ROOT = path.resolve(__dirname, '..', '..');

/** Everything about the public schema that migrations define, normalised for comparison. */
async function describeSchema(sql: SqlClient): Promise<Record<string, string[]>> {
  const columns = await sql.query<{ d: string }>(
    `SELECT table_name || '.' || column_name || ' ' || udt_name || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS d
       FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`,
  );
  const constraints = await sql.query<{ d: string }>(
    `SELECT conrelid::regclass::text || ' ' || conname || ' ' || contype::text || ' ' || pg_get_constraintdef(oid) AS d
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        -- Postgres 18 (PGlite) also lists NOT NULL as constraints; nullability is compared with the columns
        AND contype::text <> 'n' ORDER BY 1`,
  );
  const indexes = await sql.query<{ d: string }>(`SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`);
  const enums = await sql.query<{ d: string }>(
    `SELECT t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS d
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY 1`,
  );
  const triggers = await sql.query<{ d: string }>(`SELECT tgrelid::regclass::text || ' ' || tgname AS d FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`);
  const pick = (rows: { d: string }[]) => rows.map((r) => r.d);
  return {
    columns: pick(columns),
    constraints: pick(constraints),
    indexes: pick(indexes),
    enums: pick(enums),
    triggers: pick(triggers),
  };
}

describe('schema parity', () => {
  it('prisma/schema.prisma is exactly what prisma/migrations produce (no drift)', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/migration-diff.ts', 'check'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(result.stderr).not.toMatch(/differs/);
    expect(result.stdout).toMatch(/migrations match prisma\/schema.prisma/);
    expect(result.status).toBe(0);
  });

  const onPostgres = process.env.DATABASE_URL ? it : it.skip;
  onPostgres('Postgres and PGlite end at the same schema after migrating', async () => {
    const [lite, pg] = await Promise.all([createScratchDatabase('pglite'), createScratchDatabase('postgres')]);
    try {
      await applyMigrations(lite.db.sql);
      await applyMigrations(pg.db.sql);
      const [a, b] = await Promise.all([describeSchema(lite.db.sql), describeSchema(pg.db.sql)]);
      expect(a.columns.length).toBeGreaterThan(100);
      expect(a).toEqual(b);
    } finally {
      await Promise.all([lite.drop(), pg.drop()]);
    }
  });
});
