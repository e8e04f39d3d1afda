import { GraphBuilder } from '../../onnx/graph.builder';
import { Value } from '../../onnx/graph.types';
import { ForwardGraph, ForwardGraphOptions, GraphShape, LinearSite } from '../model-family';
import { Gpt2Config } from './gpt2.config';
import { gpt2ParameterSpecs } from './gpt2.parameters';

const MASK_NEG = 1e9;

function layerNorm(b: GraphBuilder, x: Value, gamma: Value, beta: Value, eps: number): Value {
  // y = (x − μ) / √(σ² + ε) · γ + β over the last axis (one LayerNormalization op)
  return b.layerNorm(x, gamma, beta, eps);
}

/**
 * Emits the HF GPT-2 forward pass (linear layers are HF Conv1D, W stored `[in, out]`): h₀ = wte[ids] + wpe[0..T); per block (pre-LayerNorm)
 * h += c_proj(attn(ln_1 h)), h += mlp.c_proj(gelu_new(mlp.c_fc(ln_2 h))); causal softmax
 * attention with scale 1/√d_head and right padding masked by `attention_mask` (masked scores
 * get −1e9); logits = ln_f(h)·wteᵀ (tied) or ·lm_headᵀ. Parameters are graph inputs named
 * `param.<name>` (one compiled graph serves any weights of the same config) or, with
 * `embeddedWeights`, initializers of the same names.
 */
export function buildGpt2Forward(b: GraphBuilder, config: Gpt2Config, shape: GraphShape, opts: ForwardGraphOptions = {}): ForwardGraph {
  const { batch: B, seqLen: T, dtype } = shape;
  const D = config.nEmbd;
  const H = config.nHead;
  const Dh = D / H;
  if (T > config.nPositions) throw new Error(`sequence length ${T} exceeds n_positions ${config.nPositions}`);
  const params = new Map<string, Value>();
  const declare = (name: string, dims: number[]): Value => {
    const data = opts.embeddedWeights?.get(name);
    return data ? b.constant(data, dims, dtype, `param.${name}`) : b.input(`param.${name}`, dtype, dims);
  };
  for (const s of gpt2ParameterSpecs(config)) params.set(s.name, declare(s.name, s.shape));
  if (opts.untiedLmHead) params.set('lm_head.weight', declare('lm_head.weight', [config.vocabSize, D]));
  const p = (n: string): Value => params.get(n)!;

  const inputIds = b.input('input_ids', 'int64', [B, T]);
  const attentionMask = b.input('attention_mask', dtype, [B, T]);

  // additive attention bias [B,1,T,T]: 0 where key ≤ query and key is a real token, else −1e9
  const causal = new (dtype === 'float32' ? Float32Array : Float64Array)(T * T);
  for (let i = 0; i < T; i++) for (let j = 0; j <= i; j++) causal[i * T + j] = 1;
  const allowed = b.mul(b.constant(causal, [1, 1, T, T], dtype, 'causal'), b.reshape(attentionMask, [B, 1, 1, T]));
  const attnBias = b.mul(b.sub(allowed, b.scalar(1, dtype)), b.scalar(MASK_NEG, dtype));

  const positions = b.constant(
    BigInt64Array.from({ length: T }, (_, i) => BigInt(i)),
    [T],
    'int64',
    'positions',
  );
  let h = b.add(b.gather(p('wte.weight'), inputIds), b.gather(p('wpe.weight'), positions));

  const linears = new Map<string, LinearSite>();
  const linear = (name: string, x: Value): Value => {
    const w = p(`${name}.weight`);
    const bias = p(`${name}.bias`);
    const s = b.add(b.matmul(x, w), bias);
    linears.set(name, { name, input: x, output: s, weight: w, bias, inFeatures: w.shape[0]!, outFeatures: w.shape[1]! });
    return s;
  };
  const scale = b.scalar(1 / Math.sqrt(Dh), dtype);
  for (let l = 0; l < config.nLayer; l++) {
    const pre = `h.${l}.`;
    const x1 = layerNorm(b, h, p(`${pre}ln_1.weight`), p(`${pre}ln_1.bias`), config.layerNormEpsilon);
    const qkv = linear(`${pre}attn.c_attn`, x1);
    const [q, k, v] = b.split(qkv, -1, [D, D, D]).map((t) => b.transpose(b.reshape(t, [B, T, H, Dh]), [0, 2, 1, 3])) as [Value, Value, Value];
    const scores = b.add(b.matmul(b.mul(q, scale), b.transposeLast2(k)), attnBias);
    const probs = b.softmax(scores, -1);
    const ctx = b.reshape(b.transpose(b.matmul(probs, v), [0, 2, 1, 3]), [B, T, D]);
    h = b.add(h, linear(`${pre}attn.c_proj`, ctx));
    const x2 = layerNorm(b, h, p(`${pre}ln_2.weight`), p(`${pre}ln_2.bias`), config.layerNormEpsilon);
    const fc = b.geluTanh(linear(`${pre}mlp.c_fc`, x2)); // gelu_new
    h = b.add(h, linear(`${pre}mlp.c_proj`, fc));
  }
  const hf = layerNorm(b, h, p('ln_f.weight'), p('ln_f.bias'), config.layerNormEpsilon);
  const head = opts.untiedLmHead ? p('lm_head.weight') : p('wte.weight');
  const logits = b.matmul(hf, b.transposeLast2(head));
  return { params, inputIds, attentionMask, logits, linears };
}
