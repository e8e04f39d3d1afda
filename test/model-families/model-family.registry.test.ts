import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { InvalidInputError } from '../../src/errors/tracebase.error';
import { gpt2Family } from '../../src/model-families/gpt2';
import { parameterCount } from '../../src/model-families/model-family';
import { UnsupportedModelFamilyError } from '../../src/model-families/model-family.error';
import { MODEL_FAMILIES, modelFamilyById, modelFamilyOf } from '../../src/model-families/model-family.registry';
import { loadModelDirectory } from '../../src/model/model-directory.loader';
import { ModelLoadError } from '../../src/model/model-load.error';
import { tinyConfig, writeTinyCheckpoint } from '../support/gpt2-checkpoint';

describe('model family registry', () => {
  it('picks GPT-2 by model_type, by architectures, and for a config that names neither', () => {
    expect(modelFamilyOf({ model_type: 'gpt2' })).toBe(gpt2Family);
    expect(modelFamilyOf({ architectures: ['GPT2LMHeadModel'] })).toBe(gpt2Family);
    expect(modelFamilyOf({ n_embd: 16 })).toBe(gpt2Family);
    expect(modelFamilyById('gpt2')).toBe(gpt2Family);
    expect(modelFamilyById('llama')).toBeUndefined();
    expect(MODEL_FAMILIES.map((f) => f.id)).toContain('gpt2');
  });

  it('refuses an unknown family with a named error listing the supported ones', () => {
    const refuse = (config: unknown) => {
      try {
        modelFamilyOf(config, '/m/config.json');
      } catch (e) {
        return e as UnsupportedModelFamilyError;
      }
      throw new Error('accepted');
    };
    const byType = refuse({ model_type: 'llama', architectures: ['LlamaForCausalLM'] });
    expect(byType).toBeInstanceOf(UnsupportedModelFamilyError);
    expect(byType).toBeInstanceOf(ModelLoadError);
    expect(byType).toBeInstanceOf(InvalidInputError);
    expect(byType.message).toBe('/m/config.json: field model_type: "llama" is not a supported model family; supported: gpt2 (GPT-2)');
    expect(byType.details).toMatchObject({ file: '/m/config.json', field: 'model_type', supported: ['gpt2'] });
    expect(refuse({ architectures: ['GPTNeoXForCausalLM'] }).message).toMatch(
      /field architectures: \["GPTNeoXForCausalLM"\] is not a supported model family; supported: gpt2/,
    );
  });

  it('loads a model directory through its family, and refuses a directory of an unsupported family', () => {
    const config = tinyConfig();
    const { dir } = writeTinyCheckpoint(config, { seed: 3 });
    const model = loadModelDirectory(dir);
    expect(model.family).toBe(gpt2Family);
    expect(model.dimensions).toEqual({ contextLength: config.nPositions, vocabSize: config.vocabSize, layerCount: config.nLayer });
    expect(parameterCount(model.family, model.config)).toBe(gpt2Family.parameterSpecs(config).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0));
    const raw = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...raw, model_type: 'gpt_neox' }));
    expect(() => loadModelDirectory(dir)).toThrow(UnsupportedModelFamilyError);
  });

  it('names the tracked GPT-2 layers with their input and output sizes', () => {
    const c = tinyConfig();
    const d = c.nEmbd;
    expect(gpt2Family.defaultTrackedLayers(c)).toEqual(Array.from({ length: c.nLayer }, (_, i) => [`h.${i}.mlp.c_fc`, `h.${i}.mlp.c_proj`]).flat());
    expect(gpt2Family.layerShape(c, 'h.0.mlp.c_fc')).toEqual({ name: 'h.0.mlp.c_fc', inFeatures: d, outFeatures: c.nInner });
    expect(gpt2Family.layerShape(c, 'h.1.mlp.c_proj')).toEqual({ name: 'h.1.mlp.c_proj', inFeatures: c.nInner, outFeatures: d });
    expect(gpt2Family.layerShape(c, 'h.0.attn.c_attn')).toEqual({ name: 'h.0.attn.c_attn', inFeatures: d, outFeatures: 3 * d });
    expect(gpt2Family.layerShape(c, 'h.0.attn.c_proj')).toEqual({ name: 'h.0.attn.c_proj', inFeatures: d, outFeatures: d });
    expect(gpt2Family.layerShape(c, `h.${c.nLayer}.mlp.c_fc`)).toBeUndefined();
    expect(gpt2Family.layerShape(c, 'h.0.ln_1')).toBeUndefined();
    expect(gpt2Family.trackableLayers(c)).toBe(`h.{0..${c.nLayer - 1}}.(mlp.c_fc|mlp.c_proj|attn.c_attn|attn.c_proj)`);
  });
});
