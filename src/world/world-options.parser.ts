import { InvalidWorldSeedError, UnknownWorldSizeError } from './world.errors';
import { WORLD_SIZE_PRESETS, WorldSizeName } from './world-size.presets';

/** Validated options of one generation run. */
export interface WorldOptions {
  seed: number;
  size: WorldSizeName;
}

/**
 * Parses a seed given as text or number: a non-negative safe integer written in decimal
 * (no sign, exponent, fraction or surrounding junk).
 * @throws InvalidWorldSeedError otherwise
 */
export function parseWorldSeed(raw: string | number): number {
  const text = typeof raw === 'number' ? String(raw) : raw.trim();
  if (!/^\d+$/.test(text)) throw new InvalidWorldSeedError(raw);
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new InvalidWorldSeedError(raw);
  return seed;
}

/**
 * Parses a size preset name (`demo` or `full`).
 * @throws UnknownWorldSizeError otherwise
 */
export function parseWorldSize(raw: string): WorldSizeName {
  const names = Object.keys(WORLD_SIZE_PRESETS) as WorldSizeName[];
  const found = names.find((name) => name === raw);
  if (!found) throw new UnknownWorldSizeError(raw, names);
  return found;
}

/** Parses both options of a run. */
export function parseWorldOptions(raw: { seed: string | number; size?: string }): WorldOptions {
  return { seed: parseWorldSeed(raw.seed), size: parseWorldSize(raw.size ?? 'demo') };
}
