/**
 * Write-path micro-benchmark (a script, not a test): `npx tsx bench/ingest-write.bench.ts [options]`.
 *
 * Measures how fast `DocumentProjectionWriteRepository.upsertMany` stores projection rows (a `vector`
 * full projection and a `halfvec` sketch per row) on embedded PGlite and, when DATABASE_URL is
 * set, on Postgres, in each vector encoding the back-end takes (`text`: pgvector's text input
 * with 9-digit float32 literals; `binary`: pgvector's binary input, node-postgres only), at
 * job-sized and 500-row calls. Alongside, the client-side cost of preparing one vector
 * parameter: the text literal as written before (`String(x)`, the shortest double
 * representation), the text literal now (`toVectorLiteral`) and the binary form
 * (`toVectorBinary`).
 *
 * Options: --rows N (rows per run, default 1024), --full-dims N (default 512), --sketch-dims N
 * (default 512), --runs N (default 3), --rows-per-call a,b (default 32,500), --json FILE.
 * Prints a JSON report of medians.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';

import type { DatabaseKind } from '../src/db/database.types';
import { applyMigrations } from '../src/db/migration-runner';
import { Mulberry32 } from '../src/math/seeded-random';
import { DocumentProjectionWriteRepository } from '../src/repositories/document-projections/document-projection-write.repository';
import type { DocumentProjectionRecord } from '../src/domain/document-projection.record';
import { toVectorBinary, toVectorLiteral, type VectorEncoding } from '../src/repositories/vector-sql';
import { createScratchDatabase } from '../test/support/test-database';
import { flag, intFlag } from './bench-flags';

const rows = intFlag('rows', 1024);
const fullDims = intFlag('full-dims', 512);
const sketchDims = intFlag('sketch-dims', 512);
const runs = intFlag('runs', 3);
const rowsPerCall = (flag('rows-per-call') ?? '32,500').split(',').map((x) => {
  const n = Number(x);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--rows-per-call takes positive integers, got ${x}`);
  return n;
});

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 3) => Number(x.toPrecision(digits));
const log = (line: string) => process.stderr.write(`bench:ingest-write: ${line}\n`);

/** The text literal as the repository wrote it before: each element's shortest double representation. */
function shortestDoubleLiteral(values: Float32Array): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = String(values[i]);
  return `[${parts.join(',')}]`;
}

/** Microseconds to prepare one vector parameter of each kind (median of `runs`). */
function formattingCost(vectors: readonly Float32Array[]): Record<string, number> {
  const kinds: [string, (v: Float32Array) => unknown][] = [
    ['textShortestDouble', shortestDoubleLiteral],
    ['text9Digits', (v) => toVectorLiteral(v, 'vector', 'v')],
    ['binary', (v) => toVectorBinary(v, 'vector', 'v')],
  ];
  const out: Record<string, number> = {};
  for (const [name, f] of kinds) {
    const times: number[] = [];
    for (let r = 0; r < runs + 1; r++) {
      const t = process.hrtime.bigint();
      for (const v of vectors) f(v);
      if (r > 0) times.push((seconds(t) / vectors.length) * 1e6); // the first run warms up
    }
    out[`${name}MicrosecondsPerVector`] = round(median(times));
  }
  return out;
}

async function backEnd(kind: DatabaseKind, records: (ids: number[]) => DocumentProjectionRecord[]): Promise<Record<string, unknown>[]> {
  const scratch = await createScratchDatabase(kind);
  try {
    await applyMigrations(scratch.db.sql);
    const { prisma } = scratch.db;
    const model = await prisma.model.create({
      data: { name: 'bench', hash: 'h', path: '/m', config: {}, trackedLayers: ['h.0.mlp.c_fc'], parameterCount: 1n },
    });
    const corpus = await prisma.corpus.create({ data: { name: 'bench' } });
    await prisma.document.createMany({
      data: Array.from({ length: rows }, (_, i) => ({
        corpusId: corpus.id,
        externalId: `d${i}`,
        text: `t${i}`,
        contentHash: i.toString(16).padStart(64, '0'),
      })),
    });
    const ids = (await prisma.document.findMany({ orderBy: { id: 'asc' }, select: { id: true } })).map((d) => d.id);
    const data = records(ids);
    let spaces = 0;
    const encodings: VectorEncoding[] = kind === 'postgres' ? ['text', 'binary'] : ['text'];
    const out: Record<string, unknown>[] = [];
    for (const perCall of rowsPerCall) {
      const rates = new Map<VectorEncoding, number[]>(encodings.map((e) => [e, []]));
      for (let run = 0; run < runs; run++) {
        // encodings alternate within a run, so that load changes on the machine hit both alike
        for (const encoding of encodings) {
          const space = await prisma.projectionSpace.create({
            data: { modelId: model.id, name: `s${spaces++}`, kind: 'RANDOM_GAUSSIAN', seed: 1, layerRanks: [], fullDims, sketchDims },
          });
          const repo = new DocumentProjectionWriteRepository(scratch.db.sql, undefined, encoding);
          const t = process.hrtime.bigint();
          for (let i = 0; i < data.length; i += perCall) await repo.upsertMany(space.id, data.slice(i, i + perCall));
          rates.get(encoding)!.push(data.length / seconds(t));
        }
      }
      for (const [encoding, r] of rates) {
        const row = { backEnd: kind, encoding, rowsPerCall: perCall, medianVectorsPerSecond: round(median(r)), runs: r.map((x) => round(x)) };
        log(JSON.stringify(row));
        out.push(row);
      }
    }
    return out;
  } finally {
    await scratch.drop();
  }
}

async function main(): Promise<void> {
  const rng = new Mulberry32(3);
  const vector = (n: number) => Float32Array.from({ length: n }, () => rng.normal() * 1e-2);
  const records = (ids: number[]): DocumentProjectionRecord[] =>
    ids.map((documentId) => ({ documentId, full: vector(fullDims), sketch: vector(sketchDims), loss: 100 * rng.next(), tokenCount: 100, gradientNorm: 1 }));
  const formatting = formattingCost(Array.from({ length: 256 }, () => vector(fullDims)));
  log(`formatting: ${JSON.stringify(formatting)}`);
  const writes = await backEnd('pglite', records);
  if (process.env.DATABASE_URL) writes.push(...(await backEnd('postgres', records)));
  else log('DATABASE_URL is not set: Postgres skipped');
  const report = { rows, fullDims, sketchDims, runs, loadAverage: loadavg().map((x) => round(x)), formatting: { dims: fullDims, ...formatting }, writes };
  const text = `${JSON.stringify(report, null, 2)}\n`;
  process.stdout.write(text);
  const out = flag('json');
  if (out) writeFileSync(out, text);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:ingest-write failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
