import type { Command } from 'commander';

import { parseIntegerOption } from '../../config/integer-option.parser';
import { openDatabase } from '../../db/database.factory';
import { assertMigrated } from '../../db/migration-runner';
import { createServices } from '../../services/service-container';
import { configFromOptions, withDatabaseOptions } from '../config-options';
import { engineOptionsFrom, withEngineOptions } from '../engine-options';

/**
 * `tracebase worker`: process queued jobs until stopped. SIGINT / SIGTERM finish the current
 * job within `--shutdown-timeout` seconds (then release it to the queue) and exit 0; a second
 * signal exits at once (its jobs go back to the queue through liveness, docs/operations.md).
 */
export function registerWorkerCommand(program: Command): void {
  withEngineOptions(
    withDatabaseOptions(
      program
        .command('worker')
        .description('Process queued jobs (document projections) until stopped; run many, on many machines, against one Postgres.')
        .option('--concurrency <n>', 'jobs at once in this process', '1')
        .option('--shutdown-timeout <s>', 'on SIGTERM / SIGINT, seconds to finish the current job before releasing it to the queue', '30')
        .option('--token-budget <n>', 'most padded positions B × T of one engine batch (env TRACEBASE_WORKER_TOKEN_BUDGET, default 512)'),
    ),
    { device: true, threads: 'onnxruntime intra-op threads (default: all cores)' },
  ).action(async (options: Record<string, unknown>) => {
    const concurrency = parseIntegerOption('concurrency', String(options.concurrency), 1);
    const shutdownSeconds = parseIntegerOption('shutdown-timeout', String(options.shutdownTimeout), 1, 3600);
    const { device, threads } = engineOptionsFrom(options);
    const config = configFromOptions(options);
    const db = await openDatabase(config);
    try {
      await assertMigrated(db.sql);
      const { JobQueue } = await import('../../jobs/job-queue');
      const { startWorker } = await import('../../worker/worker');
      const queue = new JobQueue(db);
      await queue.start();
      let batches = 0;
      await startWorker(queue, createServices(db), {
        concurrency,
        engine: { device, ...(threads ? { intraOpThreads: threads } : {}) },
        tokenBudget: config.tokenBudget,
        onBatch: (r) => {
          batches++;
          const padding = r.positions > 0 ? Math.round(100 * (1 - r.tokens / r.positions)) : 0;
          process.stderr.write(
            `batch ${batches}: ${r.projected} projected, ${r.skipped} too short, ${r.missing} missing, ${r.tokens} tokens (${padding} % padding)\n`,
          );
        },
      });
      process.stderr.write(
        `worker ${process.pid} on ${db.target}: waiting for jobs (concurrency ${concurrency}, ${device}, token budget ${config.tokenBudget})\n`,
      );
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      process.stderr.write(`${signal}: finishing the current job (at most ${shutdownSeconds} s, then it is released); a second signal exits at once\n`);
      const again = () => {
        process.stderr.write('second signal: exiting now; the jobs held go back to the queue within seconds (liveness)\n');
        process.exit(1);
      };
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      await queue.stop(true, shutdownSeconds * 1000);
      process.stderr.write(`worker ${process.pid}: stopped\n`);
    } finally {
      await db.close();
    }
  });
}
