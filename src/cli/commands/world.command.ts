import { Command } from 'commander';

import { parseWorldOptions } from '../../world/world-options.parser';
import { WORLD_SIZE_PRESETS } from '../../world/world-size.presets';
import { generateWorld } from '../../world/world.generator';
import { serializeWorld } from '../../world/world.serializer';
import { writeWorldFiles } from '../../world/world.writer';

/**
 * Registers `tracebase world generate --seed N --out DIR [--size demo|full] [--force]`, which
 * writes a synthetic pretraining world (corpus.jsonl, queries.jsonl, manifest.json).
 */
export function registerWorldCommands(program: Command): void {
  const world = program.command('world').description('Synthetic pretraining worlds with known facts and procedures.');
  world
    .command('generate')
    .description('Generate a world: corpus.jsonl, queries.jsonl and manifest.json, byte-for-byte deterministic for a seed.')
    .requiredOption('--seed <n>', 'integer seed (0 or more)')
    .requiredOption('--out <dir>', 'output directory')
    .option('--size <size>', `size preset: ${Object.keys(WORLD_SIZE_PRESETS).join(' | ')}`, 'demo')
    .option('--force', 'overwrite a world already in the output directory', false)
    .action(async (opts: { seed: string; out: string; size: string; force: boolean }) => {
      const { seed, size } = parseWorldOptions({ seed: opts.seed, size: opts.size });
      const started = Date.now();
      const generated = generateWorld(seed, size);
      const files = serializeWorld(generated);
      const written = await writeWorldFiles(opts.out, files, { force: opts.force });
      const counts = generated.queries.reduce<Record<string, number>>((acc, q) => ({ ...acc, [q.kind]: (acc[q.kind] ?? 0) + 1 }), {});
      const bytes = Object.values(files).reduce((s, t) => s + Buffer.byteLength(t), 0);
      process.stdout.write(
        `world (seed ${seed}, size ${size}): ${generated.documents.length} documents, ${generated.queries.length} queries ` +
          `(${Object.entries(counts)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')}), ${bytes} bytes in ${Date.now() - started} ms\n` +
          written.map((p) => `  ${p}\n`).join(''),
      );
    });
}
