import { InvalidInputError, NotFoundError, TracebaseError } from '../errors/tracebase.error';

/** `--size` names no preset. */
export class UnknownWorldSizeError extends InvalidInputError {
  constructor(size: string, known: readonly string[]) {
    super(`Unknown world size "${size}": expected one of ${known.join(', ')}.`, { size, known: [...known] });
  }
}

/** `--seed` is not a non-negative safe integer. */
export class InvalidWorldSeedError extends InvalidInputError {
  constructor(seed: unknown) {
    super(
      `Invalid world seed "${String(seed)}": the seed must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}.`,
      { seed: String(seed) },
    );
  }
}

/** The output directory already holds a world and `--force` was not given. */
export class WorldAlreadyExistsError extends TracebaseError {
  constructor(directory: string, existing: readonly string[]) {
    super(
      'WORLD_EXISTS',
      `Output directory ${directory} already holds a world (${existing.join(', ')}); ` +
        'choose another directory or pass --force to overwrite it.',
      { directory, existing: [...existing] },
    );
  }
}

/** The output path exists but is not a directory. */
export class WorldOutputNotDirectoryError extends InvalidInputError {
  constructor(path: string) {
    super(`Output path ${path} exists and is not a directory.`, { path });
  }
}

/** A generator invariant failed: a bug in the generator, never the user's input. */
export class WorldInvariantError extends TracebaseError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('WORLD_INVARIANT', `World generator invariant failed: ${message}`, details);
  }
}

/** The directory holds no world (no manifest.json). */
export class WorldNotFoundError extends NotFoundError {
  constructor(directory: string) {
    super(`No world in ${directory}: manifest.json is missing (generate one with \`tracebase world generate\`).`, { directory });
  }
}

/** A world file disagrees with its manifest or holds a malformed line. */
export class CorruptWorldError extends InvalidInputError {
  constructor(file: string, problem: string) {
    super(`World file ${file} is corrupt: ${problem}.`, { file, problem });
  }
}
