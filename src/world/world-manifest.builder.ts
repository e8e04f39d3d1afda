import { createHash } from 'node:crypto';

import { ARITHMETIC_RANGES } from './arithmetic-procedure.generator';
import { drillPools, poolOperations } from './drill-pools';
import { YEAR_RANGE } from './entity.generator';
import { LINEAR_RANGES } from './linear-equation-procedure.generator';
import { SLOPE_RANGES } from './slope-procedure.generator';
import { World } from './generated-world.types';
import { WORLD_GENERATOR_VERSION } from './world.generator';
import { WORLD_SHAPE } from './world-size.presets';
import { WORLD_SOURCES, WorldFact, WorldSource } from './world.types';

/** Per-source statistics of the corpus. */
export interface SourceMixEntry {
  documents: number;
  /** Share of the documents. */
  share: number;
  /** Text bytes (ASCII, so also byte-level tokens). */
  bytes: number;
}

/** Contents of `manifest.json`. */
export interface WorldManifest {
  generator: 'tracebase-world';
  generatorVersion: string;
  seed: number;
  size: string;
  preset: World['preset'];
  /**
   * Entity and query counts, the number ranges of each task, and the number of operations in
   * each drill pool (the same in every size).
   */
  shape: typeof WORLD_SHAPE & { ranges: Record<string, unknown>; drillPools: Record<string, number> };
  counts: {
    documents: number;
    documentsByKind: Record<string, number>;
    queries: number;
    queriesByKind: Record<string, number>;
    queriesByTask: Record<string, number>;
  };
  sourceMix: Record<WorldSource, SourceMixEntry>;
  /** Share of corpus text bytes per document kind (facts were calibrated to 25–30 %). */
  tokenShares: Record<string, number>;
  corpusBytes: number;
  facts: WorldFact[];
  files: Record<string, { bytes: number; sha256: string }>;
}

function tally(keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of keys) out[key] = (out[key] ?? 0) + 1;
  return out;
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * The manifest of a world: seed, size, counts, source mix, token shares, the facts, and the
 * size and SHA-256 of each data file. Holds no time stamp, so it is reproducible too.
 */
export function buildManifest(world: World, files: Record<string, string>): WorldManifest {
  const corpusBytes = world.documents.reduce((sum, d) => sum + d.text.length, 0);
  const sourceMix = Object.fromEntries(
    WORLD_SOURCES.map((source) => {
      const docs = world.documents.filter((d) => d.source === source);
      return [source, { documents: docs.length, share: round(docs.length / world.documents.length), bytes: docs.reduce((s, d) => s + d.text.length, 0) }];
    }),
  ) as Record<WorldSource, SourceMixEntry>;
  const bytesByKind: Record<string, number> = {};
  for (const doc of world.documents) bytesByKind[doc.metadata.kind] = (bytesByKind[doc.metadata.kind] ?? 0) + doc.text.length;
  return {
    generator: 'tracebase-world',
    generatorVersion: WORLD_GENERATOR_VERSION,
    seed: world.seed,
    size: world.size,
    preset: world.preset,
    shape: {
      ...WORLD_SHAPE,
      ranges: { 'two-step-arithmetic': ARITHMETIC_RANGES, slope: SLOPE_RANGES, 'linear-equation': LINEAR_RANGES, founded: YEAR_RANGE },
      drillPools: Object.fromEntries(drillPools().map((pool) => [pool.name, poolOperations(pool).length])),
    },
    counts: {
      documents: world.documents.length,
      documentsByKind: tally(world.documents.map((d) => d.metadata.kind)),
      queries: world.queries.length,
      queriesByKind: tally(world.queries.map((q) => q.kind)),
      queriesByTask: tally(world.queries.map((q) => `${q.kind}/${q.task}`)),
    },
    sourceMix,
    tokenShares: Object.fromEntries(Object.entries(bytesByKind).map(([k, v]) => [k, round(v / corpusBytes)])),
    corpusBytes,
    facts: world.facts,
    files: Object.fromEntries(
      Object.entries(files).map(([name, text]) => [name, { bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') }]),
    ),
  };
}
