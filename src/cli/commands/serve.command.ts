import type { Command } from 'commander';

import { startGraphQLServer } from '../../api/graphql-server';
import { ConfigError } from '../../config/config.error';
import { openDatabase } from '../../db/database.factory';
import { applyMigrations, assertMigrated } from '../../db/migration-runner';
import { createServices } from '../../services/service-container';
import { configFromOptions, withDatabaseOptions } from '../config-options';

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
      const server = await startGraphQLServer(config, services).catch((error: { code?: string }) => {
        if (error.code === 'EADDRINUSE') {
          throw new ConfigError(
            `port ${config.port} on ${config.host} is already in use; choose another with --port or TRACEBASE_PORT`,
            'TRACEBASE_PORT',
          );
        }
        throw error;
      });
      const localToken = db.kind === 'pglite' ? await services.auth.rotateLocalAdminToken() : undefined;
      if (db.kind === 'pglite') {
        // Embedded: one process holds the database, so it also works the job queue.
        const { startWorker } = await import('../../worker/worker');
        await services.jobQueue.start();
        await startWorker(services.jobQueue, services, { concurrency: 1 });
      }
      process.stdout.write(
        `Tracebase ${health.tracebaseVersion} on ${db.target} (Postgres ${health.serverVersion}, pgvector ${health.vectorExtension})\n` +
          `GraphQL API and landing page: ${server.url}\n` +
          (localToken ? `Local admin token (valid until the next start): ${localToken}\n` : '') +
          `Try: curl -s ${server.url} -H 'content-type: application/json'` +
          (localToken ? ` -H 'authorization: Bearer ${localToken}'` : '') +
          ` -d '{"query":"{ health { database vectorExtension } corpora { edges { node { name documentCount } } } }"}'\n`,
      );
      const shutdown = (signal: string) => {
        process.stderr.write(`${signal}: shutting down\n`);
        void server
          .stop()
          .then(() => services.jobQueue.stop())
          .then(() => db.close())
          .finally(() => process.exit(0));
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    } catch (error) {
      await db.close();
      throw error;
    }
  });
}
