import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { Gpt2Config, gpt2ParameterSpecs, toHfConfigJson } from '../model-families/gpt2';
import { Float32Tensor } from '../model/safetensors.reader';
import { writeSafetensors } from '../model/safetensors.writer';
import { byteLevelTokenizerFiles } from './byte-level-tokenizer.files';

/** Writes `bytes` to `file` atomically: a temporary sibling, fsync, then rename over `file`. */
export function writeFileAtomic(file: string, bytes: Uint8Array | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Float32 tensors in HF order and layout for a safetensors file (tied LM head: no `lm_head.weight`). */
export function gpt2TensorList(config: Gpt2Config, params: ReadonlyMap<string, Float32Array>): Array<[string, Float32Tensor]> {
  return gpt2ParameterSpecs(config).map((s) => [s.name, { shape: s.shape, data: params.get(s.name)! }]);
}

/**
 * Writes a model directory the gradient engine loads (`loadModelDirectory`): `config.json`
 * (HF GPT-2 keys, `bos/eos_token_id` = end-of-text), `model.safetensors` (F32, HF names
 * without `transformer.`, Conv1D `[in, out]`, LM head tied to `wte`), and the byte-level
 * tokenizer files. Every file is written atomically.
 */
export function writeModelDirectory(dir: string, config: Gpt2Config, params: ReadonlyMap<string, Float32Array>, metadata: Record<string, string> = {}): void {
  mkdirSync(dir, { recursive: true });
  const eot = config.vocabSize - 1;
  writeFileAtomic(join(dir, 'config.json'), JSON.stringify({ ...toHfConfigJson(config), bos_token_id: eot, eos_token_id: eot }, null, 2) + '\n');
  writeFileAtomic(join(dir, 'model.safetensors'), writeSafetensors(gpt2TensorList(config, params), { format: 'pt', ...metadata }));
  for (const [name, text] of Object.entries(byteLevelTokenizerFiles())) writeFileAtomic(join(dir, name), text);
}
