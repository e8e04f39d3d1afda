import { buildManifest } from './world-manifest.builder';
import { World } from './generated-world.types';

/** File names of a world directory; the manifest is written last and marks a complete world. */
export const WORLD_FILES = { corpus: 'corpus.jsonl', queries: 'queries.jsonl', manifest: 'manifest.json' } as const;

/** Text of JSON Lines: one compact JSON value per line, each line ending in `\n`. */
export function toJsonLines(values: readonly unknown[]): string {
  return values.map((v) => `${JSON.stringify(v)}\n`).join('');
}

/**
 * The world's files as text, keyed by file name, in write order (data files first, manifest
 * last). Pure and deterministic: equal worlds give equal bytes.
 */
export function serializeWorld(world: World): Record<string, string> {
  const data: Record<string, string> = {
    [WORLD_FILES.corpus]: toJsonLines(world.documents),
    [WORLD_FILES.queries]: toJsonLines(world.queries),
  };
  return { ...data, [WORLD_FILES.manifest]: `${JSON.stringify(buildManifest(world, data), null, 2)}\n` };
}
