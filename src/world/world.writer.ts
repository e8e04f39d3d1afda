import { promises as fs } from 'node:fs';
import path from 'node:path';

import { WorldAlreadyExistsError, WorldOutputNotDirectoryError } from './world.errors';
import { WORLD_FILES } from './world.serializer';

/** Options of {@link writeWorldFiles}. */
export interface WriteWorldOptions {
  /** Replace a world already in the directory. */
  force?: boolean;
}

/** The world files already present in `directory` (empty if it does not exist). */
export async function existingWorldFiles(directory: string): Promise<string[]> {
  const present: string[] = [];
  for (const name of Object.values(WORLD_FILES)) {
    try {
      await fs.access(path.join(directory, name));
      present.push(name);
    } catch {
      // absent
    }
  }
  return present;
}

/**
 * Writes a world's files into `directory` (created if missing). Refuses, before writing
 * anything, when the directory already holds world files and `force` is not set. Each file is
 * written to a temporary name in the same directory and renamed into place only after all were
 * written, so a failure leaves no half-written file; on failure the temporary files are removed.
 * The last file of `files` (the manifest) marks a complete world: an old one is removed before
 * the data files are replaced and the new one is renamed into place last, so a manifest only
 * ever sits next to the data it describes.
 * @returns the absolute paths written
 */
export async function writeWorldFiles(directory: string, files: Record<string, string>, options: WriteWorldOptions = {}): Promise<string[]> {
  const dir = path.resolve(directory);
  const stat = await fs.stat(dir).catch(() => null);
  if (stat && !stat.isDirectory()) throw new WorldOutputNotDirectoryError(dir);
  const existing = await existingWorldFiles(dir);
  if (existing.length > 0 && !options.force) throw new WorldAlreadyExistsError(dir, existing);
  await fs.mkdir(dir, { recursive: true });

  const temps: { temp: string; final: string }[] = [];
  try {
    for (const [name, text] of Object.entries(files)) {
      const final = path.join(dir, name);
      const temp = path.join(dir, `.${name}.${process.pid}.tmp`);
      temps.push({ temp, final });
      await fs.writeFile(temp, text, { encoding: 'utf8', flag: 'w' });
    }
    const marker = temps[temps.length - 1];
    if (marker) await fs.rm(marker.final, { force: true });
    for (const { temp, final } of temps) await fs.rename(temp, final);
  } catch (error) {
    await Promise.all(temps.map(({ temp }) => fs.rm(temp, { force: true })));
    throw error;
  }
  return temps.map((t) => t.final);
}
