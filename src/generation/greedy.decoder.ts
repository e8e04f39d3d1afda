import type { InferenceSession } from 'onnxruntime-node';

import { DECODE_STEP_IO, ModelFamily } from '../model-families/model-family';
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

/** Cache lengths are rounded up to a multiple of this, so few graph shapes are compiled. */
const LENGTH_BUCKET = 32;

/** Additive attention bias of a cached position that is not yet filled. */
const MASK_NEG = 1e9;

/**
 * Greedy decoding in onnxruntime: x_{t+1} = argmax_v logits_t[v] (ties to the lowest token id),
 * with a key/value cache (the family's decode step, {@link ModelFamily.buildDecodeStep},
 * tied LM head): each step feeds one token per
 * row and attends to the row's cached keys and values, so a step costs one position, not the
 * whole prefix. Prompts are decoded in batches; the rows of a batch advance in lockstep over
 * positions s = 0, 1, …: a row feeds its own prompt token while s is inside its prompt, then
 * its generated tokens (its logits before the last prompt token are not used), so prompts of
 * different lengths need no padding. The cache holds P positions, P = the batch's longest
 * prompt + budget rounded up to 32, at most the context length; one compiled graph per (B, P).
 * A generation ends at a stop id (excluded), after its token budget, or when the context is
 * full.
 */
export class GreedyDecoder {
  private readonly sessions = new Map<string, Promise<InferenceSession>>();

  constructor(
    readonly family: ModelFamily,
    readonly config: unknown,
    private readonly params: ReadonlyMap<string, Float32Array>,
    private readonly settings: SessionSettings,
  ) {}

  private session(B: number, P: number): Promise<InferenceSession> {
    const key = `${B}x${P}`;
    let s = this.sessions.get(key);
    if (!s) {
      const b = new GraphBuilder(20);
      this.family.buildDecodeStep(b, this.config, { batch: B, cacheLength: P });
      s = createSession(serializeModel(b), this.settings);
      this.sessions.set(key, s);
    }
    return s;
  }

  /** Greedy continuations (token ids, stop id excluded) of each prompt, in input order. */
  async generate(prompts: readonly (readonly number[])[], opts: GreedyOptions): Promise<number[][]> {
    const stop = new Set(opts.stopIds ?? []);
    const budget = (i: number) => Math.max(0, typeof opts.maxNewTokens === 'number' ? opts.maxNewTokens : opts.maxNewTokens[i]!);
    prompts.forEach((p) => {
      if (p.length === 0) throw new Error('cannot decode from an empty prompt');
    });
    const order = prompts.map((p, i) => i).sort((a, b) => prompts[a]!.length - prompts[b]!.length || a - b);
    const out: number[][] = prompts.map(() => []);
    const size = opts.batchSize ?? 16;
    for (let c = 0; c < order.length; c += size) await this.decodeBatch(order.slice(c, c + size), prompts, budget, stop, out);
    return out;
  }

  /** Decodes the prompts `idx` together into `out`. */
  private async decodeBatch(
    idx: readonly number[],
    prompts: readonly (readonly number[])[],
    budget: (i: number) => number,
    stop: ReadonlySet<number>,
    out: number[][],
  ): Promise<void> {
    const { contextLength: N, vocabSize: V } = this.family.dimensions(this.config);
    const { layers: nLayer, heads: H, headDim: Dh } = this.family.decodeCacheLayout(this.config);
    const B = idx.length;
    const rows = idx.map((i) => [...prompts[i]!]);
    const done = idx.map((i, k) => budget(i) === 0 || rows[k]!.length >= N);
    if (done.every(Boolean)) return;
    const needed = Math.max(...idx.map((i) => prompts[i]!.length + budget(i)));
    const P = Math.min(N, Math.ceil(needed / LENGTH_BUCKET) * LENGTH_BUCKET);
    const session = await this.session(B, P);
    const cacheSize = B * H * P * Dh;
    const keys = Array.from({ length: nLayer }, () => new Float32Array(cacheSize));
    const values = Array.from({ length: nLayer }, () => new Float32Array(cacheSize));
    const pastBias = new Float32Array(P).fill(-MASK_NEG);
    const ids = new BigInt64Array(B);
    const feeds: Record<string, HostTensor> = {};
    for (const spec of this.family.parameterSpecs(this.config))
      feeds[`param.${spec.name}`] = { dtype: 'float32', dims: spec.shape, data: this.params.get(spec.name)! };
    for (let l = 0; l < nLayer; l++) {
      feeds[DECODE_STEP_IO.pastKey(l)] = { dtype: 'float32', dims: [B, H, P, Dh], data: keys[l]! };
      feeds[DECODE_STEP_IO.pastValue(l)] = { dtype: 'float32', dims: [B, H, P, Dh], data: values[l]! };
    }
    for (let s = 0; s < P && done.some((d) => !d); s++) {
      // a finished row feeds its last token again: its outputs are not read
      rows.forEach((r, k) => (ids[k] = BigInt(r[Math.min(s, r.length - 1)]!)));
      feeds[DECODE_STEP_IO.inputIds] = { dtype: 'int64', dims: [B, 1], data: ids };
      feeds[DECODE_STEP_IO.position] = { dtype: 'int64', dims: [1], data: BigInt64Array.of(BigInt(s)) };
      feeds[DECODE_STEP_IO.pastBias] = { dtype: 'float32', dims: [1, 1, 1, P], data: pastBias };
      const result = await runSession(session, feeds);
      for (let l = 0; l < nLayer; l++) {
        writeCachePosition(keys[l]!, result[DECODE_STEP_IO.newKey(l)]!.data as Float32Array, B * H, P, Dh, s);
        writeCachePosition(values[l]!, result[DECODE_STEP_IO.newValue(l)]!.data as Float32Array, B * H, P, Dh, s);
      }
      pastBias[s] = 0;
      const logits = result[DECODE_STEP_IO.logits]!.data as Float32Array;
      rows.forEach((r, k) => {
        // a row predicts once its last known token was fed
        if (done[k] || s !== r.length - 1) return;
        let best = 0;
        const at = k * V;
        for (let v = 1; v < V; v++) if (logits[at + v]! > logits[at + best]!) best = v;
        const i = idx[k]!;
        if (stop.has(best)) done[k] = true;
        else {
          r.push(best);
          out[i]!.push(best);
          if (out[i]!.length >= budget(i) || r.length >= N) done[k] = true;
        }
      });
    }
  }

  /** Releases compiled sessions. */
  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((p) => p.then((s) => s.release()).catch(() => undefined)));
  }
}

/** Copies the new entries `[BH, 1, d_h]` into the cache `[BH, P, d_h]` at position s. */
function writeCachePosition(cache: Float32Array, entries: Float32Array, BH: number, P: number, Dh: number, s: number): void {
  for (let r = 0; r < BH; r++) cache.set(entries.subarray(r * Dh, (r + 1) * Dh), (r * P + s) * Dh);
}
