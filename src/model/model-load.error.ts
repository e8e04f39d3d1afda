import { InvalidInputError } from '../errors/tracebase.error';

/**
 * A model directory, config field, tensor or tokenizer file that does not meet its contract.
 * `details` names the offending `file`, `tensor` or `field` so a person can fix it.
 */
export class ModelLoadError extends InvalidInputError {
  constructor(message: string, details: { file?: string; tensor?: string; field?: string; [key: string]: unknown } = {}) {
    super(message, details);
  }
}

/** A text (prompt, completion or document) longer than a limit allows. */
export class TextTooLongError extends InvalidInputError {
  constructor(message: string, details: { field: string; length: number; limit: number }) {
    super(message, details);
  }
}
