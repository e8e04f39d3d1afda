/**
 * Authoring tool for migrations (the Prisma CLI's `migrate dev` needs a native engine these
 * machines cannot download; Prisma's schema engine also ships as WebAssembly, which runs here).
 *
 *   npx tsx scripts/migration-diff.ts check        exit 1 and print the SQL when the migrations
 *                                                  do not produce prisma/schema.prisma
 *   npx tsx scripts/migration-diff.ts new <title>  write the SQL that takes the migrated database
 *                                                  to prisma/schema.prisma as a new migration
 *
 * Both apply prisma/migrations to a scratch in-memory PGlite with pgvector, then ask the schema
 * engine for the difference between that database and the schema. Review the generated SQL:
 * CHECK constraints, triggers and vector indexes are written by hand (Prisma does not model them).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PrismaPGlite } from 'pglite-prisma-adapter';

import { DEFAULT_MIGRATIONS_DIR } from '../src/db/migration-files';
import { applyMigrations } from '../src/db/migration-runner';

const SCHEMA_PATH = path.resolve(__dirname, '..', 'prisma', 'schema.prisma');

interface SchemaEngineModule {
  __wbg_set_wasm(exports: unknown): void;
  SchemaEngine: {
    new: (
      options: unknown,
      log: (...args: unknown[]) => void,
      adapter: unknown,
    ) => Promise<{
      diff(params: unknown): Promise<{ exitCode: number; stdout: string }>;
    }>;
  };
}

async function loadSchemaEngine(): Promise<SchemaEngineModule> {
  const js = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const bg = (await import(js)) as SchemaEngineModule;
  const wasm = readFileSync(js.replace(/\.js$/, '.wasm'));
  // WebAssembly is a Node global that @types/node 20 does not declare.
  const wasmApi = (globalThis as unknown as { WebAssembly: { instantiate(b: Buffer, i: object): Promise<{ instance: { exports: Record<string, unknown> } }> } })
    .WebAssembly;
  const { instance } = await wasmApi.instantiate(wasm, { './schema_engine_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as (() => void) | undefined)?.();
  return bg;
}

/** SQL that takes a database migrated with every migration to the current schema.prisma. */
async function pendingSchemaChange(): Promise<string> {
  const db = new PGlite({ extensions: { vector } });
  const sql = {
    query: async (q: string, p: readonly unknown[] = []) => (await db.query(q, p as unknown[])).rows as never[],
    exec: async (s: string) => void (await db.exec(s)),
    transaction: <T>(fn: (tx: never) => Promise<T>) =>
      db.transaction((tx) =>
        fn({
          query: async (q: string, p: readonly unknown[] = []) => (await tx.query(q, p as unknown[])).rows,
          exec: async (s: string) => void (await tx.exec(s)),
        } as never),
      ),
  };
  await applyMigrations(sql as never, DEFAULT_MIGRATIONS_DIR);
  const engineModule = await loadSchemaEngine();
  const schema = readFileSync(SCHEMA_PATH, 'utf8');
  const files = [{ path: 'schema.prisma', content: schema }];
  const engine = await engineModule.SchemaEngine.new(
    { datamodels: [['schema.prisma', schema]] },
    () => undefined,
    bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(db)),
  );
  const result = await engine.diff({
    from: { tag: 'schemaDatasource', files, configDir: path.dirname(SCHEMA_PATH) },
    to: { tag: 'schemaDatamodel', files },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  await db.close();
  return result.stdout.replace(/^-- This is an empty migration\.\s*$/m, '').trim();
}

async function main(): Promise<void> {
  const [command, title] = process.argv.slice(2);
  if (command === 'check') {
    const change = await pendingSchemaChange();
    if (change) {
      process.stderr.write(`prisma/schema.prisma differs from what prisma/migrations produce:\n\n${change}\n`);
      process.exit(1);
    }
    process.stdout.write('migrations match prisma/schema.prisma\n');
    return;
  }
  if (command === 'new' && title && /^[a-z0-9_]+$/.test(title)) {
    const change = await pendingSchemaChange();
    if (!change) {
      process.stdout.write('nothing to migrate: the migrations already produce prisma/schema.prisma\n');
      return;
    }
    const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const dir = path.join(DEFAULT_MIGRATIONS_DIR, `${stamp}_${title}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'migration.sql'), `${change}\n`);
    process.stdout.write(`wrote ${path.relative(process.cwd(), dir)}/migration.sql: review it before committing\n`);
    return;
  }
  process.stderr.write('usage: migration-diff.ts check | new <lower_snake_case_title>\n');
  process.exit(2);
}

main().catch((error: unknown) => {
  process.stderr.write(`migration-diff: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
