import type { Command } from 'commander';

import { parseIntegerOption } from '../../config/integer-option.parser';
import { InvalidInputError } from '../../errors/tracebase.error';
import { engineOptionsFrom, withEngineOptions } from '../engine-options';

/**
 * Registers `tracebase influence --model DIR --factors DIR --corpus FILE.jsonl --prompt TEXT
 * --completion TEXT [--queries FILE.jsonl] [--top K] [--tokens] --out FILE.jsonl`: exact influence
 * I(q,d) = Σ_ℓ ⟨M_ℓ(q), G_ℓ(d)⟩ of every corpus document (or each query's top K) on one or many
 * queries, one JSON line per (query, document): queryId, documentId, score, perNat, layers and,
 * with --tokens, token scores. Every document's gradient is computed once for all queries. The
 * output file appears only when complete. The scoring is {@link CorpusFileInfluenceService.score};
 * it and the other heavy modules load inside the action, so `tracebase --help` stays fast.
 */
export function registerInfluenceCommand(program: Command): void {
  withEngineOptions(
    program
      .command('influence')
      .description('Exact EK-FAC influence of corpus documents on a prompt + completion (or a file of queries), as JSONL.')
      .requiredOption('--model <dir>', 'model directory (HF GPT-2 layout)')
      .requiredOption('--factors <dir>', 'factor directory written by `tracebase factors fit` for this model')
      .requiredOption('--corpus <file>', 'corpus JSONL: one {"id": ..., "text": ...} per line')
      .requiredOption('--out <file>', 'output JSONL')
      .option('--prompt <text>', 'prompt (context, not scored)')
      .option('--completion <text>', 'completion (scored)')
      .option('--queries <file>', 'queries JSONL: one {"id", "prompt", "completion"} per line (instead of --prompt/--completion)')
      .option('--top <k>', 'keep only the K most positive documents per query (sorted)')
      .option('--tokens', 'add token-wise scores τ_t (sum to the score)', false)
      .option(
        '--damping <d>',
        'damping of the preconditioner: auto (0.1 × mean eigenvalue per layer) or an absolute λ; a score argument, so any value works with the same factors',
        'auto',
      )
      .option('--rank <r>', 'per-layer rank of the preconditioned query: auto (exact up to 65536 entries, else 32) | exact | N', 'auto')
      .option('--max-docs <n>', 'score the first N documents'),
    { batch: 'context windows per engine batch', device: true, threads: true },
  ).action(
    async (o: {
      model: string;
      factors: string;
      corpus: string;
      out: string;
      prompt?: string;
      completion?: string;
      queries?: string;
      top?: string;
      tokens: boolean;
      damping: string;
      rank: string;
      maxDocs?: string;
      batch: string;
      device: string;
      threads?: string;
    }) => {
      const { parseDamping, parseQueryRank } = await import('../../influence/influence-options.parser');
      const top = o.top === undefined ? undefined : parseIntegerOption('top', o.top, 1);
      const rank = parseQueryRank(o.rank);
      const damping = parseDamping(o.damping);
      const maxDocs = o.maxDocs === undefined ? undefined : parseIntegerOption('max-docs', o.maxDocs, 1);
      const engine = engineOptionsFrom(o);
      if (o.queries !== undefined && (o.prompt !== undefined || o.completion !== undefined))
        throw new InvalidInputError('give either --queries or --prompt/--completion, not both', { field: 'queries' });
      if (o.queries === undefined && (o.prompt === undefined || o.completion === undefined))
        throw new InvalidInputError('give --prompt and --completion (or --queries FILE.jsonl)', { field: 'completion' });

      const { CorpusFileInfluenceService } = await import('../../services/corpus-file-influence.service');
      const { AtomicJsonlWriter } = await import('../../influence/influence-output.writer');
      const summary = await new CorpusFileInfluenceService().score(
        {
          modelDir: o.model,
          factorsDir: o.factors,
          corpusFile: o.corpus,
          queries: o.queries !== undefined ? { file: o.queries } : { prompt: o.prompt!, completion: o.completion! },
          ...(top !== undefined ? { top } : {}),
          tokens: o.tokens,
          rank,
          damping,
          ...(maxDocs !== undefined ? { maxDocs } : {}),
          batchWindows: engine.batch,
          device: engine.device,
          ...(engine.threads ? { threads: engine.threads } : {}),
        },
        new AtomicJsonlWriter(o.out),
      );
      process.stdout.write(`${JSON.stringify({ out: o.out, ...summary })}\n`);
    },
  );
}
