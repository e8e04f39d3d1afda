import type { Command } from 'commander';

import { loadConfig, type ConfigOverrides, type TracebaseConfig } from '../config/config';

/** Adds the database flags every command that opens the database takes. */
export function withDatabaseOptions(command: Command): Command {
  return command
    .option('--database-url <url>', 'postgresql:// URL of a Postgres + pgvector server (env DATABASE_URL); without it, embedded PGlite')
    .option('--data-dir <dir>', 'PGlite data directory (env TRACEBASE_DATA_DIR, default .tracebase/db)');
}

/** Reads the configuration from the environment with the command's flags on top. */
export function configFromOptions(options: Record<string, unknown>): TracebaseConfig {
  const overrides: ConfigOverrides = {};
  for (const key of ['databaseUrl', 'dataDir', 'host', 'port', 'environment', 'maxQueryDepth', 'maxQueryCost', 'tokenBudget'] as const) {
    const value = options[key];
    if (typeof value === 'string' || typeof value === 'number') overrides[key] = value;
  }
  return loadConfig(process.env, overrides);
}
