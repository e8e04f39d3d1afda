import type { Command } from 'commander';

import { engineOptionsFrom, withEngineOptions } from '../engine-options';

/**
 * `tracebase gradients --model DIR --prompt TEXT --completion TEXT --out FILE.safetensors [--all]`:
 * writes the float32 gradient of the completion's summed negative log-likelihood w.r.t. the
 * tracked layers (or every parameter with --all), named and shaped as in the model's
 * safetensors file, and prints `{"tokens": N, "nats": X}` (N = prompt + completion tokens).
 * Heavy modules load inside the action.
 */
export function registerGradientsCommand(program: Command): void {
  withEngineOptions(
    program
      .command('gradients')
      .description('Write the gradient of a completion’s negative log-likelihood (given a prompt) as safetensors')
      .requiredOption('--model <dir>', 'model directory (HF GPT-2 layout: config.json, model.safetensors, vocab.json, merges.txt)')
      .requiredOption('--prompt <text>', 'prompt (context, not scored)')
      .requiredOption('--completion <text>', 'completion (scored tokens)')
      .requiredOption('--out <file>', 'output .safetensors file')
      .option('--all', 'every parameter instead of the tracked layers', false)
      .option('--layers <names>', 'comma-separated tracked layers (default: h.{i}.mlp.c_fc,h.{i}.mlp.c_proj for every block)'),
    { device: true, threads: true },
  ).action(async (o: { model: string; prompt: string; completion: string; out: string; all: boolean; layers?: string; device: string; threads?: string }) => {
    const { device, threads } = engineOptionsFrom(o);
    const { writeFileSync } = await import('node:fs');
    const { computeQueryGradients } = await import('../../engine/query-gradients');
    const { loadModelDirectory } = await import('../../model/model-directory.loader');
    const { writeSafetensors } = await import('../../model/safetensors.writer');
    const model = loadModelDirectory(o.model);
    const r = await computeQueryGradients(model, o.prompt, o.completion, {
      all: o.all,
      tracked: o.layers
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      settings: { device, ...(threads ? { intraOpThreads: threads } : {}) },
    });
    writeFileSync(o.out, writeSafetensors(r.tensors));
    process.stdout.write(`${JSON.stringify({ tokens: r.tokens, nats: r.nats })}\n`);
  });
}
