/**
 * Recall and latency of one projection space, through the code the API runs:
 *
 * - truth: exact top-k by the full inner product ⟨y_q, x_d⟩ over every document
 *   (`DocumentProjectionSearchRepository.searchInnerProduct` on the full column: a scan), timed as
 *   the brute-force baseline;
 * - exact top-k over the halfvec sketches (the same statement with index scans off;
 *   bench-only-sql.ts): what a perfect index on the sketch would return;
 * - ANN and RERANKED: `InfluenceSearchService.topInfluences` (what `query.topInfluences`
 *   resolves to) with mode ANN / RERANKED, k, sign POSITIVE, for each ef_search of the sweep and
 *   for the service's own default ef_search, with the ranking cache off (every call searches).
 *
 * Latencies are wall-clock milliseconds around each call in this process (so they include the
 * round trips to Postgres); each query is run once untimed first. Timed passes interleave the
 * modes query by query, so that drifting machine load hits them alike. Above
 * {@link LARGE_SPACE} documents the brute-force scans get one timed pass (one sample per query).
 */
import type { Database } from '../../src/db/database.types';
import { DocumentProjectionSearchRepository } from '../../src/repositories/document-projections/document-projection-search.repository';
import { DocumentProjectionWriteRepository } from '../../src/repositories/document-projections/document-projection-write.repository';
import type { ProjectionSpaceRecord } from '../../src/domain/projection-space.record';
import { type QueryProjectionRow, QueryVectorRepository } from '../../src/repositories/query-vector.repository';
import type { Services } from '../../src/services/service-container';
import { bruteForceSketchSearch, explainFullScan, spaceGradientNorms } from './bench-only-sql';
import type { BenchQuery } from './real-vectors';
import { latencySummary, type LatencySummary, normProfile, percentile, recallAtK, recallSummary, shareAtOrAbove } from './retrieval-metrics';

/** One ef_search setting's results. */
export interface SweepRow {
  /** hnsw.ef_search given to the service, or null: the service's own default. */
  readonly efSearch: number | null;
  readonly annRecall: { mean: number; min: number };
  /** ANN vs the exact sketch top-k: what the HNSW graph alone loses. */
  readonly annRecallVsSketchExact: { mean: number; min: number };
  readonly rerankedRecall: { mean: number; min: number };
  readonly annLatencyMs: LatencySummary;
  readonly rerankedLatencyMs: LatencySummary;
  /** Candidates the ANN stage returned to the rerank (mean over queries). */
  readonly rerankedCandidates: number;
  /** brute-force full p50 / RERANKED p50. */
  readonly speedup: number;
}

export interface SpaceMeasurement {
  readonly space: string;
  readonly documents: number;
  readonly fullDims: number;
  readonly sketchDims: number;
  readonly queries: number;
  readonly k: number;
  readonly bruteForceFullMs: LatencySummary;
  readonly bruteForceSketchMs: LatencySummary;
  /** Exact sketch top-k vs the truth: the best recall an index on the sketch can give before the rerank. */
  readonly sketchExactRecall: { mean: number; min: number };
  readonly norms: { median: number; p90: number; p99: number; maxOverMedian: number };
  /** Share of the truth's top-k from the 10 % of documents with the largest ‖x_d‖ (mean over queries). */
  readonly truthShareFromTopDecileNorms: number;
  /** Whether the brute-force scan's plan is parallel (Gather). */
  readonly bruteForceParallel: boolean;
  readonly sweep: SweepRow[];
}

/** Spaces above this many documents get one timed brute-force pass (see measureSpace). */
export const LARGE_SPACE = 200_000;

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const ids = (hits: readonly { documentId: number }[]) => hits.map((h) => h.documentId);

export async function measureSpace(
  db: Database,
  services: Services,
  space: ProjectionSpaceRecord,
  factorSetId: number,
  queries: readonly BenchQuery[],
  options: { k: number; efSearch: readonly number[]; repeats: number; log: (line: string) => void },
): Promise<SpaceMeasurement> {
  const { k, repeats } = options;
  const repo = new DocumentProjectionWriteRepository(db.sql);
  const searches = new DocumentProjectionSearchRepository(db.sql);
  const vectors = new QueryVectorRepository(db.sql);
  const documents = await repo.count(space.id);
  const y: QueryProjectionRow[] = [];
  for (const q of queries) {
    const g = (await vectors.findGradient(q.queryId, factorSetId))!;
    const p = await vectors.findProjection(g.id, space.id);
    if (!p) throw new Error(`query ${q.externalId} has no vector in space ${space.name}`);
    y.push(p);
  }
  const search = (q: BenchQuery, mode: 'ANN' | 'RERANKED', efSearch: number | null) =>
    services.influenceSearch.rankByIds({
      queryId: q.queryId,
      factorSetId,
      spaceId: space.id,
      k,
      sign: 'POSITIVE',
      mode,
      useCache: false,
      ...(efSearch !== null ? { efSearch } : {}),
    });
  const fullScan = (i: number) => searches.searchInnerProduct({ spaceId: space.id, query: y[i]!.full, column: 'full', k });
  const sketchScan = (i: number) => bruteForceSketchSearch(db.sql, space.id, y[i]!.sketch, k);

  // Above this size a full scan takes many seconds: the brute-force baselines are warmed with one
  // query and timed in one pass (still one sample per query).
  const large = documents > LARGE_SPACE;
  // warm-up: caches of the service (space runtime, factor set) and of Postgres (pages)
  for (let i = 0; i < queries.length; i++) {
    if (i === 0 || !large) await fullScan(i);
    await search(queries[i]!, 'RERANKED', null);
  }

  const truth: number[][] = [];
  const sketchExact: number[][] = [];
  const fullMs: number[] = [];
  const sketchMs: number[] = [];
  for (let rep = 0; rep < (large ? 1 : repeats); rep++) {
    for (let i = 0; i < queries.length; i++) {
      let t0 = process.hrtime.bigint();
      const exact = await fullScan(i);
      fullMs.push(ms(t0));
      t0 = process.hrtime.bigint();
      const exactSketch = await sketchScan(i);
      sketchMs.push(ms(t0));
      if (rep === 0) {
        truth.push(ids(exact));
        sketchExact.push(ids(exactSketch));
      }
    }
  }
  const bruteForceFullMs = latencySummary(fullMs);
  const plan = await explainFullScan(db.sql, space.id, y[0]!.full, k);

  const normOf = await spaceGradientNorms(db.sql, space.id);
  const allNorms = [...normOf.values()];
  const p90 = percentile(allNorms, 90);
  const truthShare = truth.map((t) => shareAtOrAbove(t, normOf, p90));

  const sweep: SweepRow[] = [];
  for (const ef of [null, ...options.efSearch]) {
    const annMs: number[] = [];
    const rerankedMs: number[] = [];
    const annRecall: number[] = [];
    const annVsSketch: number[] = [];
    const rerankedRecall: number[] = [];
    let candidates = 0;
    for (let rep = 0; rep < repeats; rep++) {
      for (let i = 0; i < queries.length; i++) {
        let t0 = process.hrtime.bigint();
        const ann = await search(queries[i]!, 'ANN', ef);
        annMs.push(ms(t0));
        t0 = process.hrtime.bigint();
        const reranked = await search(queries[i]!, 'RERANKED', ef);
        rerankedMs.push(ms(t0));
        if (rep === 0) {
          const annIds = ann.hits.map((h) => h.documentId);
          annRecall.push(recallAtK(annIds, truth[i]!, k));
          annVsSketch.push(recallAtK(annIds, sketchExact[i]!, k));
          rerankedRecall.push(
            recallAtK(
              reranked.hits.map((h) => h.documentId),
              truth[i]!,
              k,
            ),
          );
          candidates += reranked.candidates;
        }
      }
    }
    const row: SweepRow = {
      efSearch: ef,
      annRecall: recallSummary(annRecall),
      annRecallVsSketchExact: recallSummary(annVsSketch),
      rerankedRecall: recallSummary(rerankedRecall),
      annLatencyMs: latencySummary(annMs),
      rerankedLatencyMs: latencySummary(rerankedMs),
      rerankedCandidates: candidates / queries.length,
      speedup: bruteForceFullMs.p50 / percentile(rerankedMs, 50),
    };
    options.log(
      `  ${space.name} ef ${ef ?? 'default'}: ANN recall ${row.annRecall.mean.toFixed(3)}, RERANKED recall ${row.rerankedRecall.mean.toFixed(3)}, ` +
        `RERANKED p50 ${row.rerankedLatencyMs.p50.toFixed(1)} ms, brute force p50 ${bruteForceFullMs.p50.toFixed(1)} ms`,
    );
    sweep.push(row);
  }
  return {
    space: space.name,
    documents,
    fullDims: space.fullDims,
    sketchDims: space.sketchDims,
    queries: queries.length,
    k,
    bruteForceFullMs,
    bruteForceSketchMs: latencySummary(sketchMs),
    sketchExactRecall: recallSummary(sketchExact.map((s, i) => recallAtK(s, truth[i]!, k))),
    norms: normProfile(allNorms),
    truthShareFromTopDecileNorms: truthShare.reduce((a, b) => a + b, 0) / truthShare.length,
    bruteForceParallel: /Gather/.test(plan),
    sweep,
  };
}
