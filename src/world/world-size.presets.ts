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
}

const SOURCE_SHARES: Record<WorldSource, number> = {
  wiki: 0.14,
  math_and_trivia: 0.13,
  stackexchange: 0.09,
  code: 0.14,
  arxiv_markdown: 0.1,
  webdata: 0.22,
  general_knowledge: 0.18,
};

/**
 * The full world's mix: two points more math_and_trivia and two fewer webdata than the demo, so
 * that the larger procedure and fact counts fit in the math_and_trivia source.
 */
const FULL_SOURCE_SHARES: Record<WorldSource, number> = { ...SOURCE_SHARES, math_and_trivia: 0.15, webdata: 0.2 };

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
    sourceShares: SOURCE_SHARES,
    documentsPerFact: 12,
    documentsPerTaskFormat: 20,
    documentsPerControlTask: 20,
  },
  full: {
    name: 'full',
    description: 'tens of thousands of documents, for the replication and the reference model',
    documents: 25000,
    sourceShares: FULL_SOURCE_SHARES,
    documentsPerFact: 120,
    documentsPerTaskFormat: 350,
    documentsPerControlTask: 150,
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
