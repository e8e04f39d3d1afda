import { Command, Option } from 'commander';

/**
 * Registers `tracebase influence --model DIR --factors DIR --corpus FILE.jsonl --prompt TEXT
 * --completion TEXT [--queries FILE.jsonl] [--top K] [--tokens] --out FILE.jsonl`: exact influence
 * I(q,d) = Σ_ℓ ⟨M_ℓ(q), G_ℓ(d)⟩ of every corpus document (or each query's top K) on one or many
 * queries, one JSON line per (query, document): queryId, documentId, score, perNat, layers and,
 * with --tokens, token scores. Every document's gradient is computed once for all queries. The
 * output file appears only when complete. Heavy modules load inside the action.
 */
export function registerInfluenceCommand(program: Command): void {
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
    .option('--damping <d>', 'damping of the preconditioner: auto (0.1 × mean eigenvalue per layer) or an absolute λ; a score argument, so any value works with the same factors', 'auto')
    .option('--rank <r>', 'per-layer rank of the preconditioned query: auto (exact up to 65536 entries, else 32) | exact | N', 'auto')
    .option('--max-docs <n>', 'score the first N documents')
    .option('--batch <n>', 'context windows per engine batch', '8')
    .addOption(new Option('--device <device>', 'execution provider').choices(['cpu', 'cuda']).default('cpu'))
    .option('--threads <n>', 'intra-op threads (default: all cores)')
    .action(async (o: { model: string; factors: string; corpus: string; out: string; prompt?: string; completion?: string; queries?: string; top?: string; tokens: boolean; damping: string; rank: string; maxDocs?: string; batch: string; device: 'cpu' | 'cuda'; threads?: string }) => {
      const p = await import('../../influence/influence-options.parser');
      const { InvalidInputError } = await import('../../errors/tracebase.error');
      const top = o.top === undefined ? undefined : p.parseIntegerOption('top', o.top, 1);
      const rank = p.parseQueryRank(o.rank);
      const damping = p.parseDamping(o.damping);
      const maxDocs = o.maxDocs === undefined ? undefined : p.parseIntegerOption('max-docs', o.maxDocs, 1);
      const batchWindows = p.parseIntegerOption('batch', o.batch, 1, 4096);
      const threads = o.threads === undefined ? undefined : p.parseIntegerOption('threads', o.threads, 1, 1024);
      if (o.queries !== undefined && (o.prompt !== undefined || o.completion !== undefined)) throw new InvalidInputError('give either --queries or --prompt/--completion, not both', { field: 'queries' });
      if (o.queries === undefined && (o.prompt === undefined || o.completion === undefined)) throw new InvalidInputError('give --prompt and --completion (or --queries FILE.jsonl)', { field: 'completion' });

      const { loadModelDirectory } = await import('../../model/model-directory.loader');
      const { GradientEngine, defaultEngineSettings } = await import('../../engine/gradient.engine');
      const { readCorpusJsonl } = await import('../../influence/corpus-jsonl.reader');
      const { readQueriesJsonl } = await import('../../influence/query-jsonl.reader');
      const { tokenizeDocuments } = await import('../../influence/tokenized-sequence');
      const { trackedLayers } = await import('../../influence/layer-tensors.adapter');
      const { preconditionQueries } = await import('../../influence/query-gradient.pipeline');
      const { exactInfluence } = await import('../../influence/exact-influence.pipeline');
      const { AtomicJsonlWriter } = await import('../../influence/influence-output.writer');
      const { readFactorSet, assertFactorsMatch } = await import('../../influence/factor-set.store');
      const { FactorMismatchError } = await import('../../influence/influence.errors');
      const { topK } = await import('../../math/statistics/top-k.selection');

      const queries = o.queries !== undefined ? readQueriesJsonl(o.queries) : [{ id: 'query', prompt: o.prompt!, completion: o.completion! }];
      const model = loadModelDirectory(o.model);
      const { factors, provenance } = readFactorSet(o.factors);
      assertFactorsMatch(provenance, { modelHash: model.hash }, o.factors);
      const shapes = trackedLayers(model, provenance.arguments.layers);
      shapes.forEach((s, k) => {
        const f = factors.layers[k]!;
        if (f.name !== s.name || f.rows !== s.rows || f.cols !== s.cols) throw new FactorMismatchError(`factors in ${o.factors}: layer ${f.name} is ${f.rows}×${f.cols}, the model's ${s.name} is ${s.rows}×${s.cols}`, { layer: f.name });
      });
      const engine = new GradientEngine(model, defaultEngineSettings({ device: o.device, ...(threads ? { intraOpThreads: threads } : {}) }));
      const qs = await preconditionQueries(engine, model.tokenizer, factors, queries, { rank, damping });
      const layerNames = factors.layers.map((l) => l.name);
      const line = (r: { queryId: string; documentId: string; score: number; perNat: number; layers: Float64Array; tokens?: Float64Array }, tokenIds: readonly number[], rankInTop?: number) => ({
        queryId: r.queryId,
        documentId: r.documentId,
        ...(rankInTop !== undefined ? { rank: rankInTop } : {}),
        score: r.score,
        perNat: r.perNat,
        layers: Object.fromEntries(layerNames.map((n, k) => [n, r.layers[k]])),
        ...(r.tokens ? { tokens: Array.from(r.tokens, (s, t) => ({ token: model.tokenizer.decode([tokenIds[t]!]), score: s })) } : {}),
      });

      const writer = new AtomicJsonlWriter(o.out);
      const started = Date.now();
      let documents = 0;
      try {
        const kept = qs.map(() => [] as Array<{ row: Parameters<typeof line>[0]; tokens: readonly number[] }>);
        let chunk: Array<{ id: string; text: string }> = [];
        const flush = async () => {
          const seqs = tokenizeDocuments(model.tokenizer, chunk);
          let k = 0;
          for await (const rows of exactInfluence(engine, qs, seqs, { tokens: o.tokens, batchWindows })) {
            const tokens = seqs[k++]!.tokens;
            rows.forEach((r, qi) => {
              if (top === undefined) writer.write(line(r, tokens));
              else {
                kept[qi]!.push({ row: r, tokens });
                if (kept[qi]!.length >= 4 * top) {
                  const best = topK(kept[qi]!.map((x) => x.row.score), top);
                  kept[qi] = Array.from(best.indices, (i) => kept[qi]![i]!);
                }
              }
            });
          }
          documents += chunk.length;
          chunk = [];
        };
        for await (const d of readCorpusJsonl(o.corpus, maxDocs === undefined ? {} : { maxDocs })) {
          chunk.push(d);
          if (chunk.length >= 256) await flush();
        }
        if (chunk.length > 0) await flush();
        if (top !== undefined) {
          kept.forEach((rows) => {
            const best = topK(rows.map((x) => x.row.score), top);
            Array.from(best.indices).forEach((i, r) => writer.write(line(rows[i]!.row, rows[i]!.tokens, r + 1)));
          });
        }
        writer.commit();
      } catch (e) {
        writer.abort();
        throw e;
      }
      process.stdout.write(`${JSON.stringify({ out: o.out, queries: qs.map((q) => ({ id: q.id, nats: q.nats })), documents, seconds: (Date.now() - started) / 1000 })}\n`);
    });
}
