import { readFileSync } from 'node:fs';

import type { Command } from 'commander';

import { InvalidInputError } from '../../errors/tracebase.error';
import type { QueryKindName } from '../../domain/query-kind';
import { parseQueriesJsonl } from '../../services/query-jsonl.parser';
import type { QueryInputData } from '../../domain/query-input';
import { configFromOptions, withDatabaseOptions } from '../config-options';
import { withPlatform } from '../open-platform';

const KINDS = ['factual', 'reasoning', 'control', 'other'];

/** Reads queries from JSONL (prompt, completion, optional id, kind, answer / answerKeywords, tags), naming bad lines. */
function readQueryFile(file: string): QueryInputData[] {
  return parseQueriesJsonl(readFileSync(file, 'utf8'), file);
}

/** `tracebase queries add` and `tracebase queries top`. */
export function registerQueriesCommands(program: Command): void {
  const queries = program.command('queries').description('Influence queries: prompts and completions whose influential documents are sought.');
  withDatabaseOptions(
    queries
      .command('add')
      .description('Store queries and compute them in this process: nats, preconditioned M under a factor set, vectors in projection spaces, the model’s greedy answer.')
      .requiredOption('--model <name>', 'registered model')
      .requiredOption('--factors <dir>', 'factor directory from `tracebase factors fit` (registered if new)')
      .option('--factors-name <name>', 'name to register the factors under (default: the directory name)')
      .option('--space <names>', 'comma-separated projection spaces (from `tracebase ingest`)', 'default')
      .option('--file <queries.jsonl>', 'queries, one JSON object per line')
      .option('--prompt <text>', 'one query: its prompt')
      .option('--completion <text>', 'one query: its completion')
      .option('--kind <kind>', KINDS.join(' | '), 'other'),
  ).action(async (options: Record<string, unknown>) => {
    let inputs: QueryInputData[];
    if (typeof options.file === 'string') inputs = readQueryFile(options.file);
    else if (typeof options.completion === 'string') {
      inputs = [{ prompt: String(options.prompt ?? ''), completion: options.completion, kind: String(options.kind).toUpperCase() as QueryKindName }];
    } else throw new InvalidInputError('give --file, or --prompt and --completion');
    await withPlatform(configFromOptions(options), async (services) => {
      const { record: factorSet } = await services.factorSets.register(String(options.model), String(options.factors), options.factorsName as string | undefined);
      const spaces = await Promise.all(
        String(options.space)
          .split(',')
          .map((s) => services.projectionSpaces.byModelId(factorSet.modelId, s.trim())),
      );
      const created = await services.queries.create(String(options.model), inputs);
      const results = await services.queryGradients.computeWithAnswers(created.map((c) => c.record.id), factorSet.id, spaces.map((s) => s.id));
      for (const [i, r] of results.entries()) {
        const q = created[i]!.record;
        const judged = r.answeredCorrectly === null ? 'answer undecidable' : r.answeredCorrectly ? 'answered correctly' : 'answered wrongly';
        process.stdout.write(`${q.id}\t${q.externalId ?? ''}\t${q.kind}\tnats ${r.nats.toFixed(3)}\t${judged}\t${JSON.stringify(r.modelAnswer ?? '')}\n`);
      }
      process.stderr.write(`${results.length} queries with gradients under factor set ${factorSet.name} in ${spaces.length} space(s)\n`);
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
    await withPlatform(configFromOptions(options), async (services) => {
      const [query] = await services.queries.getMany([queryId]);
      if (!query) throw new InvalidInputError(`no query ${queryId}`);
      const factorSet = await services.factorSets.byName(query.modelId, String(options.factorsName));
      const space = await services.projectionSpaces.byModelId(query.modelId, String(options.space));
      const ranking = await services.influenceSearch.topInfluences({
        queryId,
        factorSetId: factorSet.id,
        spaceId: space.id,
        k: Number(options.k),
        sign: String(options.sign).toUpperCase() === 'NEGATIVE' ? 'NEGATIVE' : 'POSITIVE',
        mode: (['ANN', 'RERANKED', 'EXACT'] as const).find((m) => m === String(options.mode).toUpperCase()) ?? 'RERANKED',
      });
      const docs = await services.documents.getMany(ranking.hits.map((h) => h.documentId));
      process.stdout.write(`query ${queryId}: nats ${ranking.nats.toFixed(3)}, ${ranking.mode}, ${ranking.candidates} candidates\n`);
      ranking.hits.forEach((h, i) => {
        const d = docs[i];
        process.stdout.write(`${h.rank}\t${h.score.toExponential(3)}\t${h.perNat.toExponential(3)}\t${d?.externalId ?? h.documentId}\t${d?.source ?? ''}\t${(d?.text ?? '').slice(0, 80).replace(/\s+/g, ' ')}\n`);
      });
    });
  });
}
