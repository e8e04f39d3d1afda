import { ModelFamily } from '../model-family';
import { buildGpt2DecodeStep } from './gpt2-decode-step.graph';
import { buildGpt2Forward } from './gpt2-forward.graph';
import { gpt2DefaultTrackedLayers, gpt2LayerShape, gpt2TrackableLayers } from './gpt2-tracked-layers';
import { Gpt2Config, parseGpt2Config, toHfConfigJson } from './gpt2.config';
import { gpt2ParameterSpecs } from './gpt2.parameters';
import { readGpt2Weights } from './gpt2.weights';

/**
 * GPT-2 (Hugging Face `GPT2LMHeadModel` layout): pre-LayerNorm blocks, fused `c_attn`, Conv1D
 * linear layers stored `[in, out]`, learned positions, gelu_new MLP, LM head tied to `wte`
 * unless the file carries its own. A `config.json` is GPT-2 when its `model_type` is `gpt2`, or
 * when it has no `model_type` and its `architectures` (if any) all start with `GPT2`.
 */
export const gpt2Family: ModelFamily<Gpt2Config> = {
  id: 'gpt2',
  displayName: 'GPT-2',
  describes(config) {
    if (config.model_type !== undefined) return config.model_type === 'gpt2';
    const architectures = config.architectures;
    return architectures === undefined || (Array.isArray(architectures) && architectures.every((a) => typeof a === 'string' && /^GPT2/.test(a)));
  },
  parseConfig: parseGpt2Config,
  configJson: toHfConfigJson,
  dimensions: (c) => ({ contextLength: c.nPositions, vocabSize: c.vocabSize, layerCount: c.nLayer }),
  parameterSpecs: gpt2ParameterSpecs,
  untiedHeadSpec: (c) => ({ name: 'lm_head.weight', shape: [c.vocabSize, c.nEmbd] }),
  readWeights: readGpt2Weights,
  defaultTrackedLayers: gpt2DefaultTrackedLayers,
  layerShape: gpt2LayerShape,
  trackableLayers: gpt2TrackableLayers,
  buildForward: buildGpt2Forward,
  decodeCacheLayout: (c) => ({ layers: c.nLayer, heads: c.nHead, headDim: c.nEmbd / c.nHead }),
  buildDecodeStep: (b, c, shape) => buildGpt2DecodeStep(b, c, shape),
};

/** The GPT-2 config of a model of this family (a loaded model's config is family-specific); throws for another family. */
export function gpt2ConfigOf(model: { family: ModelFamily; config: unknown }): Gpt2Config {
  if (model.family.id !== gpt2Family.id) throw new Error(`not a GPT-2 model: its family is ${model.family.id}`);
  return model.config as Gpt2Config;
}
