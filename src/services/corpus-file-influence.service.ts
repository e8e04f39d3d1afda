import { GradientEngine, defaultEngineSettings } from '../engine/gradient.engine';
import type { DampingSpec } from '../math/damping';
import { readCorpusJsonl } from '../influence/corpus-jsonl.reader';
import { exactInfluence, type ExactInfluence } from '../influence/exact-influence.pipeline';
import { assertFactorsMatch, readFactorSet } from '../influence/factor-set.store';
import { FactorMismatchError } from '../influence/influence.errors';
import { trackedLayers } from '../influence/layer-tensors.adapter';
import { preconditionQueries, type QueryInput, type QueryRank } from '../influence/query-gradient.pipeline';
import { readQueriesJsonl } from '../influence/query-jsonl.reader';
import { tokenizeDocuments } from '../influence/tokenized-sequence';
import { topK } from '../math/statistics/top-k.selection';
import { loadModelDirectory } from '../model/model-directory.loader';

/** Documents tokenized and scored together (one pass of the engine over them). */
const CHUNK_DOCUMENTS = 256;

/** The queries of one run: a queries JSONL file (`id`, `prompt`, `completion` per line), or one prompt + completion (id `query`). */
export type CorpusFileQueries = { readonly file: string } | { readonly prompt: string; readonly completion: string };

/** What one `influence` run scores. Values are already parsed and checked by the caller. */
export interface CorpusFileInfluenceRequest {
  /** Model directory (HF GPT-2 layout). */
  readonly modelDir: string;
  /** Factor directory written by `factors fit` for this model. */
  readonly factorsDir: string;
  /** Corpus JSONL (`id`, `text` per line). */
  readonly corpusFile: string;
  readonly queries: CorpusFileQueries;
  /** Keep only the K most positive documents per query, ranked 1..K (undefined: every document, in corpus order). */
  readonly top?: number;
  /** Add token-wise scores τ_t (they sum to the score). */
  readonly tokens: boolean;
  /** Per-layer rank of the preconditioned query (a score argument). */
  readonly rank: QueryRank;
  /** Damping of the preconditioner (a score argument; the factors are the same whatever it is). */
  readonly damping: DampingSpec;
  /** Score the first N documents (undefined: all). */
  readonly maxDocs?: number;
  /** Context windows per engine batch. */
  readonly batchWindows: number;
  readonly device: 'cpu' | 'cuda';
  /** Intra-op threads (undefined: all cores). */
  readonly threads?: number;
}

/**
 * One output row: the influence I(q, d) = Σ_ℓ ⟨M_ℓ(q), G_ℓ(d)⟩ of document d on query q
 * (docs/design.md "Mathematics"), in nats (`score`) and per nat of the query's loss (`perNat`),
 * per tracked layer, with `rank` under `top` and token scores under `tokens`.
 */
export interface CorpusFileInfluenceRow {
  readonly queryId: string;
  readonly documentId: string;
  readonly rank?: number;
  readonly score: number;
  readonly perNat: number;
  readonly layers: Record<string, number | undefined>;
  readonly tokens?: ReadonlyArray<{ readonly token: string; readonly score: number }>;
}

/**
 * Where the rows go: written one by one, then committed once all are written, or aborted when
 * the run fails (an {@link AtomicJsonlWriter} leaves no partial file).
 */
export interface CorpusFileInfluenceSink {
  write(row: CorpusFileInfluenceRow): void;
  commit(): void;
  abort(): void;
}

/** What one run did: each query's loss in nats, the documents scored, and the seconds spent scoring them. */
export interface CorpusFileInfluenceSummary {
  readonly queries: ReadonlyArray<{ readonly id: string; readonly nats: number }>;
  readonly documents: number;
  readonly seconds: number;
}

/**
 * The user action "exact influence of every document of a corpus file on queries"
 * (`tracebase influence`). Works on files only — a model directory, a factor directory, a corpus
 * JSONL — and needs no database, so it is constructed standalone (`new CorpusFileInfluenceService()`).
 */
export class CorpusFileInfluenceService {
  /**
   * Preconditions the queries with the factors (refused unless fitted for this model, with the
   * model's layer shapes), then streams the corpus in chunks, computing every document's gradient
   * once for all queries, and writes one row per (query, document) to `sink` — or, with `top`,
   * each query's K best, ranked. Commits the sink when done; aborts it on any error and rethrows.
   */
  async score(request: CorpusFileInfluenceRequest, sink: CorpusFileInfluenceSink): Promise<CorpusFileInfluenceSummary> {
    try {
      const { top } = request;
      const queries: QueryInput[] =
        'file' in request.queries
          ? readQueriesJsonl(request.queries.file)
          : [{ id: 'query', prompt: request.queries.prompt, completion: request.queries.completion }];
      const model = loadModelDirectory(request.modelDir);
      const { factors, provenance } = readFactorSet(request.factorsDir);
      assertFactorsMatch(provenance, { modelHash: model.hash }, request.factorsDir);
      const shapes = trackedLayers(model, provenance.arguments.layers);
      shapes.forEach((s, k) => {
        const f = factors.layers[k]!;
        if (f.name !== s.name || f.rows !== s.rows || f.cols !== s.cols)
          throw new FactorMismatchError(
            `factors in ${request.factorsDir}: layer ${f.name} is ${f.rows}×${f.cols}, the model's ${s.name} is ${s.rows}×${s.cols}`,
            { layer: f.name },
          );
      });
      const engine = new GradientEngine(
        model,
        defaultEngineSettings({ device: request.device, ...(request.threads ? { intraOpThreads: request.threads } : {}) }),
      );
      const qs = await preconditionQueries(engine, model.tokenizer, factors, queries, { rank: request.rank, damping: request.damping });
      const layerNames = factors.layers.map((l) => l.name);
      const row = (r: ExactInfluence, tokenIds: readonly number[], rankInTop?: number): CorpusFileInfluenceRow => ({
        queryId: r.queryId,
        documentId: r.documentId,
        ...(rankInTop !== undefined ? { rank: rankInTop } : {}),
        score: r.score,
        perNat: r.perNat,
        layers: Object.fromEntries(layerNames.map((n, k) => [n, r.layers[k]])),
        ...(r.tokens ? { tokens: Array.from(r.tokens, (s, t) => ({ token: model.tokenizer.decode([tokenIds[t]!]), score: s })) } : {}),
      });

      const started = Date.now();
      let documents = 0;
      const kept = qs.map(() => [] as Array<{ row: ExactInfluence; tokens: readonly number[] }>);
      let chunk: Array<{ id: string; text: string }> = [];
      const flush = async () => {
        const seqs = tokenizeDocuments(model.tokenizer, chunk);
        let k = 0;
        for await (const rows of exactInfluence(engine, qs, seqs, { tokens: request.tokens, batchWindows: request.batchWindows })) {
          const tokens = seqs[k++]!.tokens;
          rows.forEach((r, qi) => {
            if (top === undefined) sink.write(row(r, tokens));
            else {
              kept[qi]!.push({ row: r, tokens });
              if (kept[qi]!.length >= 4 * top) {
                const best = topK(
                  kept[qi]!.map((x) => x.row.score),
                  top,
                );
                kept[qi] = Array.from(best.indices, (i) => kept[qi]![i]!);
              }
            }
          });
        }
        documents += chunk.length;
        chunk = [];
      };
      for await (const d of readCorpusJsonl(request.corpusFile, request.maxDocs === undefined ? {} : { maxDocs: request.maxDocs })) {
        chunk.push(d);
        if (chunk.length >= CHUNK_DOCUMENTS) await flush();
      }
      if (chunk.length > 0) await flush();
      if (top !== undefined) {
        kept.forEach((rows) => {
          const best = topK(
            rows.map((x) => x.row.score),
            top,
          );
          Array.from(best.indices).forEach((i, r) => sink.write(row(rows[i]!.row, rows[i]!.tokens, r + 1)));
        });
      }
      sink.commit();
      return { queries: qs.map((q) => ({ id: q.id, nats: q.nats })), documents, seconds: (Date.now() - started) / 1000 };
    } catch (e) {
      sink.abort();
      throw e;
    }
  }
}
