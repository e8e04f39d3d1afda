import type { Command } from 'commander';

import { parseIntegerOption } from '../../config/integer-option.parser';
import { engineOptionsFrom, withEngineOptions } from '../engine-options';

/**
 * Registers `tracebase train --world DIR --out MODEL_DIR [--steps N] [--seed N] [--resume]
 * [--stop-after N] [--force]`: trains the byte-level GPT-2 reference model on a world's corpus (see
 * docs/training.md). Heavy modules load inside the action.
 */
export function registerTrainCommand(program: Command): void {
  withEngineOptions(
    program
      .command('train')
      .description('Train the byte-level GPT-2 reference model on a world corpus (Adam, warm-up + cosine decay, clipping, checkpoints).')
      .requiredOption('--world <dir>', 'world directory written by `tracebase world generate`')
      .requiredOption('--out <dir>', 'model directory to write (HF GPT-2 layout + training log and checkpoint)')
      .option('--steps <n>', 'optimizer steps', '6000')
      .option('--seed <n>', 'integer seed of initialisation and data order', '1')
      .option('--lr <x>', 'peak learning rate', '0.002')
      .option('--checkpoint-every <n>', 'steps between checkpoints', '200')
      .option('--eval-every <n>', "evaluate the world's queries (greedy) every N steps into training-eval.csv (0 = never)", '0')
      .option('--stop-after <step>', 'stop after this step (a checkpoint; the schedule still runs to --steps, and --resume continues)')
      .option('--resume', 'continue the training in --out from its checkpoint', false)
      .option('--force', 'overwrite a model already in --out', false),
    { batch: 'rows of 256 tokens per step', threads: true },
  ).action(
    async (o: {
      world: string;
      out: string;
      steps: string;
      seed: string;
      batch: string;
      lr: string;
      checkpointEvery: string;
      evalEvery: string;
      threads?: string;
      stopAfter?: string;
      resume: boolean;
      force: boolean;
    }) => {
      const { cpus } = await import('node:os');
      const s = await import('../../training/training.settings');
      const { trainReferenceModel } = await import('../../training/reference-model.trainer');
      const { loadWorldCorpus } = await import('../../training/world-corpus.loader');
      const { TrainingProgressLine } = await import('../../training/training-progress.line');
      const steps = parseIntegerOption('steps', o.steps, 1, 10_000_000);
      const seed = parseIntegerOption('seed', o.seed, 0, 2 ** 32 - 1);
      const lr = s.parsePositiveNumberOption('lr', o.lr);
      const checkpointEvery = parseIntegerOption('checkpoint-every', o.checkpointEvery, 1);
      const evalEvery = parseIntegerOption('eval-every', o.evalEvery, 0);
      const stopAfterStep = o.stopAfter === undefined ? undefined : parseIntegerOption('stop-after', o.stopAfter, 1, steps);
      const engine = engineOptionsFrom(o);
      const batchSize = engine.batch;
      const threads = engine.threads ?? cpus().length;
      const corpus = await loadWorldCorpus(o.world);
      const settings = s.defaultTrainingSettings({ steps, seed, batchSize, lr });
      const progress = new TrainingProgressLine(process.stderr);
      const onCheckpoint = evalEvery > 0 ? await evaluationHook(o.world, o.out, evalEvery, threads) : undefined;
      const r = await trainReferenceModel(settings, corpus, {
        outDir: o.out,
        resume: o.resume,
        force: o.force,
        checkpointEvery,
        ...(stopAfterStep === undefined ? {} : { stopAfterStep }),
        session: { intraOpThreads: threads },
        onProgress: (p) => progress.update(p),
        onCheckpoint,
      });
      progress.done();
      const last = r.log.slice(-50);
      const mean = last.reduce((a, b) => a + b.loss, 0) / Math.max(1, last.length);
      process.stdout.write(
        `trained ${r.step} steps, ${r.tokensSeen} tokens in ${(r.elapsedSeconds / 60).toFixed(1)} min; mean loss of the last ${last.length} steps ${mean.toFixed(4)} nats/token; model in ${o.out}\n`,
      );
    },
  );
}

/** After checkpoints at multiples of `every`, evaluates the written model and appends to training-eval.csv. */
async function evaluationHook(worldDir: string, outDir: string, every: number, threads: number): Promise<(step: number) => Promise<void>> {
  const { join } = await import('node:path');
  const { readFileSync } = await import('node:fs');
  const { readWorld } = await import('../../world/world.reader');
  const { loadEvaluatedModel } = await import('../../training/evaluated-model.loader');
  const { evaluateWorldQueries } = await import('../../training/world-query.evaluator');
  const { appendEvaluationRow } = await import('../../training/evaluation-log.writer');
  const { queries } = await readWorld(worldDir);
  return async (step: number) => {
    if (step % every !== 0) return;
    const summary = JSON.parse(readFileSync(join(outDir, 'training.json'), 'utf8')) as { elapsedSeconds: number; tokensSeen: number };
    const r = await evaluateWorldQueries(loadEvaluatedModel(outDir), queries, { session: { intraOpThreads: threads } });
    appendEvaluationRow(join(outDir, 'training-eval.csv'), step, summary.elapsedSeconds, summary.tokensSeen, r);
    const pct = (k: string) => `${(100 * (r.byTask[k] ?? r.byKind[k] ?? { accuracy: 0 }).accuracy).toFixed(0)}%`;
    process.stderr.write(
      `\n[eval step ${step}] factual ${pct('factual')} arithmetic ${pct('two-step-arithmetic')} slope ${pct('slope')} linear ${pct('linear-equation')} controls ${pct('control')} (${r.seconds.toFixed(0)} s)\n`,
    );
  };
}
