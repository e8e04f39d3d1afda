import type { Command } from 'commander';

import { configFromOptions, withDatabaseOptions } from '../config-options';
import { withPlatform } from '../open-platform';

/** `tracebase model register DIR` and `tracebase model list`. */
export function registerModelCommands(program: Command): void {
  const model = program.command('model').description('Language models (HF GPT-2 layout directories).');
  withDatabaseOptions(
    model
      .command('register')
      .description('Register a model directory by content hash, with its configuration and tracked layers.')
      .argument('<dir>', 'model directory: config.json, model.safetensors, vocab.json, merges.txt')
      .option('--name <name>', 'name to register under (default: the directory name)')
      .option('--layers <names>', 'comma-separated tracked layers (default: h.{i}.mlp.c_fc,h.{i}.mlp.c_proj of every block)'),
  ).action(async (dir: string, options: Record<string, unknown>) => {
    const config = configFromOptions(options);
    await withPlatform(config, async (services) => {
      const { model: record, created } = await services.modelRegistry.register(dir, {
        name: typeof options.name === 'string' ? options.name : undefined,
        trackedLayers:
          typeof options.layers === 'string'
            ? options.layers
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : undefined,
      });
      process.stdout.write(
        `${created ? 'registered' : 'already registered'} model ${record.name} (id ${record.id}): ${record.parameterCount} parameters, ` +
          `hash ${record.hash.slice(0, 16)}…, ${record.trackedLayers.length} tracked layers\n`,
      );
    });
  });
  withDatabaseOptions(model.command('list').description('List registered models.')).action(async (options: Record<string, unknown>) => {
    await withPlatform(configFromOptions(options), async (services) => {
      for (const m of await services.modelRegistry.list()) {
        process.stdout.write(`${m.id}\t${m.name}\t${m.parameterCount}\t${m.hash.slice(0, 16)}\t${m.path}\n`);
      }
    });
  });
}
