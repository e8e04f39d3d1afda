import { LoadedModel } from '../model/model-directory.loader';
import { TextTooLongError } from '../model/model-load.error';
import { InvalidInputError } from '../errors/tracebase.error';
import { Float32Tensor } from '../model/safetensors.reader';
import { EngineSettings, GradientEngine, defaultEngineSettings } from './gradient.engine';
import { packWindows, splitIntoWindows } from './sequence-windows';

/** Gradient of one query's completion loss, named as in the model's safetensors file. */
export interface QueryGradients {
  /** Tokens of prompt + completion. */
  tokens: number;
  /** nats(q) = Σ_{t ∈ completion} −log p(x_t | x_<t). */
  nats: number;
  /** `[fileName, tensor]` in HF layout (Conv1D `[in, out]`), float32. */
  tensors: Array<[string, Float32Tensor]>;
}

/**
 * Tokenizes prompt and completion separately (no BOS/EOS), concatenates them, and computes the
 * gradient of the completion's summed negative log-likelihood with respect to the tracked
 * layers' weights and biases (default: the family's default tracked layers), or every parameter
 * with `all`. The query must fit in one context window (the model's context length). With no BOS, the
 * very first token of the sequence has no context and is never scored (so with an empty prompt
 * the first completion token is not part of `nats`).
 */
export async function computeQueryGradients(
  model: LoadedModel,
  prompt: string,
  completion: string,
  opts: { all?: boolean; tracked?: string[]; settings?: Partial<EngineSettings>; engine?: GradientEngine } = {},
): Promise<QueryGradients> {
  const { family, config } = model;
  const contextLength = model.dimensions.contextLength;
  const maxChars = 64 * contextLength;
  const p = model.tokenizer.encode(prompt, { field: 'prompt', maxChars });
  const q = model.tokenizer.encode(completion, { field: 'completion', maxChars });
  const tokens = [...p, ...q];
  if (q.length === 0) throw new InvalidInputError('completion is empty: there is nothing to score', { field: 'completion' });
  if (tokens.length < 2)
    throw new InvalidInputError('prompt + completion must have at least 2 tokens (the first token has no context)', { field: 'completion' });
  if (tokens.length > contextLength) {
    const field = p.length >= contextLength ? 'prompt' : 'completion';
    throw new TextTooLongError(`${field}: prompt + completion are ${tokens.length} tokens; the model's context (n_positions) allows ${contextLength}`, {
      field,
      length: tokens.length,
      limit: contextLength,
    });
  }
  const tracked = opts.tracked ?? family.defaultTrackedLayers(config);
  for (const l of tracked) {
    if (!family.layerShape(config, l))
      throw new InvalidInputError(`unknown tracked layer ${l}: expected ${family.trackableLayers(config)}`, { field: 'layers' });
  }
  const engine = opts.engine ?? new GradientEngine(model, defaultEngineSettings({ ...opts.settings, dtype: 'float32' }));
  const batch = packWindows(splitIntoWindows({ tokens, scoreFrom: p.length }, contextLength), tokens.length);
  const out = await engine.run({ labels: 'data', allGradients: opts.all, trackedGradients: !opts.all, tracked: opts.all ? undefined : tracked }, batch);
  const names = opts.all
    ? [...family.parameterSpecs(config).map((s) => s.name), ...(model.weights.lmHead ? [family.untiedHeadSpec(config).name] : [])]
    : tracked.flatMap((l) => [`${l}.weight`, `${l}.bias`]);
  const tensors = names.map((name): [string, Float32Tensor] => {
    const g = out[`grad.${name}`]!;
    return [model.weights.fileNames.get(name) ?? name, { shape: g.dims, data: Float32Array.from(g.data as Float32Array) }];
  });
  return { tokens: tokens.length, nats: Number((out.loss!.data as Float32Array)[0]), tensors };
}
