import { readWorld } from '../world/world.reader';
import { TrainingCorpus } from './reference-model.trainer';
import { UntrainableWorldError } from './training.errors';

/**
 * Reads a world directory (checksums verified by `readWorld`) as a training corpus: every
 * document's text in file order; fingerprint = the corpus file's SHA-256 from the manifest.
 */
export async function loadWorldCorpus(dir: string): Promise<TrainingCorpus> {
  const world = await readWorld(dir);
  if (world.documents.length === 0) throw new UntrainableWorldError(dir, 'it has no documents');
  const m = world.manifest as unknown as { seed?: unknown; size?: unknown; files: Record<string, { sha256: string }> };
  return {
    texts: world.documents.map((d) => d.text),
    fingerprint: m.files['corpus.jsonl']?.sha256 ?? 'unknown',
    world: typeof m.seed === 'number' && typeof m.size === 'string' ? { seed: m.seed, size: m.size } : undefined,
    description: `world seed ${String(m.seed)} size ${String(m.size)}, ${world.documents.length} documents`,
  };
}
