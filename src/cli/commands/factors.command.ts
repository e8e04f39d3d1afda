import { Command, Option } from 'commander';

import { configFromOptions, withDatabaseOptions } from '../config-options';
import { withPlatform } from '../open-platform';

/**
 * Registers `tracebase factors fit --model DIR --corpus FILE.jsonl --out DIR [--strategy
 * ekfac|kfac|diagonal|identity] [--fisher sampled|empirical] [--max-docs N]
 * [--seed N]`: fits curvature factors (docs/design.md "Mathematics") and writes factors.safetensors +
 * factors.json (arguments, model hash, corpus hash, seed) atomically. An existing --out with the
 * same model, corpus and arguments is reused; with anything else it is refused (or replaced
 * with --overwrite). Heavy modules load inside the action.
 */
export function registerFactorsCommands(program: Command): void {
  const factors = program.command('factors').description('Curvature factors (EK-FAC, K-FAC, diagonal, identity) for influence.');
  withDatabaseOptions(
    factors
      .command('register')
      .description('Register a fitted factor directory against a registered model (its provenance must name the model’s hash).')
      .argument('<dir>', 'factor directory from `tracebase factors fit`')
      .requiredOption('--model <name>', 'registered model')
      .option('--name <name>', 'name to register under (default: the directory name)'),
  ).action(async (dir: string, options: Record<string, unknown>) => {
    await withPlatform(configFromOptions(options), async (services) => {
      const { record, created } = await services.factorSets.register(String(options.model), dir, typeof options.name === 'string' ? options.name : undefined);
      process.stdout.write(`${created ? 'registered' : 'already registered'} factor set ${record.name} (id ${record.id}, ${record.strategy}) for model ${String(options.model)}\n`);
    });
  });
  factors
    .command('fit')
    .description('Fit curvature factors of a model on a corpus sample and save them (safetensors + JSON provenance).')
    .requiredOption('--model <dir>', 'model directory (HF GPT-2 layout)')
    .requiredOption('--corpus <file>', 'corpus JSONL: one {"id": ..., "text": ...} per line')
    .requiredOption('--out <dir>', 'factor directory to write')
    .option('--strategy <s>', 'ekfac | kfac | diagonal | identity', 'ekfac')
    .option('--fisher <f>', 'sampled (labels drawn from the model) | empirical (data labels)', 'sampled')
    .option('--max-docs <n>', 'fit on the first N documents')
    .option('--seed <n>', 'seed of the sampled labels', '0')
    .option('--layers <names>', 'comma-separated tracked layers (default: both MLP layers of every block)')
    .option('--batch <n>', 'context windows per engine batch', '8')
    .option('--overwrite', 'replace factors fitted with other arguments in --out', false)
    .addOption(new Option('--device <device>', 'execution provider').choices(['cpu', 'cuda']).default('cpu'))
    .option('--threads <n>', 'intra-op threads (default: all cores)')
    .action(async (o: { model: string; corpus: string; out: string; strategy: string; fisher: string; maxDocs?: string; seed: string; layers?: string; batch: string; overwrite: boolean; device: 'cpu' | 'cuda'; threads?: string }) => {
      const p = await import('../../influence/influence-options.parser');
      const strategy = p.parseStrategy(o.strategy);
      const fisher = p.parseFisher(o.fisher);
      const maxDocs = o.maxDocs === undefined ? null : p.parseIntegerOption('max-docs', o.maxDocs, 1);
      const seed = p.parseIntegerOption('seed', o.seed, 0, 2 ** 32 - 1);
      const batchWindows = p.parseIntegerOption('batch', o.batch, 1, 4096);
      const threads = o.threads === undefined ? undefined : p.parseIntegerOption('threads', o.threads, 1, 1024);
      const { fitFactorDirectory } = await import('../../influence/factor-directory.fitter');
      const layers = o.layers?.split(',').map((s) => s.trim()).filter(Boolean);
      const result = await fitFactorDirectory({
        modelDir: o.model,
        corpusFile: o.corpus,
        outDir: o.out,
        strategy,
        fisher,
        maxDocs,
        seed,
        ...(layers ? { layers } : {}),
        batchWindows,
        overwrite: o.overwrite,
        device: o.device,
        ...(threads ? { threads } : {}),
      });
      const { outDir, ...rest } = result;
      process.stdout.write(`${JSON.stringify({ out: outDir, ...rest })}\n`);
    });
}
