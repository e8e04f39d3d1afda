import { WorldSource } from './world.types';

/** A named size of the world. The world's facts and queries are the same in every size. */
export interface WorldSizePreset {
  name: string;
  description: string;
  /** Total number of corpus documents. */
  documents: number;
  /** Share of the documents per source; sums to 1. Filler tops each source up to its share. */
  sourceShares: Record<WorldSource, number>;
  /** Documents written for each fact (a wiki entry about a country states both its facts). */
  documentsPerFact: number;
  /** Documents per reasoning task and procedure format. */
  documentsPerTaskFormat: number;
  /** Documents of each control task (`largest-number`, `reading`). */
  documentsPerControlTask: number;
  /**
   * Passes of arithmetic drills: each pass lists every operation of every drill pool once, in
   * drill documents of 6–12 operations (about 250 documents per pass). A fractional part writes
   * that share of the next pass's documents.
   */
  drillPasses: number;
}

/**
 * The demo's mix. math_and_trivia holds the worked and problem procedures, the trivia lines and
 * most drills, so it gets two points more than in world 1.0 and webdata two fewer.
 */
const DEMO_SOURCE_SHARES: Record<WorldSource, number> = {
  wiki: 0.14,
  math_and_trivia: 0.15,
  stackexchange: 0.09,
  code: 0.14,
  arxiv_markdown: 0.1,
  webdata: 0.2,
  general_knowledge: 0.18,
};

/**
 * The full world's mix: math_and_trivia takes a fifth of the documents, for its procedures,
 * trivia lines and two thirds of the drills (the drills are 2 450 documents; the other sources
 * keep about the document counts of world 1.1.0).
 */
const FULL_SOURCE_SHARES: Record<WorldSource, number> = {
  wiki: 0.13,
  math_and_trivia: 0.2,
  stackexchange: 0.08,
  code: 0.13,
  arxiv_markdown: 0.09,
  webdata: 0.2,
  general_knowledge: 0.17,
};

/**
 * The size presets. `demo` is small enough for the whole influence pipeline to run in minutes
 * on two CPUs; `full` is for the replication and for training the reference model. Document
 * slots are generated from their own random streams, so every `demo` document is also, byte
 * for byte and with the same id, a `full` document.
 */
export const WORLD_SIZE_PRESETS = {
  demo: {
    name: 'demo',
    description: 'a few thousand short documents, for the README demo and tests',
    documents: 2500,
    sourceShares: DEMO_SOURCE_SHARES,
    documentsPerFact: 12,
    documentsPerTaskFormat: 20,
    documentsPerControlTask: 20,
    drillPasses: 0.5,
  },
  full: {
    name: 'full',
    description: 'tens of thousands of documents, for the replication and the reference model',
    documents: 27000,
    sourceShares: FULL_SOURCE_SHARES,
    documentsPerFact: 120,
    documentsPerTaskFormat: 350,
    documentsPerControlTask: 150,
    drillPasses: 10,
  },
} as const satisfies Record<string, WorldSizePreset>;

/** Name of a size preset. */
export type WorldSizeName = keyof typeof WORLD_SIZE_PRESETS;

/**
 * Size-independent shape of the world: entity counts and query counts (the paper's: 40 factual,
 * 20 per reasoning task, 10 + 10 controls).
 */
export const WORLD_SHAPE = {
  countries: 20,
  inventions: 20,
  elements: 20,
  /** Factual queries per relation (capital, founded, inventor, symbol): 4 × 10 = 40. */
  factualQueriesPerRelation: 10,
  reasoningQueriesPerTask: 20,
  factualControls: 10,
  reasoningControls: 10,
  /** No answer value may be used by more than this many queries of one reasoning task. */
  maxQueriesPerAnswer: 2,
} as const;

/**
 * Exact document count per source for a preset: the shares rounded by largest remainder so that
 * the counts sum to `documents`.
 */
export function sourceTargets(preset: WorldSizePreset): Record<WorldSource, number> {
  const entries = Object.entries(preset.sourceShares) as [WorldSource, number][];
  const raw = entries.map(([source, share]) => ({ source, exact: share * preset.documents }));
  const counts = raw.map((r) => ({ ...r, count: Math.floor(r.exact) }));
  let left = preset.documents - counts.reduce((s, c) => s + c.count, 0);
  const order = counts
    .map((c, i) => ({ i, rem: c.exact - c.count }))
    .sort((x, y) => y.rem - x.rem || x.i - y.i);
  for (const { i } of order) {
    if (left <= 0) break;
    (counts[i] as { count: number }).count += 1;
    left -= 1;
  }
  return Object.fromEntries(counts.map((c) => [c.source, c.count])) as Record<WorldSource, number>;
}
