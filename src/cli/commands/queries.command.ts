import { readFileSync } from 'node:fs';

import type { Command } from 'commander';

import { INFLUENCE_MODES } from '../../domain/influence-mode';
import { INFLUENCE_SIGNS } from '../../domain/influence-sign';
import { isOneOf } from '../../domain/one-of';
import { parseQueryKind, QUERY_KINDS } from '../../domain/query-kind';
import type { QueryInputData } from '../../domain/query-input';
import { InvalidInputError } from '../../errors/tracebase.error';
import { parseQueriesJsonl } from '../../influence/query-jsonl.parser';
import { configFromOptions, withDatabaseOptions } from '../config-options';
import { withPlatform } from '../open-platform';
import { parseDamping } from '../../influence/influence-options.parser';

/** Reads queries from JSONL (prompt, completion, optional id, kind, answer / answerKeywords, tags), naming bad lines. */
function readQueryFile(file: string): QueryInputData[] {
  return parseQueriesJsonl(readFileSync(file, 'utf8'), file);
}

/**
 * A choice option written in any case (`--mode exact`) as one of `allowed` (upper case), or an
 * InvalidInputError naming the option and its values: an unknown value is refused, never guessed.
 */
function choiceOption<T extends string>(value: unknown, allowed: readonly T[], option: string): T {
  const upper = String(value).toUpperCase();
  if (isOneOf(upper, allowed)) return upper;
  throw new InvalidInputError(`${option} must be one of ${allowed.map((a) => a.toLowerCase()).join(', ')}, got ${JSON.stringify(String(value))}`, { option });
}

/** `tracebase queries add` and `tracebase queries top`. */
export function registerQueriesCommands(program: Command): void {
  const queries = program.command('queries').description('Influence queries: prompts and completions whose influential documents are sought.');
  withDatabaseOptions(
    queries
      .command('add')
      .description(
        'Store queries and compute them in this process: nats, preconditioned M under a factor set, vectors in projection spaces, the model’s greedy answer.',
      )
      .requiredOption('--model <name>', 'registered model')
      .requiredOption('--factors <dir>', 'factor directory from `tracebase factors fit` (registered if new)')
      .option('--factors-name <name>', 'name to register the factors under (default: the directory name)')
      .option('--space <names>', 'comma-separated projection spaces (from `tracebase ingest`)', 'default')
      .option('--file <queries.jsonl>', 'queries, one JSON object per line')
      .option('--prompt <text>', 'one query: its prompt')
      .option('--completion <text>', 'one query: its completion')
      .option('--kind <kind>', QUERY_KINDS.map((k) => k.toLowerCase()).join(' | '), 'other')
      .option(
        '--damping <d>',
        'damping of M: auto (0.1 × mean eigenvalue per layer), relative:F, absolute:V or a number (absolute λ); a score argument, the same factors serve any value',
        'auto',
      ),
  ).action(async (options: Record<string, unknown>) => {
    let inputs: QueryInputData[];
    if (typeof options.file === 'string') inputs = readQueryFile(options.file);
    else if (typeof options.completion === 'string') {
      inputs = [{ prompt: String(options.prompt ?? ''), completion: options.completion, kind: parseQueryKind(String(options.kind), '--kind') }];
    } else throw new InvalidInputError('give --file, or --prompt and --completion');
    await withPlatform(configFromOptions(options), async (services) => {
      const spaces = String(options.space)
        .split(',')
        .map((s) => s.trim());
      const added = await services.queries.addAndCompute(
        {
          model: String(options.model),
          factorsDir: String(options.factors),
          factorsName: options.factorsName as string | undefined,
          spaces,
          damping: parseDamping(String(options.damping)),
        },
        inputs,
      );
      for (const { record: q, computation: r } of added.results) {
        const judged = r.answeredCorrectly === null ? 'answer undecidable' : r.answeredCorrectly ? 'answered correctly' : 'answered wrongly';
        process.stdout.write(`${q.id}\t${q.externalId ?? ''}\t${q.kind}\tnats ${r.nats.toFixed(3)}\t${judged}\t${JSON.stringify(r.modelAnswer ?? '')}\n`);
      }
      process.stderr.write(`${added.results.length} queries with gradients under factor set ${added.factorSet} in ${added.spaces} space(s)\n`);
    });
  });

  withDatabaseOptions(
    queries
      .command('top')
      .description('Print the most influential documents of a query.')
      .requiredOption('--query <id>', 'query number (from `queries add`)')
      .requiredOption('--factors-name <name>', 'registered factor set')
      .option('--space <name>', 'projection space', 'default')
      .option('--k <n>', 'how many', '10')
      .option('--sign <sign>', 'positive | negative', 'positive')
      .option('--mode <mode>', 'ann | reranked | exact', 'reranked'),
  ).action(async (options: Record<string, unknown>) => {
    const queryId = Number(options.query);
    if (!Number.isInteger(queryId) || queryId < 1) throw new InvalidInputError(`--query must be a query number, got ${String(options.query)}`);
    const sign = choiceOption(options.sign, INFLUENCE_SIGNS, '--sign');
    const mode = choiceOption(options.mode, INFLUENCE_MODES, '--mode');
    await withPlatform(configFromOptions(options), async (services) => {
      const ranking = await services.influenceSearch.topInfluences(queryId, {
        factorSet: String(options.factorsName),
        space: String(options.space),
        k: Number(options.k),
        sign,
        mode,
      });
      process.stdout.write(`query ${queryId}: nats ${ranking.nats.toFixed(3)}, ${ranking.mode}, ${ranking.candidates} candidates\n`);
      process.stdout.write('rank\tscore\tper_nat\tdocument\tsource\ttext\n');
      for (const h of ranking.hits) {
        const d = h.document;
        process.stdout.write(
          `${h.rank}\t${h.score.toExponential(3)}\t${h.perNat.toExponential(3)}\t${d.externalId}\t${d.source}\t${d.text.slice(0, 80).replace(/\s+/g, ' ')}\n`,
        );
      }
    });
  });
}
