import { InvalidInputError, TracebaseError } from '../errors/tracebase.error';

/** A training option that is not valid (non-integer steps or seed, bad learning rate…). */
export class InvalidTrainingOptionError extends InvalidInputError {
  constructor(option: string, value: unknown, expected: string) {
    super(`--${option} must be ${expected}, got ${JSON.stringify(value)}`, { field: option });
  }
}

/** The output directory already holds a model or a training run, and --force/--resume was not given. */
export class ModelDirectoryOccupiedError extends InvalidInputError {
  constructor(dir: string, what: string) {
    super(`${dir} already holds ${what}; pass --resume to continue its training or --force to overwrite it`, { file: dir });
  }
}

/** A checkpoint that cannot be resumed from: missing, truncated, checksum mismatch, or from another run. */
export class CorruptCheckpointError extends TracebaseError {
  constructor(file: string, reason: string) {
    super('CORRUPT_CHECKPOINT', `checkpoint ${file} cannot be resumed from: ${reason}`, { file });
  }
}

/** A world directory whose contents cannot be trained on (e.g. no documents). */
export class UntrainableWorldError extends InvalidInputError {
  constructor(dir: string, reason: string) {
    super(`world ${dir} cannot be trained on: ${reason}`, { file: dir });
  }
}

/** The loss or gradient norm became NaN or infinite (learning rate too high, or bad data). */
export class TrainingDivergedError extends TracebaseError {
  constructor(step: number, loss: number, gradNorm: number) {
    super('TRAINING_DIVERGED', `training diverged at step ${step}: loss ${loss}, gradient norm ${gradNorm}; lower --lr or resume from the last checkpoint`, {
      step,
    });
  }
}
