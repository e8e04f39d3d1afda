import { startGraphQLServer, type RunningGraphQLServer } from '../api/graphql-server';
import type { TracebaseConfig } from '../config/config';
import { ConfigError } from '../config/config.error';
import type { Database } from '../db/database.types';
import type { Services } from '../services/service-container';

/** A started API server, with the local admin token when the database is embedded. */
export interface StartedPlatform {
  server: RunningGraphQLServer;
  /** Printed at start in embedded mode (valid until the next start); undefined on Postgres. */
  localToken: string | undefined;
}

/**
 * Starts the GraphQL API on the configured host and port; in embedded mode (PGlite: one process
 * holds the database) rotates and returns the local admin token and works the job queue in this
 * process. A port in use is reported as a {@link ConfigError} naming TRACEBASE_PORT.
 */
export async function startPlatformServer(
  config: TracebaseConfig,
  db: Database,
  services: Services,
  options: { workQueue?: boolean } = {},
): Promise<StartedPlatform> {
  const server = await startGraphQLServer(config, services).catch((error: { code?: string }) => {
    if (error.code === 'EADDRINUSE') {
      throw new ConfigError(`port ${config.port} on ${config.host} is already in use; choose another with --port or TRACEBASE_PORT`, 'TRACEBASE_PORT');
    }
    throw error;
  });
  const localToken = db.kind === 'pglite' ? await services.auth.rotateLocalAdminToken() : undefined;
  if (options.workQueue ?? db.kind === 'pglite') {
    const { startWorker } = await import('../worker/worker');
    await services.jobQueue.start();
    await startWorker(services.jobQueue, services, { concurrency: 1 });
  }
  return { server, localToken };
}

/** Stops the server, the queue and the database on SIGINT / SIGTERM, then exits. */
export function stopPlatformOnSignals(platform: StartedPlatform, services: Services, db: Database): void {
  const shutdown = (signal: string) => {
    process.stderr.write(`${signal}: shutting down\n`);
    void platform.server
      .stop()
      .then(() => services.jobQueue.stop())
      .then(() => db.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
