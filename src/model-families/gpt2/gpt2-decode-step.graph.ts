import { GraphBuilder } from '../../onnx/graph.builder';
import { Value } from '../../onnx/graph.types';
import { DECODE_STEP_IO, DecodeStepShape } from '../model-family';
import { Gpt2Config } from './gpt2.config';
import { gpt2ParameterSpecs } from './gpt2.parameters';

/**
 * One step of GPT-2 decoding with a key/value cache (float32): every row of the batch feeds the
 * token at the same position s and attends to its cached keys and values of positions 0..s−1
 * plus its own new ones.
 *
 * Inputs: `input_ids` int64 `[B, 1]` (row b's token at position s); `position` int64 `[1]` = s;
 * `past_bias` `[1, 1, 1, P]`, 0 at cached positions j < s and −1e9 elsewhere (the host's mask);
 * per layer l, `past_key.l` and `past_value.l` `[B, H, P, d_h]` (entries j ≥ s are ignored);
 * the parameters as `param.<name>`, as in {@link buildGpt2Forward}.
 *
 * Per block, with q, k, v = split(c_attn(ln_1 h)) of the one new position:
 *   scores = [ (q/√d_h)·K_pastᵀ + past_bias , (q/√d_h)·kᵀ ]    `[B, H, 1, P + 1]`
 *   ctx    = softmax(scores)[:P]·V_past + softmax(scores)[P]·v
 * which is row s of the full causal attention (positions j > s never enter). The rest of the
 * block, ln_f and the tied (or untied) head are those of the full forward pass.
 *
 * Outputs: `logits` `[B, 1, V]` (next-token logits at position s), and per layer `new_key.l`,
 * `new_value.l` `[B, H, 1, d_h]`, which the host writes into its cache at position s.
 */
export function buildGpt2DecodeStep(b: GraphBuilder, config: Gpt2Config, shape: DecodeStepShape, opts: { untiedLmHead?: boolean } = {}): void {
  const { batch: B, cacheLength: P } = shape;
  const D = config.nEmbd;
  const H = config.nHead;
  const Dh = D / H;
  if (!Number.isInteger(P) || P < 1 || P > config.nPositions) throw new Error(`cache length ${P} must be 1..n_positions ${config.nPositions}`);
  const params = new Map<string, Value>();
  for (const s of gpt2ParameterSpecs(config)) params.set(s.name, b.input(`param.${s.name}`, 'float32', s.shape));
  if (opts.untiedLmHead) params.set('lm_head.weight', b.input('param.lm_head.weight', 'float32', [config.vocabSize, D]));
  const p = (n: string): Value => params.get(n)!;

  const ids = b.input(DECODE_STEP_IO.inputIds, 'int64', [B, 1]);
  const position = b.input(DECODE_STEP_IO.position, 'int64', [1]);
  const pastBias = b.input(DECODE_STEP_IO.pastBias, 'float32', [1, 1, 1, P]);

  // [B,1,D] + [1,D]
  let h = b.add(b.gather(p('wte.weight'), ids), b.gather(p('wpe.weight'), position));
  const linear = (name: string, x: Value): Value => b.add(b.matmul(x, p(`${name}.weight`)), p(`${name}.bias`));
  const heads = (t: Value): Value => b.transpose(b.reshape(t, [B, 1, H, Dh]), [0, 2, 1, 3]);
  const scale = b.scalar(1 / Math.sqrt(Dh), 'float32');
  for (let l = 0; l < config.nLayer; l++) {
    const pre = `h.${l}.`;
    const pastKey = b.input(DECODE_STEP_IO.pastKey(l), 'float32', [B, H, P, Dh]);
    const pastValue = b.input(DECODE_STEP_IO.pastValue(l), 'float32', [B, H, P, Dh]);
    const x1 = b.layerNorm(h, p(`${pre}ln_1.weight`), p(`${pre}ln_1.bias`), config.layerNormEpsilon);
    const [q, k, v] = b.split(linear(`${pre}attn.c_attn`, x1), -1, [D, D, D]).map(heads) as [Value, Value, Value];
    const qs = b.mul(q, scale);
    const scores = b.concat([b.add(b.matmul(qs, b.transposeLast2(pastKey)), pastBias), b.matmul(qs, b.transposeLast2(k))], -1);
    const [probsPast, probsNew] = b.split(b.softmax(scores, -1), -1, [P, 1]) as [Value, Value];
    const ctx = b.add(b.matmul(probsPast, pastValue), b.matmul(probsNew, v));
    h = b.add(h, linear(`${pre}attn.c_proj`, b.reshape(b.transpose(ctx, [0, 2, 1, 3]), [B, 1, D])));
    const x2 = b.layerNorm(h, p(`${pre}ln_2.weight`), p(`${pre}ln_2.bias`), config.layerNormEpsilon);
    h = b.add(h, linear(`${pre}mlp.c_proj`, b.geluTanh(linear(`${pre}mlp.c_fc`, x2))));
    b.output(k, DECODE_STEP_IO.newKey(l));
    b.output(v, DECODE_STEP_IO.newValue(l));
  }
  const hf = b.layerNorm(h, p('ln_f.weight'), p('ln_f.bias'), config.layerNormEpsilon);
  const head = opts.untiedLmHead ? p('lm_head.weight') : p('wte.weight');
  b.output(b.matmul(hf, b.transposeLast2(head)), DECODE_STEP_IO.logits);
}
