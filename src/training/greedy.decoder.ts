import type { InferenceSession } from 'onnxruntime-node';

import { buildGpt2Forward } from '../engine/gpt2-forward.graph';
import { Gpt2Config } from '../model/gpt2.config';
import { gpt2ParameterSpecs } from '../model/gpt2.parameters';
import { GraphBuilder } from '../onnx/graph.builder';
import { serializeModel } from '../onnx/onnx.serializer';
import { HostTensor, SessionSettings, createSession, runSession } from '../onnx/ort.runner';

/** Options of greedy decoding. */
export interface GreedyOptions {
  /** New tokens at most per prompt (a per-prompt array overrides it row by row). */
  maxNewTokens: number | readonly number[];
  /** Token ids that end a generation (not included in the output), e.g. end-of-text. */
  stopIds?: readonly number[];
  /** Prompts decoded together in one batch (default 16). */
  batchSize?: number;
}

/** Sequence lengths are rounded up to a multiple of this, so few graph shapes are compiled. */
const LENGTH_BUCKET = 32;

/**
 * Greedy decoding of a GPT-2 in onnxruntime: x_{t+1} = argmax_v logits_t[v], with the whole
 * prefix re-run each step (no key/value cache; the reference model is small). Prompts are
 * decoded in batches, right-padded to the next multiple of 32 tokens (padding is masked, so
 * it does not change a row's logits); ties go to the lowest token id. A generation ends at a
 * stop id, after its token budget, or when the context (n_positions) is full.
 */
export class GreedyDecoder {
  private readonly sessions = new Map<string, Promise<InferenceSession>>();

  constructor(
    readonly config: Gpt2Config,
    private readonly params: ReadonlyMap<string, Float32Array>,
    private readonly settings: SessionSettings,
  ) {}

  private session(B: number, T: number): Promise<InferenceSession> {
    const key = `${B}x${T}`;
    let s = this.sessions.get(key);
    if (!s) {
      const b = new GraphBuilder(20);
      const fwd = buildGpt2Forward(b, this.config, { batch: B, seqLen: T, dtype: 'float32' });
      b.output(fwd.logits, 'logits');
      s = createSession(serializeModel(b), this.settings);
      this.sessions.set(key, s);
    }
    return s;
  }

  /** Next-token logits `[B, V]` at the last real position of each row. */
  async lastLogits(rows: readonly (readonly number[])[]): Promise<Float32Array[]> {
    const B = rows.length;
    const maxLen = Math.max(...rows.map((r) => r.length));
    const T = Math.min(this.config.nPositions, Math.ceil(maxLen / LENGTH_BUCKET) * LENGTH_BUCKET);
    const ids = new BigInt64Array(B * T);
    const mask = new Float32Array(B * T);
    rows.forEach((r, b) => r.forEach((t, j) => ((ids[b * T + j] = BigInt(t)), (mask[b * T + j] = 1))));
    const feeds: Record<string, HostTensor> = {
      input_ids: { dtype: 'int64', dims: [B, T], data: ids },
      attention_mask: { dtype: 'float32', dims: [B, T], data: mask },
    };
    for (const spec of gpt2ParameterSpecs(this.config)) feeds[`param.${spec.name}`] = { dtype: 'float32', dims: spec.shape, data: this.params.get(spec.name)! };
    const out = await runSession(await this.session(B, T), feeds);
    const logits = out.logits!.data as Float32Array;
    const V = this.config.vocabSize;
    return rows.map((r, b) => logits.slice((b * T + r.length - 1) * V, (b * T + r.length) * V));
  }

  /** Greedy continuations (token ids, stop id excluded) of each prompt, in input order. */
  async generate(prompts: readonly (readonly number[])[], opts: GreedyOptions): Promise<number[][]> {
    const stop = new Set(opts.stopIds ?? []);
    const budget = (i: number) => (typeof opts.maxNewTokens === 'number' ? opts.maxNewTokens : opts.maxNewTokens[i]!);
    const order = prompts.map((p, i) => i).sort((a, b) => prompts[a]!.length - prompts[b]!.length || a - b);
    const out: number[][] = prompts.map(() => []);
    const size = opts.batchSize ?? 16;
    for (let c = 0; c < order.length; c += size) {
      const idx = order.slice(c, c + size);
      const rows = idx.map((i) => {
        if (prompts[i]!.length === 0) throw new Error('cannot decode from an empty prompt');
        return [...prompts[i]!];
      });
      const done = idx.map((i, k) => budget(i) <= 0 || rows[k]!.length >= this.config.nPositions);
      while (done.some((d) => !d)) {
        const live = idx.map((_, k) => k).filter((k) => !done[k]);
        const logits = await this.lastLogits(live.map((k) => rows[k]!));
        live.forEach((k, j) => {
          const l = logits[j]!;
          let best = 0;
          for (let v = 1; v < l.length; v++) if (l[v]! > l[best]!) best = v;
          const i = idx[k]!;
          if (stop.has(best)) done[k] = true;
          else {
            rows[k]!.push(best);
            out[i]!.push(best);
            if (out[i]!.length >= budget(i) || rows[k]!.length >= this.config.nPositions) done[k] = true;
          }
        });
      }
    }
    return out;
  }

  /** Releases compiled sessions. */
  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((p) => p.then((s) => s.release()).catch(() => undefined)));
  }
}
