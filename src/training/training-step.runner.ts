import type { InferenceSession } from 'onnxruntime-node';

import { buildHeadGraph } from '../engine/gradient-heads.graph';
import { Gpt2Config, gpt2Family, gpt2ParameterSpecs } from '../model-families/gpt2';
import { serializeModel } from '../onnx/onnx.serializer';
import { HostTensor, SessionSettings, createSession, runSession } from '../onnx/ort.runner';
import { TrainingBatch } from './training-batch.packer';

/** Loss and gradients of one batch. */
export interface StepResult {
  /** L = Σ_{b,t} m_{b,t} · (−log p(x_{b,t+1} | x_{b,≤t})), nats summed over scored tokens. */
  lossSum: number;
  /** ∂L/∂θ by canonical HF name (float32, HF layout), for the summed loss. */
  grads: Map<string, Float32Array>;
}

/**
 * Forward + backward of a GPT-2 on a training batch in onnxruntime, using the gradient engine's
 * all-parameter head (`buildHeadGraph(gpt2Family, ..., { labels: 'data', allGradients: true })`).
 * Parameters are fed fresh on every call (so the optimiser may update them in place between
 * calls); one session is compiled per batch shape [B, T].
 */
export class TrainingStepRunner {
  private readonly sessions = new Map<string, Promise<InferenceSession>>();

  constructor(
    readonly config: Gpt2Config,
    readonly settings: SessionSettings,
  ) {}

  private session(B: number, T: number, head: 'train' | 'loss'): Promise<InferenceSession> {
    const key = `${B}x${T}|${head}`;
    let s = this.sessions.get(key);
    if (!s) {
      const g = buildHeadGraph(gpt2Family, this.config, { batch: B, seqLen: T, dtype: 'float32' }, { labels: 'data', allGradients: head === 'train' });
      s = createSession(serializeModel(g.builder), this.settings);
      this.sessions.set(key, s);
    }
    return s;
  }

  private feeds(params: ReadonlyMap<string, Float32Array>, batch: TrainingBatch): Record<string, HostTensor> {
    const dims = [batch.batch, batch.seqLen];
    const feeds: Record<string, HostTensor> = {
      input_ids: { dtype: 'int64', dims, data: batch.inputIds },
      attention_mask: { dtype: 'float32', dims, data: batch.attentionMask },
      loss_mask: { dtype: 'float32', dims, data: batch.lossMask },
      targets: { dtype: 'int64', dims, data: batch.targets },
    };
    for (const spec of gpt2ParameterSpecs(this.config)) {
      const data = params.get(spec.name);
      if (!data) throw new Error(`missing parameter ${spec.name}`);
      feeds[`param.${spec.name}`] = { dtype: 'float32', dims: spec.shape, data };
    }
    return feeds;
  }

  /** Summed loss and its gradient w.r.t. every parameter. */
  async run(params: ReadonlyMap<string, Float32Array>, batch: TrainingBatch): Promise<StepResult> {
    const out = await runSession(await this.session(batch.batch, batch.seqLen, 'train'), this.feeds(params, batch));
    const grads = new Map<string, Float32Array>();
    for (const spec of gpt2ParameterSpecs(this.config)) grads.set(spec.name, out[`grad.${spec.name}`]!.data as Float32Array);
    return { lossSum: Number((out.loss!.data as Float32Array)[0]), grads };
  }

  /** Summed loss only (forward pass). */
  async loss(params: ReadonlyMap<string, Float32Array>, batch: TrainingBatch): Promise<number> {
    const out = await runSession(await this.session(batch.batch, batch.seqLen, 'loss'), this.feeds(params, batch));
    return Number((out.loss!.data as Float32Array)[0]);
  }

  /** Releases the compiled sessions. */
  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((p) => p.then((s) => s.release()).catch(() => undefined)));
  }
}
