import type { Command } from 'commander';

import { parseIntegerOption } from '../../config/integer-option.parser';
import { configFromOptions, withDatabaseOptions } from '../config-options';
import { engineOptionsFrom, withEngineOptions } from '../engine-options';
import { withPlatform } from '../open-platform';
import { ProgressLine } from '../progress-line';

/**
 * Registers `tracebase factors fit --model DIR --corpus FILE.jsonl --out DIR [--strategy
 * ekfac|kfac|diagonal|identity] [--fisher sampled|empirical] [--max-docs N]
 * [--seed N]`: fits curvature factors (docs/design.md "Mathematics") and writes factors.safetensors +
 * factors.json (arguments, model hash, corpus hash, seed) atomically. An existing --out with the
 * same model, corpus and arguments is reused; with anything else it is refused (or replaced
 * with --overwrite). The fit is {@link FactorFittingService.fit}; it and the other heavy modules
 * load inside the action, so `tracebase --help` stays fast.
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
      process.stdout.write(
        `${created ? 'registered' : 'already registered'} factor set ${record.name} (id ${record.id}, ${record.strategy}) for model ${String(options.model)}\n`,
      );
    });
  });
  withEngineOptions(
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
      .option('--overwrite', 'replace factors fitted with other arguments in --out', false)
      .option('--json', 'print the summary as one JSON object (progress stays on stderr)'),
    { batch: 'context windows per engine batch', device: true, threads: true },
  ).action(
    async (o: {
      model: string;
      corpus: string;
      out: string;
      strategy: string;
      fisher: string;
      maxDocs?: string;
      seed: string;
      layers?: string;
      batch: string;
      overwrite: boolean;
      device: string;
      threads?: string;
      json?: boolean;
    }) => {
      const p = await import('../../influence/influence-options.parser');
      const strategy = p.parseStrategy(o.strategy);
      const fisher = p.parseFisher(o.fisher);
      const maxDocs = o.maxDocs === undefined ? null : parseIntegerOption('max-docs', o.maxDocs, 1);
      const seed = parseIntegerOption('seed', o.seed, 0, 2 ** 32 - 1);
      const engine = engineOptionsFrom(o);
      const layers = o.layers
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const { FactorFittingService } = await import('../../services/factor-fitting.service');
      let progress: { pass: string; line: ProgressLine; last: number } | undefined;
      const { outDir, ...rest } = await new FactorFittingService().fit({
        modelDir: o.model,
        corpusFile: o.corpus,
        outDir: o.out,
        strategy,
        fisher,
        maxDocs,
        seed,
        ...(layers ? { layers } : {}),
        batchWindows: engine.batch,
        overwrite: o.overwrite,
        device: engine.device,
        ...(engine.threads ? { threads: engine.threads } : {}),
        onProgress: (p) => {
          if (progress?.pass !== p.pass) {
            progress?.line.finish(progress.last, progress.last);
            progress = { pass: p.pass, line: new ProgressLine(`factors fit, ${p.pass} pass`, 'sequences'), last: 0 };
          }
          progress.last = p.sequences;
          progress.line.update(p.sequences, p.total);
        },
      });
      if (progress) progress.line.finish(progress.last, progress.last);
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ out: outDir, ...rest })}\n`);
        return;
      }
      const what = `${rest.strategy.toUpperCase()} factors (${rest.fisher} Fisher)`;
      const counts = [
        rest.documents !== null ? `${rest.documents} documents` : 'every document',
        ...(rest.windows !== undefined ? [`${rest.windows} windows`] : []),
        ...(rest.tokens !== undefined ? [`${rest.tokens} tokens`] : []),
      ].join(', ');
      const damping = Object.values(rest.defaultDamping ?? {});
      process.stdout.write(
        (rest.reused
          ? `reused ${what} in ${outDir}: fitted earlier for the same model, corpus and arguments (--overwrite refits)\n`
          : `fitted ${what} on ${counts} in ${rest.seconds.toFixed(1)} s, written to ${outDir}\n`) +
          (damping.length
            ? `  default damping λ over ${damping.length} layers: ${Math.min(...damping).toExponential(2)} to ${Math.max(...damping).toExponential(2)}\n`
            : '') +
          `  next: tracebase factors register ${outDir} --model NAME\n`,
      );
    },
  );
}
