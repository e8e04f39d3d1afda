import { ModelLoadError } from '../model/model-load.error';

/** A `config.json` whose `model_type` / `architectures` name no supported model family. */
export class UnsupportedModelFamilyError extends ModelLoadError {
  constructor(message: string, details: { file: string; field: string; supported: readonly string[] }) {
    super(message, details);
  }
}
