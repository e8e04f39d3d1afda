import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { gpt2ConfigOf, gpt2ParameterSpecs } from '../../src/model-families/gpt2';
import { loadModelDirectory } from '../../src/model/model-directory.loader';
import { ModelLoadError } from '../../src/model/model-load.error';
import { Float32Tensor } from '../../src/model/safetensors.reader';
import { writeSafetensors } from '../../src/model/safetensors.writer';
import { tinyConfig, writeTinyCheckpoint } from '../support/gpt2-checkpoint';

describe('model directory loader', () => {
  it('loads config, weights (with transformer. prefix and legacy mask buffers) and tokenizer', () => {
    const { dir, weights } = writeTinyCheckpoint(tinyConfig(), { prefix: 'transformer.', legacyBuffers: true });
    const m = loadModelDirectory(dir);
    expect(m.family.id).toBe('gpt2');
    expect(gpt2ConfigOf(m).nEmbd).toBe(16);
    expect(m.dimensions.contextLength).toBe(gpt2ConfigOf(m).nPositions);
    expect(m.weights.tensors.size).toBe(gpt2ParameterSpecs(gpt2ConfigOf(m)).length);
    expect(m.weights.tensors.get('h.1.mlp.c_fc.weight')).toEqual(weights.get('h.1.mlp.c_fc.weight'));
    expect(m.weights.fileNames.get('wte.weight')).toBe('transformer.wte.weight');
    expect(m.weights.lmHead).toBeUndefined();
    expect(m.tokenizer.encode('ab')).toEqual([97, 98]);
    expect(m.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(loadModelDirectory(dir).hash).toBe(m.hash);
  });

  it('names the missing file', () => {
    const { dir } = writeTinyCheckpoint();
    rmSync(join(dir, 'config.json'));
    expect(() => loadModelDirectory(dir)).toThrow(/missing config\.json/);
    const { dir: d2 } = writeTinyCheckpoint();
    rmSync(join(d2, 'model.safetensors'));
    expect(() => loadModelDirectory(d2)).toThrow(/missing model\.safetensors/);
  });

  it('names the field of a bad config and the tensor of a bad shape or dtype', () => {
    const { dir } = writeTinyCheckpoint();
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, activation_function: 'swish' }));
    expect(() => loadModelDirectory(dir)).toThrow(/config\.json: field activation_function/);

    const c = tinyConfig();
    const specs = gpt2ParameterSpecs(c);
    const tensors: [string, Float32Tensor][] = specs.map((s) => {
      const shape = s.name === 'h.1.attn.c_proj.weight' ? [s.shape[1]!, s.shape[0]! + 1] : s.shape;
      return [s.name, { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }];
    });
    const { dir: d2 } = writeTinyCheckpoint(c);
    writeFileSync(join(d2, 'model.safetensors'), writeSafetensors(tensors));
    expect(() => loadModelDirectory(d2)).toThrow(/tensor h\.1\.attn\.c_proj\.weight has shape \[16,17\]; expected \[16,16\]/);

    const missing = tensors
      .filter(([n]) => n !== 'ln_f.bias')
      .map(([n, t]): [string, Float32Tensor] => [n, n === 'h.1.attn.c_proj.weight' ? { shape: [16, 16], data: new Float32Array(256) } : t]);
    writeFileSync(join(d2, 'model.safetensors'), writeSafetensors(missing));
    expect(() => loadModelDirectory(d2)).toThrow(/missing tensor ln_f\.bias/);

    // an integer tensor where a float is expected (patch the dtype in the header: I32 is also 4 bytes)
    const ok = writeSafetensors(missing.concat([['ln_f.bias', { shape: [16], data: new Float32Array(16) }]]));
    const text = Buffer.from(ok)
      .toString('latin1')
      .replace(/"ln_f\.bias":\{"dtype":"F32"/, '"ln_f.bias":{"dtype":"I32"');
    writeFileSync(join(d2, 'model.safetensors'), Buffer.from(text, 'latin1'));
    let err: unknown;
    try {
      loadModelDirectory(d2);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelLoadError);
    expect((err as ModelLoadError).message).toMatch(/tensor ln_f\.bias has dtype I32/);
    expect((err as ModelLoadError).details.tensor).toBe('ln_f.bias');
  });
});
