import { cpus } from 'node:os';

import type { ModelDimensions, ModelFamily, ModelWeights } from '../model-families/model-family';
import { TensorData } from '../onnx/graph.types';
import { HostTensor, SessionSettings, runSession } from '../onnx/ort.runner';
import { serializeModel } from '../onnx/onnx.serializer';
import { buildHeadGraph } from './gradient-heads.graph';
import { HeadSpec, headKey } from './gradient-head.definition';
import { Mulberry32 } from '../math/seeded-random';
import { PackedBatch } from './sequence-windows';
import { SessionCache } from './session.cache';

/** How the engine executes. */
export interface EngineSettings extends SessionSettings {
  /** Compute type of the graphs (float64 is for verification). */
  dtype: 'float32' | 'float64';
  /**
   * Where the parameters live: `feeds` — graph inputs passed on every run (one graph per config);
   * `graph` — initializers inside each compiled graph (onnxruntime can pre-pack them and, on
   * CUDA, keeps them on the device; graphs are then specific to the weights, which the model
   * hash in the cache key already is). With `graph`, values are captured when a graph is first
   * compiled: weights changed in place afterwards are not seen (use `feeds` for training).
   * Default: `graph` on CUDA, `feeds` on CPU.
   */
  weights?: 'feeds' | 'graph';
}

/**
 * Default settings: CPU, float32, all cores inside ops, sequential across ops, all graph
 * optimisations for float32 and 'basic' for float64 (verification), weights embedded in the
 * graph on CUDA (no host-to-device copy of the parameters per run) and fed on CPU.
 */
export function defaultEngineSettings(over: Partial<EngineSettings> = {}): EngineSettings {
  const dtype = over.dtype ?? 'float32';
  const device = over.device ?? 'cpu';
  return {
    device,
    dtype,
    intraOpThreads: Math.max(1, cpus().length),
    interOpThreads: 1,
    optimization: dtype === 'float64' ? 'basic' : 'all',
    weights: device === 'cuda' ? 'graph' : 'feeds',
    ...over,
  };
}

/** Engine outputs by name (see {@link buildHeadGraph}). */
export type EngineOutputs = Record<string, { dims: number[]; data: TensorData }>;

/**
 * What the engine needs of a model: its family (which builds the graphs and names the layers),
 * the family's parsed config, the weights and the content hash (a `LoadedModel` is one).
 */
export interface EngineModel {
  family: ModelFamily;
  config: unknown;
  weights: ModelWeights;
  hash: string;
}

/**
 * Runs a model's forward + backward graphs in onnxruntime. The graphs come from the model's
 * family ({@link buildHeadGraph}); parameters are fed as inputs (converted once to the compute
 * dtype); graphs are compiled once per (model hash, head, batch shape) in a {@link SessionCache}.
 */
export class GradientEngine {
  private readonly paramFeeds = new Map<string, HostTensor>();
  readonly cache: SessionCache;
  /** The model's context length, vocabulary size and layer count. */
  readonly dimensions: ModelDimensions;

  constructor(
    readonly model: EngineModel,
    readonly settings: EngineSettings = defaultEngineSettings(),
    cache?: SessionCache,
  ) {
    this.cache = cache ?? new SessionCache();
    this.dimensions = model.family.dimensions(model.config);
    const A = settings.dtype === 'float64' ? Float64Array : Float32Array;
    const add = (name: string, data: Float32Array, dims: number[]) =>
      this.paramFeeds.set(`param.${name}`, { dtype: settings.dtype, dims, data: settings.dtype === 'float64' ? A.from(data) : data });
    const { family, config } = model;
    for (const spec of family.parameterSpecs(config)) add(spec.name, model.weights.tensors.get(spec.name)!, spec.shape);
    if (model.weights.lmHead) {
      const head = family.untiedHeadSpec(config);
      add(head.name, model.weights.lmHead, head.shape);
    }
  }

  /**
   * Runs `head` on a packed batch. `extra` supplies head inputs (P/R/M matrices); sampled-label
   * heads need `gumbel_noise` (see {@link gumbelNoise}).
   */
  async run(head: HeadSpec, batch: PackedBatch, extra: Record<string, HostTensor> = {}): Promise<EngineOutputs> {
    const { dtype } = this.settings;
    const shape = { batch: batch.batch, seqLen: batch.seqLen, dtype };
    const untied = this.model.weights.lmHead !== undefined;
    const key = `${this.model.hash}|${headKey(head)}|${shape.batch}x${shape.seqLen}|${dtype}|untied=${untied}`;
    const embed = this.settings.weights === 'graph';
    const embeddedWeights = embed
      ? new Map([...this.paramFeeds].map(([k, v]) => [k.slice('param.'.length), v.data as Float32Array | Float64Array]))
      : undefined;
    const session = await this.cache.get(`${key}|weights=${embed ? 'graph' : 'feeds'}`, this.settings, () =>
      serializeModel(buildHeadGraph(this.model.family, this.model.config, shape, head, { untiedLmHead: untied, embeddedWeights }).builder),
    );
    const A = dtype === 'float64' ? Float64Array : Float32Array;
    const dims = [batch.batch, batch.seqLen];
    const feeds: Record<string, HostTensor> = {
      ...(embed ? {} : Object.fromEntries(this.paramFeeds)),
      input_ids: { dtype: 'int64', dims, data: batch.inputIds },
      attention_mask: { dtype, dims, data: A.from(batch.attentionMask) },
      loss_mask: { dtype, dims, data: A.from(batch.lossMask) },
      ...extra,
    };
    if (head.labels === 'data') feeds.targets = { dtype: 'int64', dims, data: batch.targets };
    else if (head.labels === 'sampled' && !feeds.gumbel_noise) throw new Error('sampled-label head needs a gumbel_noise input');
    else if (head.labels === 'sampled-icdf' && !feeds.uniform_noise) throw new Error('sampled-icdf head needs a uniform_noise input');
    return runSession(session, feeds);
  }
}

/**
 * Standard Gumbel noise `[B, T, V]` from a seed, for sampled labels: the sample at (b, t) is
 * argmax_v(logits + g), distributed as softmax(logits). Same seed ⇒ same labels.
 */
export function gumbelNoise(seed: number, batch: number, seqLen: number, vocab: number, dtype: 'float32' | 'float64'): HostTensor {
  const rng = new Mulberry32(seed);
  const data = new (dtype === 'float64' ? Float64Array : Float32Array)(batch * seqLen * vocab);
  for (let i = 0; i < data.length; i++) data[i] = rng.gumbel();
  return { dtype, dims: [batch, seqLen, vocab], data };
}

/** Uniform (0,1) noise `[B, T]` from a seed, for the `sampled-icdf` head. */
export function uniformNoise(seed: number, batch: number, seqLen: number, dtype: 'float32' | 'float64'): HostTensor {
  const rng = new Mulberry32(seed);
  const data = new (dtype === 'float64' ? Float64Array : Float32Array)(batch * seqLen);
  for (let i = 0; i < data.length; i++) data[i] = rng.nextOpen();
  return { dtype, dims: [batch, seqLen], data };
}
