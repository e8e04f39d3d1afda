import type { Command } from 'commander';

import { openDatabase } from '../../db/database.factory';
import { applyMigrations, assertMigrated } from '../../db/migration-runner';
import { createServices } from '../../services/service-container';
import { configFromOptions, withDatabaseOptions } from '../config-options';
import { startPlatformServer, stopPlatformOnSignals } from '../platform-server';

/** `tracebase serve`: the GraphQL API over HTTP. */
export function registerServeCommand(program: Command): void {
  withDatabaseOptions(
    program
      .command('serve')
      .description('Serve the GraphQL API (default http://127.0.0.1:4000/graphql); applies pending migrations first.')
      .option('--port <port>', 'HTTP port (env TRACEBASE_PORT, default 4000; 0 picks a free one)')
      .option('--host <host>', 'interface to listen on (env TRACEBASE_HOST, default 127.0.0.1; 0.0.0.0 for all)')
      .option('--environment <env>', 'development | production | test (env TRACEBASE_ENV)')
      .option('--no-migrate', 'do not apply pending migrations; refuse to start if any are pending'),
  ).action(async (options: Record<string, unknown>) => {
    const config = configFromOptions(options);
    const db = await openDatabase(config);
    try {
      if (options.migrate === false) await assertMigrated(db.sql);
      else {
        const applied = await applyMigrations(db.sql);
        if (applied.length) process.stderr.write(`applied migrations: ${applied.join(', ')}\n`);
      }
      const services = createServices(db);
      const health = await services.health.health();
      const platform = await startPlatformServer(config, db, services);
      const { server, localToken } = platform;
      process.stdout.write(
        `Tracebase ${health.tracebaseVersion} on ${db.target} (Postgres ${health.serverVersion}, pgvector ${health.vectorExtension})\n` +
          `GraphQL API and landing page: ${server.url}\n` +
          (localToken ? `Local admin token (valid until the next start): ${localToken}\n` : '') +
          `Try: curl -s ${server.url} -H 'content-type: application/json'` +
          (localToken ? ` -H 'authorization: Bearer ${localToken}'` : '') +
          ` -d '{"query":"{ health { database vectorExtension } corpora { edges { node { name documentCount } } } }"}'\n`,
      );
      stopPlatformOnSignals(platform, services, db);
    } catch (error) {
      await db.close();
      throw error;
    }
  });
}
