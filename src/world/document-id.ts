import { fnv1a64, splitMix64 } from '../math/seeded-random';

/**
 * Opaque document id for a generation slot (`fact/capital-03/7`, `filler/wiki/12`, ...):
 * `doc-` and 16 hex digits of SplitMix64(FNV-1a-64("<seed>#<slot>")). Ids reveal nothing about
 * a document's role (annotators see them), are equal for the same slot in every world size,
 * and sorting by id interleaves sources.
 */
export function documentId(seed: number, slot: string): string {
  const { value } = splitMix64(fnv1a64(`${seed}#${slot}`));
  return `doc-${value.toString(16).padStart(16, '0')}`;
}
