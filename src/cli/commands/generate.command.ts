import type { Command } from 'commander';

import { parseIntegerOption } from '../../config/integer-option.parser';
import { engineOptionsFrom, withEngineOptions } from '../engine-options';

/**
 * Registers `tracebase generate --model DIR --prompt TEXT [--max-tokens N]`: greedy decoding of
 * a GPT-2 model directory. The prompt is fed after an end-of-text token (as training documents
 * start, when the vocabulary has one); generation stops at end-of-text or after N tokens. Prints
 * the continuation only.
 */
export function registerGenerateCommand(program: Command): void {
  withEngineOptions(
    program
      .command('generate')
      .description('Greedy decoding: print the model’s continuation of a prompt.')
      .requiredOption('--model <dir>', 'model directory (HF GPT-2 layout)')
      .requiredOption('--prompt <text>', "prompt text (use $'...\\n' in a shell for newlines)")
      .option('--max-tokens <n>', 'new tokens at most', '128'),
    { threads: true },
  ).action(async (o: { model: string; prompt: string; maxTokens: string; threads?: string }) => {
    const { cpus } = await import('node:os');
    const { loadEvaluatedModel } = await import('../../training/evaluated-model.loader');
    const { GreedyDecoder } = await import('../../generation/greedy.decoder');
    const { END_OF_TEXT } = await import('../../generation/byte-level.vocabulary');
    const maxTokens = parseIntegerOption('max-tokens', o.maxTokens, 1, 100_000);
    const threads = engineOptionsFrom(o).threads ?? cpus().length;
    const model = loadEvaluatedModel(o.model);
    const eot = model.encode(END_OF_TEXT);
    const eotIds = eot.length === 1 ? eot : [];
    const prompt = [...eotIds, ...model.encode(o.prompt)];
    if (prompt.length === 0) throw new (await import('../../errors/tracebase.error')).InvalidInputError('--prompt is empty', { field: 'prompt' });
    const decoder = new GreedyDecoder(model.family, model.config, model.params, { device: 'cpu', intraOpThreads: threads, interOpThreads: 1 });
    try {
      const [ids] = await decoder.generate([prompt], { maxNewTokens: maxTokens, stopIds: eotIds });
      process.stdout.write(`${model.decode(ids!)}\n`);
    } finally {
      await decoder.release();
    }
  });
}
