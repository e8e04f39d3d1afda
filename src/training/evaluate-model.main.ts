/**
 * `npm run eval:model [-- --model DIR] [--world DIR] [--json FILE] [--threads N]`: greedy
 * evaluation of a model on a world's 120 queries, printing accuracy per query kind and task and
 * whether the bars are met. Without --world the world is regenerated in memory from the
 * seed and size recorded in the model's training.json (default: seed 1, full). Exit status 0
 * when the evaluation ran (whatever the accuracies), 2 on bad input.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { reportCliError } from '../cli/cli-error.reporter';
import { WorldSizeName } from '../world/world-size.presets';
import { WorldQuery } from '../world/world.types';
import { loadEvaluatedModel } from './evaluated-model.loader';
import { parseIntegerOption } from '../config/integer-option.parser';
import { InvalidTrainingOptionError } from './training.errors';
import { evaluateWorldQueries, formatEvaluationReport } from './world-query.evaluator';

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)$/.exec(argv[i]!);
    if (!m || i + 1 >= argv.length)
      throw new InvalidTrainingOptionError(
        argv[i]!.replace(/^-+/, ''),
        argv[i + 1] ?? '',
        'given as --name value (known: --model, --world, --json, --threads)',
      );
    out[m[1]!] = argv[++i]!;
  }
  return out;
}

async function worldQueries(modelDir: string, worldDir?: string): Promise<{ queries: WorldQuery[]; label: string }> {
  if (worldDir) {
    const { readWorld } = await import('../world/world.reader');
    return { queries: (await readWorld(worldDir)).queries, label: worldDir };
  }
  let world = { seed: 1, size: 'full' };
  const summary = join(modelDir, 'training.json');
  if (existsSync(summary)) world = (JSON.parse(readFileSync(summary, 'utf8')) as { world?: typeof world }).world ?? world;
  const { generateWorld } = await import('../world/world.generator');
  return { queries: generateWorld(world.seed, world.size as WorldSizeName).queries, label: `world seed ${world.seed} size ${world.size} (regenerated)` };
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const modelDir = a.model ?? 'models/reference';
  const threads = a.threads === undefined ? cpus().length : parseIntegerOption('threads', a.threads, 1, 1024);
  const model = loadEvaluatedModel(modelDir);
  const { queries, label } = await worldQueries(modelDir, a.world);
  process.stdout.write(`evaluating ${modelDir} on ${queries.length} queries of ${label}\n`);
  const report = await evaluateWorldQueries(model, queries, { session: { intraOpThreads: threads } });
  process.stdout.write(formatEvaluationReport(report));
  if (a.json) writeFileSync(a.json, JSON.stringify(report, null, 2) + '\n');
}

main().catch((e: unknown) => {
  process.exitCode = reportCliError(e);
});
