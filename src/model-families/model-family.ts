import type { GraphBuilder } from '../onnx/graph.builder';
import type { Value } from '../onnx/graph.types';
import type { SafetensorsFile } from '../model/safetensors.reader';

/**
 * The seam between Tracebase and one architecture family of causal language models
 * (docs/design.md "Components and data flow"). Everything that depends on an architecture — how
 * `config.json` and the weights are read, how the forward and decode-step ONNX graphs are
 * built, which linear layers can be tracked and their sizes — sits behind {@link ModelFamily};
 * the gradient engine, the influence pipelines, the worker and the services use only this
 * interface. A family's implementation lives in its own folder under `src/model-families/`
 * and is listed in `model-family.registry.ts`; adding one needs no change elsewhere.
 *
 * Conventions every family keeps (the engine relies on them):
 * - parameters are named canonically (the family's own names without a wrapper prefix such as
 *   `transformer.`) and are graph inputs `param.<name>` (or initializers of that name);
 * - tracked layers are linear maps s = a·W + b with `inFeatures` i and `outFeatures` o; their
 *   gradient G = Σ_t δ_t ā_tᵀ is o×(i+1) (bias as an appended input 1);
 * - the graphs take `input_ids` int64 `[B, T]` and `attention_mask` `[B, T]` (1 real, 0 right
 *   padding) and produce next-token logits `[B, T, V]`.
 */
export interface ModelFamily<C = unknown> {
  /** Stable id stored with a registered model (e.g. in `model.family`). */
  readonly id: string;
  /** Name for people, e.g. in an error listing the supported families. */
  readonly displayName: string;
  /** Whether a parsed `config.json` describes this family (by `model_type` / `architectures`). */
  describes(config: Readonly<Record<string, unknown>>): boolean;
  /** Validates a parsed `config.json`; throws `ModelLoadError` naming `file` and the field. */
  parseConfig(raw: unknown, file: string): C;
  /** The config back in the family's `config.json` layout (stored with a registered model). */
  configJson(config: C): Record<string, unknown>;
  /** The sizes every caller needs, in family-neutral names. */
  dimensions(config: C): ModelDimensions;
  /** Every parameter tensor (canonical name, shape), in file order; an untied LM head is not listed. */
  parameterSpecs(config: C): ParameterSpec[];
  /** The untied LM head's name and shape (present in {@link ModelWeights.lmHead} only when the file has its own). */
  untiedHeadSpec(config: C): ParameterSpec;
  /** Reads and validates the weights of a safetensors file (names, shapes, dtypes, tied head). */
  readWeights(file: SafetensorsFile, config: C): ModelWeights;
  /** The layers tracked when none are named. */
  defaultTrackedLayers(config: C): string[];
  /** The shape of a trackable linear layer, or undefined when `name` is not one of this model. */
  layerShape(config: C, name: string): LayerShape | undefined;
  /** The trackable layer names as a pattern for people, e.g. in "expected …" of an error. */
  trackableLayers(config: C): string;
  /** Emits the forward pass into `b` (parameters as inputs `param.<name>` unless embedded). */
  buildForward(b: GraphBuilder, config: C, shape: GraphShape, opts?: ForwardGraphOptions): ForwardGraph;
  /** Key/value cache layout of the decode step: `past_key.l` / `past_value.l` are `[B, heads, P, headDim]` for l < layers. */
  decodeCacheLayout(config: C): DecodeCacheLayout;
  /**
   * Emits one float32 decode step with a key/value cache into `b`, with the inputs and outputs
   * named by {@link DECODE_STEP_IO} and the parameters as inputs `param.<name>` (tied head).
   */
  buildDecodeStep(b: GraphBuilder, config: C, shape: DecodeStepShape): void;
}

/** Family-neutral sizes of a model. */
export interface ModelDimensions {
  /** Context length: the most positions one sequence may have. */
  readonly contextLength: number;
  /** V, rows of the token embedding and of the logits. */
  readonly vocabSize: number;
  /** Number of transformer blocks. */
  readonly layerCount: number;
}

/** One parameter tensor: canonical name and shape. */
export interface ParameterSpec {
  name: string;
  shape: number[];
}

/**
 * A model's parameters as float32 by canonical name. `lmHead` is present only when the file
 * carries an LM head that differs from the token embedding (else the head is tied).
 */
export interface ModelWeights {
  tensors: Map<string, Float32Array>;
  lmHead?: Float32Array;
  /** The name each canonical tensor had in the file. */
  fileNames: Map<string, string>;
}

/** A trackable linear layer s = a·W + b: its name and sizes (G is outFeatures × (inFeatures + 1)). */
export interface LayerShape {
  name: string;
  inFeatures: number;
  outFeatures: number;
}

/** Static shape and numeric type of one compiled graph. */
export interface GraphShape {
  batch: number;
  seqLen: number;
  dtype: 'float32' | 'float64';
}

/** Options of a forward graph. */
export interface ForwardGraphOptions {
  /** The checkpoint has its own LM head (else the head is tied to the token embedding). */
  untiedLmHead?: boolean;
  /**
   * Parameter values to store in the graph as initializers (in the graph's dtype), by canonical
   * name; parameters not given are graph inputs `param.<name>`. Initializers let onnxruntime
   * pre-pack weights and keep them on the device; inputs let one graph serve any weights.
   */
  embeddedWeights?: ReadonlyMap<string, Float32Array | Float64Array>;
}

/** A linear layer s = a·W + b inside a graph. */
export interface LinearSite {
  /** Layer name, e.g. `h.0.mlp.c_fc`. */
  name: string;
  /** Layer input a, `[B, T, in]`. */
  input: Value;
  /** Layer output s (after the bias), `[B, T, out]`; δ = ∂L/∂s. */
  output: Value;
  /** The weight W and bias b (the parameters of a tracked layer's gradient). */
  weight: Value;
  bias: Value;
  inFeatures: number;
  outFeatures: number;
}

/** The forward part of a graph. */
export interface ForwardGraph {
  /** The parameters, by canonical name (plus the untied head when there is one). */
  params: Map<string, Value>;
  /** `input_ids` int64 `[B, T]`. */
  inputIds: Value;
  /** `attention_mask` `[B, T]`: 1 for real tokens, 0 for right padding. */
  attentionMask: Value;
  /** Next-token logits `[B, T, V]`. */
  logits: Value;
  /** Every linear layer of the model, by name. */
  linears: Map<string, LinearSite>;
}

/** Static shape of one compiled decode-step graph. */
export interface DecodeStepShape {
  /** Rows decoded together, B. */
  batch: number;
  /** Positions the key/value cache holds, P ≤ the context length. */
  cacheLength: number;
}

/** The key/value cache of a decode step: per layer, `[B, heads, P, headDim]` keys and values. */
export interface DecodeCacheLayout {
  layers: number;
  heads: number;
  headDim: number;
}

/**
 * The decode step's named inputs and outputs (a host loop feeds and reads them by these names).
 * Inputs: `input_ids` int64 `[B, 1]` (row b's token at position s); `position` int64 `[1]` = s;
 * `past_bias` `[1, 1, 1, P]`, 0 at cached positions j < s and −1e9 elsewhere; per layer l,
 * `past_key.l` and `past_value.l` (see {@link DecodeCacheLayout}; entries j ≥ s are ignored).
 * Outputs: `logits` `[B, 1, V]` (next-token logits at position s) and per layer `new_key.l`,
 * `new_value.l` `[B, heads, 1, headDim]`, which the host writes into its cache at position s.
 */
export const DECODE_STEP_IO = {
  inputIds: 'input_ids',
  position: 'position',
  pastBias: 'past_bias',
  pastKey: (layer: number) => `past_key.${layer}`,
  pastValue: (layer: number) => `past_value.${layer}`,
  logits: 'logits',
  newKey: (layer: number) => `new_key.${layer}`,
  newValue: (layer: number) => `new_value.${layer}`,
} as const;

/** Total number of parameters of a model (a tied LM head counted once). */
export function parameterCount(family: ModelFamily, config: unknown): number {
  return family.parameterSpecs(config).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}
