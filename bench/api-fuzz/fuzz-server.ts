import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { startGraphQLServer, type RunningGraphQLServer } from '../../src/api/graphql-server';
import { buildTracebaseSchema } from '../../src/api/schema.builder';
import { loadConfig } from '../../src/config/config';
import { applyMigrations } from '../../src/db/migration-runner';
import { IN_MEMORY, openPgliteDatabase } from '../../src/db/pglite.database';
import { createServices } from '../../src/services/service-container';
import { generateOperations, runFuzz, type FuzzReport } from './schema-fuzzer';

/**
 * Fuzzes the GraphQL API of a fresh server: in-memory PGlite, migrated, a 20-document corpus,
 * an admin token (renewed when an operation revokes it), production error formatting, an
 * import directory, and a rate limit high enough not to interfere. `requests` operations
 * generated from `seed` over every field with arguments.
 */
export async function fuzzFreshServer(options: { requests: number; seed: number; concurrency?: number }): Promise<FuzzReport> {
  const db = await openPgliteDatabase(IN_MEMORY);
  let server: RunningGraphQLServer | undefined;
  try {
    await applyMigrations(db.sql);
    const services = createServices(db);
    const dir = mkdtempSync(path.join(tmpdir(), 'tb-fuzz-'));
    const corpus = path.join(dir, 'c.jsonl');
    writeFileSync(
      corpus,
      Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: `d${i}`, text: `document ${i}`, source: i % 2 ? 'wiki' : 'code' })).join('\n'),
    );
    await services.corpusImport.importFile('c', corpus);
    server = await startGraphQLServer(
      {
        ...loadConfig({}),
        port: 0,
        environment: (process.env.TRACEBASE_TEST_FUZZ_ENV as 'production' | 'development' | undefined) ?? 'production',
        importDir: dir,
        rateLimitPerMinute: 1_000_000,
      },
      services,
    );
    let token = '';
    const renewToken = async () => {
      token = (await services.auth.createToken({ userName: 'fuzz', tokenName: `fuzz-${Date.now()}-${Math.random()}`, role: 'ADMIN' })).token;
    };
    await renewToken();
    const { operations, fields } = generateOperations(await buildTracebaseSchema(), options.seed, options.requests);
    return await runFuzz({ url: server.url, operations, fields, token: () => token, renewToken, concurrency: options.concurrency });
  } finally {
    await server?.stop();
    await db.close();
  }
}
