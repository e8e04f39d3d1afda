/**
 * Synthetic projection spaces of N documents: a corpus of N synthetic documents (each named
 * after, and with the source of, its real base document), and a projection space with the real
 * space's matrices (same model, seed and ranks, so y_q is the same) holding the replicas of the
 * real vectors (bench/retrieval/vector-replication.ts), written through the worker's own write
 * path (`IngestionService.store`: the repository's bulk upsert, in the encoding the platform
 * configures) and indexed with `IngestionService.finalize` (ensureSketchIndex + ANALYZE),
 * exactly as an ingestion ends.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Database } from '../../src/db/database.types';
import { sketchVector } from '../../src/math/projection-sketch';
import { CorpusRepository } from '../../src/repositories/corpus.repository';
import { DocumentProjectionIndexRepository } from '../../src/repositories/document-projections/document-projection-index.repository';
import { DocumentProjectionWriteRepository } from '../../src/repositories/document-projections/document-projection-write.repository';
import type { DocumentProjectionRecord } from '../../src/domain/document-projection.record';
import { DocumentRepository } from '../../src/repositories/document.repository';
import type { ProjectionSpaceRecord } from '../../src/domain/projection-space.record';
import type { Services } from '../../src/services/service-container';
import { BENCH_MODEL_NAME, BENCH_PROJECTION_SEED, type RealDocument } from './real-vectors';
import { replicaBases, replicateVectors, type ReplicationSettings } from './vector-replication';

const log = (line: string) => process.stderr.write(`bench:retrieval: ${line}\n`);
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const ROWS_PER_UPSERT = 500;

/** External id of synthetic document k. */
export const syntheticExternalId = (k: number) => `syn-${k}`;

/**
 * The synthetic corpus of at least `count` documents for these real documents and seed
 * (imported with the platform's corpus import; an existing one is extended, never redone).
 * Returns the ids of documents 0 … count−1, in order.
 */
export async function ensureSyntheticCorpus(
  db: Database,
  services: Services,
  real: readonly RealDocument[],
  count: number,
  seed: number,
  workDir: string,
): Promise<{ name: string; documentIds: Int32Array; importSeconds?: number }> {
  const name = `bench-synthetic-${real.length}-seed${seed}`;
  const corpora = new CorpusRepository(db.prisma);
  const documents = new DocumentRepository(db.sql);
  let corpus = await corpora.findByName(name);
  const have = corpus ? await documents.countInCorpus(corpus.id) : 0;
  let importSeconds: number | undefined;
  if (have < count) {
    const bases = replicaBases(count, real.length, seed);
    const file = path.join(workDir, `${name}-${count}.jsonl`);
    const lines: string[] = [];
    for (let k = have; k < count; k++) {
      const base = real[bases[k]!]!;
      lines.push(
        JSON.stringify({
          id: syntheticExternalId(k),
          text: `synthetic document ${k}: a noisy replica of ${base.externalId}`,
          source: base.source,
          metadata: { base: base.externalId },
        }),
      );
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const t0 = process.hrtime.bigint();
    await services.corpusImport.importFile(name, file);
    importSeconds = seconds(t0);
    corpus = (await corpora.findByName(name))!;
    log(`synthetic corpus ${name}: imported ${count - have} documents in ${importSeconds.toFixed(1)} s`);
  }
  const ids = new Int32Array(count);
  let n = 0;
  for (let after = 0; n < count;) {
    const page = await documents.idsInCorpus(corpus!.id, after, Math.min(10_000, count - n));
    if (page.length === 0) break;
    ids.set(page, n);
    n += page.length;
    after = page[page.length - 1]!;
  }
  if (n < count) throw new Error(`synthetic corpus ${name} holds ${n} documents, ${count} needed`);
  // ids ascend in import order, which is k order: check both ends
  const [first, last] = await services.documents.getMany([ids[0]!, ids[count - 1]!]);
  if (first?.externalId !== syntheticExternalId(0) || last?.externalId !== syntheticExternalId(count - 1)) {
    throw new Error(`synthetic corpus ${name} is not in replica order (${first?.externalId} … ${last?.externalId}); drop it or use a fresh database`);
  }
  return { name, documentIds: ids, ...(importSeconds !== undefined ? { importSeconds } : {}) };
}

export function syntheticSpaceName(n: number, realCount: number, rank: number, sketchDims: number, s: ReplicationSettings): string {
  return `synthetic-${n}-of-${realCount}-r${rank}-s${sketchDims}-noise${s.noise}-spread${s.scaleSpread}-seed${s.seed}`;
}

/** The space record (same matrices as the real space). */
export function createSyntheticSpace(services: Services, name: string, rank: number, sketchDims: number): Promise<ProjectionSpaceRecord> {
  return services.projectionSpaces.create({ modelName: BENCH_MODEL_NAME, name, outRank: rank, inRank: rank, sketchDims, seed: BENCH_PROJECTION_SEED });
}

/** How a synthetic space was filled. */
export interface SyntheticFill {
  readonly reused: boolean;
  readonly writeSeconds?: number;
  readonly vectorsPerSecond?: number;
  readonly indexSeconds?: number;
}

/**
 * Writes the first `documentIds.length` replicas into `space` (full vector, its sketch by the
 * platform's sketch rule, the base's loss and token count, ‖x'‖) with `IngestionService.store`
 * (what a worker's job calls) in 500-row calls, `concurrency` calls in flight,
 * then builds the index. A space already complete and indexed is left as it is.
 */
export async function fillSyntheticSpace(
  db: Database,
  services: Services,
  space: ProjectionSpaceRecord,
  real: readonly RealDocument[],
  documentIds: Int32Array,
  settings: ReplicationSettings,
  concurrency: number,
): Promise<SyntheticFill> {
  const repo = new DocumentProjectionWriteRepository(db.sql);
  const indexes = new DocumentProjectionIndexRepository(db.sql);
  const n = documentIds.length;
  if ((await repo.count(space.id)) === n && (await indexes.hasSketchIndex(space.id))) return { reused: true };
  // loading rows into an indexed space updates the graph row by row: load first, then index
  await indexes.dropSketchIndex(space.id);
  const runtime = await services.projectionSpaces.runtime(space.id);
  const fullVectors = real.map((r) => {
    if (!r.record.full) throw new Error(`real document ${r.externalId} has no full vector`);
    return r.record.full;
  });
  const t0 = process.hrtime.bigint();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let batch: DocumentProjectionRecord[] = [];
  let written = 0;
  let nextReport = Math.max(ROWS_PER_UPSERT, Math.floor(n / 10));
  const send = async (rows: DocumentProjectionRecord[]) => {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) throw failure;
    const p: Promise<void> = services.ingestion
      .store(space.id, rows)
      .then((count) => {
        written += count;
        if (written >= nextReport) {
          log(`  ${space.name}: ${written} / ${n} vectors written`);
          nextReport += Math.max(ROWS_PER_UPSERT, Math.floor(n / 10));
        }
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  for (const replica of replicateVectors(fullVectors, n, settings)) {
    const base = real[replica.base]!.record;
    const sketch = sketchVector(runtime.space.layout, runtime.sketch, Float64Array.from(replica.full), runtime.space.kind);
    batch.push({
      documentId: documentIds[replica.index]!,
      full: replica.full,
      sketch: Float32Array.from(sketch),
      loss: base.loss,
      tokenCount: base.tokenCount,
      gradientNorm: replica.norm,
    });
    if (batch.length === ROWS_PER_UPSERT) {
      await send(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await send(batch);
  await Promise.all(inFlight);
  if (failure) throw failure;
  const writeSeconds = seconds(t0);
  const t1 = process.hrtime.bigint();
  await services.ingestion.finalize(space);
  const indexSeconds = seconds(t1);
  log(
    `${space.name}: ${n} vectors written in ${writeSeconds.toFixed(1)} s (${(n / writeSeconds).toFixed(0)}/s), HNSW index built in ${indexSeconds.toFixed(1)} s`,
  );
  return { reused: false, writeSeconds, vectorsPerSecond: n / writeSeconds, indexSeconds };
}
