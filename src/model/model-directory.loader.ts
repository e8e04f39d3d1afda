import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ModelDimensions, ModelFamily, ModelWeights } from '../model-families/model-family';
import { modelFamilyOf } from '../model-families/model-family.registry';
import { ByteLevelBpeTokenizer } from './byte-level-bpe.tokenizer';
import { ModelLoadError } from './model-load.error';
import { SafetensorsFile } from './safetensors.reader';

/** A model loaded from a Hugging Face model directory. */
export interface LoadedModel {
  dir: string;
  /** The architecture family `config.json` names (reads the weights, builds the graphs, names the layers). */
  family: ModelFamily;
  /** The family's parsed config (only the family reads it). */
  config: unknown;
  /** Context length, vocabulary size and layer count of the config. */
  dimensions: ModelDimensions;
  weights: ModelWeights;
  tokenizer: ByteLevelBpeTokenizer;
  /** sha256 (hex) over config.json, model.safetensors, vocab.json and merges.txt bytes. */
  hash: string;
}

function readRequired(dir: string, file: string, what: string): Buffer {
  const p = join(dir, file);
  if (!existsSync(p)) throw new ModelLoadError(`model directory ${dir}: missing ${file} (${what})`, { file: p });
  return readFileSync(p);
}

/**
 * Loads `config.json`, `model.safetensors`, `vocab.json` and `merges.txt` from `dir`, picks the
 * model family from `config.json` (`model_type` / `architectures`; an unsupported one is refused
 * with `UnsupportedModelFamilyError`), validates the files against each other (tensor shapes vs
 * config, vocabulary size ≤ the config's) and computes the model hash. Every error names the
 * file, tensor or field.
 */
export function loadModelDirectory(dir: string): LoadedModel {
  if (!existsSync(dir)) throw new ModelLoadError(`model directory ${dir} does not exist`, { file: dir });
  const configBytes = readRequired(dir, 'config.json', 'the Hugging Face model configuration');
  let rawConfig: unknown;
  try {
    rawConfig = JSON.parse(configBytes.toString('utf8'));
  } catch (e) {
    throw new ModelLoadError(`${join(dir, 'config.json')}: not valid JSON (${(e as Error).message})`, { file: join(dir, 'config.json') });
  }
  const family = modelFamilyOf(rawConfig, join(dir, 'config.json'));
  const config = family.parseConfig(rawConfig, join(dir, 'config.json'));
  const dimensions = family.dimensions(config);
  const weightBytes = readRequired(dir, 'model.safetensors', 'the weights');
  const weights = family.readWeights(SafetensorsFile.parse(weightBytes, join(dir, 'model.safetensors')), config);
  const vocabBytes = readRequired(dir, 'vocab.json', 'the tokenizer vocabulary');
  const mergesBytes = readRequired(dir, 'merges.txt', 'the tokenizer merges');
  const tokenizer = ByteLevelBpeTokenizer.fromFiles(vocabBytes.toString('utf8'), mergesBytes.toString('utf8'), {
    vocab: join(dir, 'vocab.json'),
    merges: join(dir, 'merges.txt'),
  });
  if (tokenizer.size > dimensions.vocabSize) {
    throw new ModelLoadError(`${join(dir, 'vocab.json')}: ${tokenizer.size} tokens exceed vocab_size ${dimensions.vocabSize} of config.json`, {
      file: join(dir, 'vocab.json'),
      field: 'vocab_size',
    });
  }
  const h = createHash('sha256');
  for (const b of [configBytes, weightBytes, vocabBytes, mergesBytes]) {
    h.update(String(b.length));
    h.update(b);
  }
  return { dir, family, config, dimensions, weights, tokenizer, hash: h.digest('hex') };
}
