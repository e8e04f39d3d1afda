import { z } from 'zod';

import { ModelLoadError } from '../../model/model-load.error';

/**
 * The hyper-parameters of a GPT-2-family model, read from the Hugging Face `config.json`
 * keys (`n_embd`, `n_layer`, `n_head`, `n_positions`, `vocab_size`, `layer_norm_epsilon`,
 * `activation_function`). Only `gelu_new` (the tanh approximation) is supported.
 */
export interface Gpt2Config {
  /** Width d of the residual stream. */
  nEmbd: number;
  nLayer: number;
  /** Number of attention heads h; d must be divisible by h. */
  nHead: number;
  /** Context length (rows of `wpe`). */
  nPositions: number;
  vocabSize: number;
  /** Inner MLP width, `n_inner` or 4·d. */
  nInner: number;
  layerNormEpsilon: number;
  activation: 'gelu_new';
}

const supportedActivations = ['gelu_new', 'gelu_pytorch_tanh'] as const;

const schema = z.object({
  n_embd: z.number().int().positive(),
  n_layer: z.number().int().positive(),
  n_head: z.number().int().positive(),
  n_positions: z.number().int().positive(),
  vocab_size: z.number().int().positive(),
  n_inner: z.number().int().positive().nullish(),
  layer_norm_epsilon: z.number().positive().default(1e-5),
  activation_function: z.string().default('gelu_new'),
  model_type: z.string().optional(),
  architectures: z.array(z.string()).optional(),
  scale_attn_weights: z.boolean().optional(),
  scale_attn_by_inverse_layer_idx: z.boolean().optional(),
  reorder_and_upcast_attn: z.boolean().optional(),
});

/**
 * Validates a parsed HF GPT-2 `config.json`. Throws {@link ModelLoadError} naming `file` and
 * the offending field for a missing/invalid key, an unknown `activation_function`, an
 * architecture other than GPT-2, or `n_embd` not divisible by `n_head`.
 */
export function parseGpt2Config(raw: unknown, file = 'config.json'): Gpt2Config {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.join('.') || '(root)';
    throw new ModelLoadError(`${file}: field ${field}: ${issue.message}`, { file, field });
  }
  const c = r.data;
  if (c.model_type !== undefined && c.model_type !== 'gpt2') {
    throw new ModelLoadError(`${file}: field model_type: unsupported architecture "${c.model_type}" (only gpt2)`, { file, field: 'model_type' });
  }
  if (c.architectures && !c.architectures.every((a) => /^GPT2/.test(a))) {
    throw new ModelLoadError(`${file}: field architectures: unsupported architecture ${JSON.stringify(c.architectures)} (only GPT2*)`, {
      file,
      field: 'architectures',
    });
  }
  if (!(supportedActivations as readonly string[]).includes(c.activation_function)) {
    throw new ModelLoadError(`${file}: field activation_function: unknown activation "${c.activation_function}" (supported: gelu_new)`, {
      file,
      field: 'activation_function',
    });
  }
  if (c.n_embd % c.n_head !== 0) {
    throw new ModelLoadError(`${file}: field n_head: n_embd ${c.n_embd} is not divisible by n_head ${c.n_head}`, { file, field: 'n_head' });
  }
  for (const flag of ['scale_attn_by_inverse_layer_idx', 'reorder_and_upcast_attn'] as const) {
    if (c[flag]) throw new ModelLoadError(`${file}: field ${flag}: true is not supported`, { file, field: flag });
  }
  if (c.scale_attn_weights === false) {
    throw new ModelLoadError(`${file}: field scale_attn_weights: false is not supported`, { file, field: 'scale_attn_weights' });
  }
  return {
    nEmbd: c.n_embd,
    nLayer: c.n_layer,
    nHead: c.n_head,
    nPositions: c.n_positions,
    vocabSize: c.vocab_size,
    nInner: c.n_inner ?? 4 * c.n_embd,
    layerNormEpsilon: c.layer_norm_epsilon,
    activation: 'gelu_new',
  };
}

/** Writes a config back in the HF GPT-2 `config.json` layout. */
export function toHfConfigJson(c: Gpt2Config): Record<string, unknown> {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    n_embd: c.nEmbd,
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_positions: c.nPositions,
    n_ctx: c.nPositions,
    vocab_size: c.vocabSize,
    n_inner: c.nInner === 4 * c.nEmbd ? null : c.nInner,
    layer_norm_epsilon: c.layerNormEpsilon,
    activation_function: c.activation,
  };
}
