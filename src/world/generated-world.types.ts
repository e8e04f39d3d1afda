import { WorldSizeName, WorldSizePreset } from './world-size.presets';
import { WorldDocument, WorldFact, WorldQuery } from './world.types';

/** A generated world, before serialisation (docs/world.md). */
export interface World {
  seed: number;
  size: WorldSizeName;
  preset: WorldSizePreset;
  facts: WorldFact[];
  /** Sorted by id. */
  documents: WorldDocument[];
  queries: WorldQuery[];
}
