import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ByteLevelBpeTokenizer } from './byte-level-bpe.tokenizer';
import { Gpt2Config, parseGpt2Config } from './gpt2.config';
import { Gpt2Weights, readGpt2Weights } from './gpt2.weights';
import { ModelLoadError } from './model-load.error';
import { SafetensorsFile } from './safetensors.reader';

/** A GPT-2 model loaded from a Hugging Face-layout directory. */
export interface LoadedModel {
  dir: string;
  config: Gpt2Config;
  weights: Gpt2Weights;
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
 * Loads `config.json`, `model.safetensors`, `vocab.json` and `merges.txt` from `dir`, validates
 * them against each other (tensor shapes vs config, vocabulary size ≤ `vocab_size`) and computes
 * the model hash. Every error names the file, tensor or field.
 */
export function loadModelDirectory(dir: string): LoadedModel {
  if (!existsSync(dir)) throw new ModelLoadError(`model directory ${dir} does not exist`, { file: dir });
  const configBytes = readRequired(dir, 'config.json', 'the HF GPT-2 configuration');
  let rawConfig: unknown;
  try {
    rawConfig = JSON.parse(configBytes.toString('utf8'));
  } catch (e) {
    throw new ModelLoadError(`${join(dir, 'config.json')}: not valid JSON (${(e as Error).message})`, { file: join(dir, 'config.json') });
  }
  const config = parseGpt2Config(rawConfig, join(dir, 'config.json'));
  const weightBytes = readRequired(dir, 'model.safetensors', 'the weights');
  const weights = readGpt2Weights(SafetensorsFile.parse(weightBytes, join(dir, 'model.safetensors')), config);
  const vocabBytes = readRequired(dir, 'vocab.json', 'the tokenizer vocabulary');
  const mergesBytes = readRequired(dir, 'merges.txt', 'the tokenizer merges');
  const tokenizer = ByteLevelBpeTokenizer.fromFiles(vocabBytes.toString('utf8'), mergesBytes.toString('utf8'), {
    vocab: join(dir, 'vocab.json'),
    merges: join(dir, 'merges.txt'),
  });
  if (tokenizer.size > config.vocabSize) {
    throw new ModelLoadError(`${join(dir, 'vocab.json')}: ${tokenizer.size} tokens exceed vocab_size ${config.vocabSize} of config.json`, { file: join(dir, 'vocab.json'), field: 'vocab_size' });
  }
  const h = createHash('sha256');
  for (const b of [configBytes, weightBytes, vocabBytes, mergesBytes]) {
    h.update(String(b.length));
    h.update(b);
  }
  return { dir, config, weights, tokenizer, hash: h.digest('hex') };
}
