import { World } from '../../src/world/generated-world.types';
import { generateWorld } from '../../src/world/world.generator';
import { WorldSizeName } from '../../src/world/world-size.presets';

const cache = new Map<string, World>();

/** A generated world, memoised per test file (generation is pure). */
export function worldFor(seed: number, size: WorldSizeName): World {
  const key = `${seed}/${size}`;
  let world = cache.get(key);
  if (!world) {
    world = generateWorld(seed, size);
    cache.set(key, world);
  }
  return world;
}

/** Escapes a string for use inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A test for `word` occurring as a whole word (not inside a longer run of letters/digits). */
export function wordMatcher(word: string): (text: string) => boolean {
  const pattern = new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(word)}(?![A-Za-z0-9])`);
  return (text) => pattern.test(text);
}
