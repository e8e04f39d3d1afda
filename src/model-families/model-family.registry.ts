import { gpt2Family } from './gpt2/gpt2.family';
import { ModelFamily } from './model-family';
import { UnsupportedModelFamilyError } from './model-family.error';

/** Every supported model family, in the order they are tried. A new family is added here and in its own folder. */
export const MODEL_FAMILIES: readonly ModelFamily[] = [gpt2Family];

/**
 * The family a parsed `config.json` describes (by `model_type`, else `architectures`). Throws
 * {@link UnsupportedModelFamilyError} naming `file`, the field and the supported families when
 * no family describes it.
 */
export function modelFamilyOf(config: unknown, file = 'config.json'): ModelFamily {
  const record = config !== null && typeof config === 'object' && !Array.isArray(config) ? (config as Record<string, unknown>) : {};
  const family = MODEL_FAMILIES.find((f) => f.describes(record));
  if (family) return family;
  const supported = MODEL_FAMILIES.map((f) => f.id);
  const list = MODEL_FAMILIES.map((f) => `${f.id} (${f.displayName})`).join(', ');
  const field = record.model_type !== undefined ? 'model_type' : 'architectures';
  const value = JSON.stringify(record[field]);
  throw new UnsupportedModelFamilyError(`${file}: field ${field}: ${value} is not a supported model family; supported: ${list}`, { file, field, supported });
}

/** The family registered under `id` (as stored with a model), or undefined. */
export function modelFamilyById(id: string): ModelFamily | undefined {
  return MODEL_FAMILIES.find((f) => f.id === id);
}
