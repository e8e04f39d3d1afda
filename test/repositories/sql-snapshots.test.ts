import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { TransactionalSqlClient } from '../../src/db/database.types';
import { DocumentProjectionAnalyticsRepository } from '../../src/repositories/document-projections/document-projection-analytics.repository';
import { DocumentProjectionIndexRepository } from '../../src/repositories/document-projections/document-projection-index.repository';
import { DocumentProjectionSearchRepository } from '../../src/repositories/document-projections/document-projection-search.repository';
import { DocumentProjectionWriteRepository } from '../../src/repositories/document-projections/document-projection-write.repository';
import type { DocumentProjectionRecord } from '../../src/domain/document-projection.record';
import { InfluenceScoreRepository } from '../../src/repositories/influence-score.repository';
import { QueryVectorRepository } from '../../src/repositories/query-vector.repository';
import { formatSnapshot, recordingSqlClient } from './sql-recorder';

/**
 * Reviewed SQL: every statement that touches a vector column (searches, the reranked search,
 * writes, index DDL, the whitened search basis, whole-space analytics) is generated here on a
 * recording executor and compared with its committed file under test/repositories/sql/, so that a
 * change to a statement shows in review. With UPDATE_SQL_SNAPSHOTS=1 the files are rewritten
 * (and files of removed cases deleted) instead; nothing is ever written otherwise, CI included.
 */
const SNAPSHOT_DIR = path.join(__dirname, 'sql');
const UPDATE = process.env.UPDATE_SQL_SNAPSHOTS === '1';

const SPACE = 7;
const SKETCH_DIMS = 8;
const FULL_DIMS = 16;
/** Deterministic vectors: only their dimension appears in a snapshot. */
const vector = (n: number, at = 1) => Float32Array.from({ length: n }, (_, i) => (i + at) / n);
const record = (documentId: number): DocumentProjectionRecord => ({
  documentId,
  sketch: vector(SKETCH_DIMS, documentId),
  full: vector(FULL_DIMS, documentId),
  loss: 2.5,
  tokenCount: 12,
  gradientNorm: 1.5,
});

interface SnapshotCase {
  /** File name without `.sql`. */
  readonly file: string;
  readonly title: string;
  readonly run: (sql: TransactionalSqlClient) => Promise<unknown>;
}

const sketchSearch = { spaceId: SPACE, query: vector(SKETCH_DIMS), column: 'sketch', k: 100, efSearch: 200, iterativeScan: true } as const;

const CASES: SnapshotCase[] = [
  // writes
  {
    file: 'write-upsert-many-text',
    title: 'DocumentProjectionWriteRepository.upsertMany: 3 rows, 2 per statement, text vectors (PGlite)',
    run: (sql) => new DocumentProjectionWriteRepository(sql, 2, 'text').upsertMany(SPACE, [record(1), record(2), record(3)]),
  },
  {
    file: 'write-upsert-many-binary',
    title: 'DocumentProjectionWriteRepository.upsertMany: 2 rows, binary vectors (Postgres)',
    run: (sql) => new DocumentProjectionWriteRepository(sql, 500, 'binary').upsertMany(SPACE, [record(1), record(2)]),
  },
  {
    file: 'write-find-by-documents',
    title: 'DocumentProjectionWriteRepository.findByDocuments',
    run: (sql) => new DocumentProjectionWriteRepository(sql).findByDocuments(SPACE, [1, 2, 3]),
  },
  { file: 'write-count', title: 'DocumentProjectionWriteRepository.count', run: (sql) => new DocumentProjectionWriteRepository(sql).count(SPACE) },
  { file: 'write-has-any', title: 'DocumentProjectionWriteRepository.hasAny', run: (sql) => new DocumentProjectionWriteRepository(sql).hasAny(SPACE) },
  // index DDL and the whitened search basis
  {
    file: 'index-ensure-raw',
    title: 'DocumentProjectionIndexRepository.ensureSketchIndex on the raw sketches',
    run: (sql) => new DocumentProjectionIndexRepository(sql).ensureSketchIndex(SPACE, SKETCH_DIMS),
  },
  {
    file: 'index-ensure-whitened',
    title: 'DocumentProjectionIndexRepository.ensureSketchIndex on the whitened sketches (search_sketch)',
    run: (sql) => new DocumentProjectionIndexRepository(sql).ensureSketchIndex(SPACE, SKETCH_DIMS, { whitened: true }),
  },
  {
    file: 'index-drop',
    title: 'DocumentProjectionIndexRepository.dropSketchIndex',
    run: (sql) => new DocumentProjectionIndexRepository(sql).dropSketchIndex(SPACE),
  },
  {
    file: 'index-has',
    title: 'DocumentProjectionIndexRepository.hasSketchIndex',
    run: (sql) => new DocumentProjectionIndexRepository(sql).hasSketchIndex(SPACE),
  },
  {
    file: 'index-sample-sketches',
    title: 'DocumentProjectionIndexRepository.sampleSketches',
    run: (sql) => new DocumentProjectionIndexRepository(sql).sampleSketches(SPACE, 8192),
  },
  {
    file: 'index-sketches-without-search-sketch',
    title: 'DocumentProjectionIndexRepository.sketchesWithoutSearchSketch',
    run: (sql) => new DocumentProjectionIndexRepository(sql).sketchesWithoutSearchSketch(SPACE, 0, 1000),
  },
  {
    file: 'index-set-search-sketches',
    title: 'DocumentProjectionIndexRepository.setSearchSketches: 2 whitened sketches',
    run: (sql) =>
      new DocumentProjectionIndexRepository(sql).setSearchSketches(SPACE, [
        { documentId: 1, vector: vector(SKETCH_DIMS) },
        { documentId: 2, vector: vector(SKETCH_DIMS, 2) },
      ]),
  },
  {
    file: 'index-has-missing-search-sketches',
    title: 'DocumentProjectionIndexRepository.hasMissingSearchSketches',
    run: (sql) => new DocumentProjectionIndexRepository(sql).hasMissingSearchSketches(SPACE),
  },
  // searches
  {
    file: 'search-sketch',
    title: 'DocumentProjectionSearchRepository.searchInnerProduct on the raw sketches (HNSW), ef_search and iterative scan',
    run: (sql) => new DocumentProjectionSearchRepository(sql).searchInnerProduct(sketchSearch),
  },
  {
    file: 'search-sketch-normalized',
    title: 'DocumentProjectionSearchRepository.searchInnerProduct by <q, x/|x|> on the raw sketches (normalised HNSW index)',
    run: (sql) => new DocumentProjectionSearchRepository(sql).searchInnerProduct({ ...sketchSearch, normalized: true }),
  },
  {
    file: 'search-whitened-ascending',
    title: 'DocumentProjectionSearchRepository.searchInnerProduct on the whitened sketches, most negative first',
    run: (sql) => new DocumentProjectionSearchRepository(sql).searchInnerProduct({ ...sketchSearch, column: 'search', ascending: true }),
  },
  {
    file: 'search-full-exact',
    title: 'DocumentProjectionSearchRepository.searchInnerProduct on the full vectors (exact scan, no HNSW settings)',
    run: (sql) => new DocumentProjectionSearchRepository(sql).searchInnerProduct({ spaceId: SPACE, query: vector(FULL_DIMS), column: 'full', k: 10 }),
  },
  {
    file: 'search-reranked',
    title: 'DocumentProjectionSearchRepository.searchReranked: whitened HNSW candidates reranked by <y, x_d>',
    run: (sql) =>
      new DocumentProjectionSearchRepository(sql).searchReranked(
        { ...sketchSearch, column: 'search' },
        { query: vector(FULL_DIMS), k: 10, ascending: false, by: 'score' },
      ),
  },
  {
    file: 'search-reranked-normalized',
    title: 'DocumentProjectionSearchRepository.searchReranked: normalised HNSW candidates reranked by <y, x_d> / |x_d|, most negative first',
    run: (sql) =>
      new DocumentProjectionSearchRepository(sql).searchReranked(
        { ...sketchSearch, normalized: true, ascending: true },
        { query: vector(FULL_DIMS), k: 10, ascending: true, by: 'normalized' },
      ),
  },
  {
    file: 'search-explain-reranked',
    title: 'DocumentProjectionSearchRepository.explainSketchSearch of the reranked statement, priced as on a large table',
    run: (sql) => new DocumentProjectionSearchRepository(sql).explainSketchSearch(SPACE, vector(SKETCH_DIMS), 10, true, false, FULL_DIMS),
  },
  // whole-space analytics
  {
    file: 'analytics-score-all',
    title: 'DocumentProjectionAnalyticsRepository.scoreAll',
    run: (sql) => new DocumentProjectionAnalyticsRepository(sql).scoreAll(SPACE, vector(FULL_DIMS), 5000),
  },
  {
    file: 'analytics-layer-score-sums',
    title: 'DocumentProjectionAnalyticsRepository.layerScoreSums: two layer blocks',
    run: (sql) =>
      new DocumentProjectionAnalyticsRepository(sql).layerScoreSums(SPACE, FULL_DIMS, [
        { offset: 0, query: vector(4) },
        { offset: 4, query: vector(12) },
      ]),
  },
  {
    file: 'influence-score-cache-projected-chunk',
    title: 'InfluenceScoreRepository.cacheProjectedChunk: <y_q, x_d> of a chunk of a space',
    run: (sql) =>
      new InfluenceScoreRepository(sql).cacheProjectedChunk({
        queryId: 3,
        factorSetId: 2,
        spaceId: SPACE,
        fullDims: FULL_DIMS,
        afterDocumentId: 0,
        limit: 5000,
      }),
  },
  // query vectors
  {
    file: 'query-vector-save',
    title: 'QueryVectorRepository.save: a query gradient and its projection in one space',
    run: (sql) =>
      new QueryVectorRepository(sql).save({
        queryId: 3,
        factorSetId: 2,
        damping: 'relative:0.1',
        nats: 4.5,
        tokenCount: 9,
        rank: 1,
        factors: Buffer.alloc(8),
        layout: [],
        projections: [{ spaceId: SPACE, sketch: vector(SKETCH_DIMS), full: vector(FULL_DIMS) }],
      }),
  },
  {
    file: 'query-vector-find-projection',
    title: 'QueryVectorRepository.findProjection',
    run: (sql) => new QueryVectorRepository(sql).findProjection(5, SPACE),
  },
];

/** Runs one case on a recording executor: the snapshot text it produces. */
async function generate(c: SnapshotCase): Promise<string> {
  // query-vector save reads the inserted id back
  const { sql, statements } = recordingSqlClient((text) => (text.includes('RETURNING id') ? [{ id: 5 }] : []));
  await c.run(sql);
  return formatSnapshot(c.title, statements);
}

describe('SQL snapshots of the vector statements (test/repositories/sql/)', () => {
  it('has one case per file name', () => {
    expect(new Set(CASES.map((c) => c.file)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.file, c] as const))('%s.sql is the SQL the repository sends', async (file, c) => {
    const actual = await generate(c);
    const target = path.join(SNAPSHOT_DIR, `${file}.sql`);
    if (UPDATE) {
      mkdirSync(SNAPSHOT_DIR, { recursive: true });
      writeFileSync(target, actual);
      return;
    }
    if (!existsSync(target)) {
      throw new Error(
        `no committed snapshot ${path.relative(process.cwd(), target)}: run UPDATE_SQL_SNAPSHOTS=1 npm test -- test/repositories/sql-snapshots.test.ts and commit it`,
      );
    }
    // a difference here is a change to a statement: review it, then regenerate (docs/database.md)
    expect(actual).toBe(readFileSync(target, 'utf8'));
  });

  it('keeps no snapshot file without a case', () => {
    const files = existsSync(SNAPSHOT_DIR) ? readdirSync(SNAPSHOT_DIR).filter((f) => f.endsWith('.sql')) : [];
    const known = new Set(CASES.map((c) => `${c.file}.sql`));
    const stale = files.filter((f) => !known.has(f));
    if (UPDATE) {
      for (const f of stale) unlinkSync(path.join(SNAPSHOT_DIR, f));
      return;
    }
    expect(stale).toEqual([]);
  });
});
