import type { Command } from 'commander';

import { parseIntegerOption } from '../../config/integer-option.parser';
import { configFromOptions, withDatabaseOptions } from '../config-options';
import { engineOptionsFrom, withEngineOptions } from '../engine-options';
import { withPlatform } from '../open-platform';
import { ProgressLine } from '../progress-line';

/** `tracebase ingest`: project a corpus's documents into a projection space through the job queue. */
export function registerIngestCommand(program: Command): void {
  withEngineOptions(
    withDatabaseOptions(
      program
        .command('ingest')
        .description(
          'Project every document of a corpus into a projection space of a model (created if new): one job per batch on the ' +
            'queue, processed here (always with embedded PGlite) or by `tracebase worker` processes; then build the HNSW index.',
        )
        .requiredOption('--corpus <name>', 'corpus to ingest')
        .requiredOption('--model <name>', 'registered model')
        .option('--space <name>', 'projection space name', 'default')
        .option('--rank <r>', 'per-layer output and input rank of a new space (r_o = r_i)', '8')
        .option('--sketch-dims <n>', 'most sketch dimensions of a new space (≤ 4000)', '512')
        .option('--seed <n>', 'seed of a new space', '0')
        .option('--eigenbasis <factors-name>', 'make a new space from the eigenbases of this registered factor set instead of random matrices')
        .option('--batch-size <n>', 'documents per job', '32')
        .option('--no-work', 'only queue the jobs (Postgres: leave them to worker processes)')
        .option('--concurrency <n>', 'jobs at once in this process', '1')
        .option('--token-budget <n>', 'most padded positions B × T of one engine batch (env TRACEBASE_WORKER_TOKEN_BUDGET, default 512)'),
    ),
    { device: true },
  ).action(async (options: Record<string, unknown>) => {
    const config = configFromOptions(options);
    const rank = parseIntegerOption('rank', String(options.rank), 1);
    const batchSize = parseIntegerOption('batch-size', String(options.batchSize), 1);
    const concurrency = parseIntegerOption('concurrency', String(options.concurrency), 1);
    const seed = parseIntegerOption('seed', String(options.seed), 0, 2_147_483_647);
    const sketchDims = parseIntegerOption('sketch-dims', String(options.sketchDims), 1);
    const { device } = engineOptionsFrom(options);
    await withPlatform(config, async (services, db) => {
      const { JobQueue } = await import('../../jobs/job-queue');
      const space = await services.projectionSpaces.create({
        modelName: String(options.model),
        name: String(options.space),
        outRank: rank,
        inRank: rank,
        sketchDims,
        seed,
        ...(typeof options.eigenbasis === 'string' ? { kind: 'eigenbasis' as const, factorSetName: options.eigenbasis } : {}),
      });
      const queue = new JobQueue(db, { pollingIntervalSeconds: 1 });
      await queue.start();
      try {
        const { batches, sent, corpusId } = await services.ingestion.enqueue(queue, String(options.corpus), space, batchSize);
        process.stderr.write(
          `space ${space.name} (id ${space.id}): ${space.fullDims} full / ${space.sketchDims} sketch dims; ${batches} batches, ${sent} newly queued\n`,
        );
        const work = options.work !== false || db.kind === 'pglite';
        if (options.work === false && db.kind === 'pglite') {
          process.stderr.write(
            '--no-work has no effect on embedded PGlite: one process holds the database, so no `tracebase worker` could take the jobs; ' +
              'this command processes them itself (set DATABASE_URL to a Postgres server to leave them to workers)\n',
          );
        }
        if (!work) {
          process.stdout.write(`${sent} jobs queued; run \`tracebase worker\` to process them\n`);
          return;
        }
        const { startWorker } = await import('../../worker/worker');
        const progress = new ProgressLine('ingest', 'docs');
        let tokens = 0;
        const started = Date.now();
        await startWorker(queue, services, { concurrency, engine: { device }, tokenBudget: config.tokenBudget, onBatch: (r) => (tokens += r.tokens) });
        const { PROJECT_DOCUMENTS } = await import('../../domain/queue-name');
        for (;;) {
          const [state, pending, orphaned] = await Promise.all([
            services.ingestion.progress(corpusId, space.id),
            queue.pending(PROJECT_DOCUMENTS),
            queue.orphaned(),
          ]);
          const seconds = (Date.now() - started) / 1000;
          const stalled = orphaned > 0 ? `waiting for ${orphaned} job(s) held by a stopped process; reclaiming` : undefined;
          progress.update(state.projected, state.total, `${(tokens / Math.max(seconds, 1e-3)).toFixed(0)} tokens/s`, stalled);
          if (pending === 0) {
            progress.finish(state.projected, state.total, `${(tokens / Math.max(seconds, 1e-3)).toFixed(0)} tokens/s`);
            break;
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
        await queue.stop();
        const index = await services.ingestion.finalize(space);
        const state = await services.ingestion.progress(corpusId, space.id);
        process.stdout.write(`${state.projected} of ${state.total} documents projected into space ${space.name}; index ${index}\n`);
        if (state.projected < state.total) {
          process.stdout.write(`${state.total - state.projected} documents are not projected (too short, or their jobs failed: see the dead-letter queue)\n`);
        }
      } finally {
        await queue.stop();
      }
    });
  });
}
