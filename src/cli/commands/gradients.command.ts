import { writeFileSync } from 'node:fs';

import { Command, Option } from 'commander';

import { computeQueryGradients } from '../../engine/query-gradients';
import { loadModelDirectory } from '../../model/model-directory.loader';
import { writeSafetensors } from '../../model/safetensors.writer';
import { InvalidInputError } from '../../errors/tracebase.error';

/**
 * `tracebase gradients --model DIR --prompt TEXT --completion TEXT --out FILE.safetensors [--all]`:
 * writes the float32 gradient of the completion's summed negative log-likelihood w.r.t. the
 * tracked layers (or every parameter with --all), named and shaped as in the model's
 * safetensors file, and prints `{"tokens": N, "nats": X}` (N = prompt + completion tokens).
 */
export function registerGradientsCommand(program: Command): void {
  program
    .command('gradients')
    .description('Write the gradient of a completion’s negative log-likelihood (given a prompt) as safetensors')
    .requiredOption('--model <dir>', 'model directory (HF GPT-2 layout: config.json, model.safetensors, vocab.json, merges.txt)')
    .requiredOption('--prompt <text>', 'prompt (context, not scored)')
    .requiredOption('--completion <text>', 'completion (scored tokens)')
    .requiredOption('--out <file>', 'output .safetensors file')
    .option('--all', 'every parameter instead of the tracked layers', false)
    .option('--layers <names>', 'comma-separated tracked layers (default: h.{i}.mlp.c_fc,h.{i}.mlp.c_proj for every block)')
    .addOption(new Option('--device <device>', 'execution provider').choices(['cpu', 'cuda']).default('cpu'))
    .option('--threads <n>', 'intra-op threads (default: all cores)')
    .action(async (o: { model: string; prompt: string; completion: string; out: string; all: boolean; layers?: string; device: 'cpu' | 'cuda'; threads?: string }) => {
      const threads = o.threads === undefined ? undefined : Number(o.threads);
      if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new InvalidInputError(`--threads must be a positive integer, got ${o.threads}`, { field: 'threads' });
      const model = loadModelDirectory(o.model);
      const r = await computeQueryGradients(model, o.prompt, o.completion, {
        all: o.all,
        tracked: o.layers?.split(',').map((s) => s.trim()).filter(Boolean),
        settings: { device: o.device, ...(threads ? { intraOpThreads: threads } : {}) },
      });
      writeFileSync(o.out, writeSafetensors(r.tensors));
      process.stdout.write(`${JSON.stringify({ tokens: r.tokens, nats: r.nats })}\n`);
    });
}
