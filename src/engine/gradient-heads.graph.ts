import type { ForwardGraphOptions, GraphShape, ModelFamily } from '../model-families/model-family';
import { buildGradients } from '../onnx/autodiff';
import { GraphBuilder } from '../onnx/graph.builder';
import { Value } from '../onnx/graph.types';
import { HeadSpec } from './gradient-head.definition';

/** A graph ready to serialise, with the names of its inputs and outputs. */
export interface HeadGraph {
  builder: GraphBuilder;
  tracked: string[];
  /** [in, out] feature sizes of each tracked layer. */
  layerSizes: Map<string, [number, number]>;
}

/**
 * Builds the family's forward pass ({@link ModelFamily.buildForward}) + loss + backward + the
 * requested heads (see {@link HeadSpec}); the heads depend only on the forward's logits and
 * linear layers, so they are the same for every model family.
 * Inputs: `input_ids` int64 [B,T], `attention_mask` [B,T], `loss_mask` [B,T], `targets` int64
 * [B,T] (data labels) or `gumbel_noise` [B,T,V] (`sampled`) or `uniform_noise` [B,T]
 * (`sampled-icdf`), `param.<name>` (unless embedded), and the matrices of the projection,
 * eigenvalue-correction and influence heads. Outputs always include `logp [B,T]` (log p of each
 * target) and `loss []` = Σ loss_mask·(−logp); sampled-label graphs also output
 * `sampled_targets` int64 [B,T]; the other outputs are listed on {@link HeadSpec}.
 */
export function buildHeadGraph(family: ModelFamily, config: unknown, shape: GraphShape, head: HeadSpec, opts: ForwardGraphOptions = {}): HeadGraph {
  const b = new GraphBuilder(20);
  const { batch: B, seqLen: T, dtype } = shape;
  const V = family.dimensions(config).vocabSize;
  const fwd = family.buildForward(b, config, shape, opts);
  const lossMask = b.input('loss_mask', dtype, [B, T]);
  let targets: Value;
  if (head.labels === 'sampled') {
    // Gumbel-max: argmax_v (logits_v + g_v), g ~ Gumbel(0,1) fed as an input ⇒ a sample of p(·|x≤t)
    const noise = b.input('gumbel_noise', dtype, [B, T, V]);
    targets = b.argMax(b.add(fwd.logits, noise), -1, false);
    b.output(targets, 'sampled_targets');
  } else if (head.labels === 'sampled-icdf') {
    // inverse CDF: u ~ U(0,1) per position, target = #{v : F_v < u}, F = cumsum(softmax(logits))
    const u = b.input('uniform_noise', dtype, [B, T]);
    const cdf = b.node('CumSum', [b.softmax(fwd.logits, -1), b.constant(BigInt64Array.of(2n), [], 'int64', 'axis')], [{ dtype, shape: [B, T, V] }])[0]!;
    const below = b.node('Less', [cdf, b.reshape(u, [B, T, 1])], [{ dtype: 'bool', shape: [B, T, V] }])[0]!;
    const count = b.reduceSum(b.cast(below, 'int64'), [-1], false);
    targets = b.node('Min', [count, b.scalar(V - 1, 'int64')], [{ dtype: 'int64', shape: [B, T] }])[0]!; // guards F_V < 1 by rounding
    b.output(targets, 'sampled_targets');
  } else {
    targets = b.input('targets', 'int64', [B, T]);
  }
  const logpAll = b.logSoftmax(fwd.logits, -1);
  const logp = b.reshape(b.gatherElements(logpAll, b.reshape(targets, [B, T, 1]), -1), [B, T]);
  b.output(logp, 'logp');
  const loss = b.neg(b.reduceSum(b.mul(logp, lossMask), [0, 1], false));
  b.output(loss, 'loss');

  const tracked = head.tracked ?? family.defaultTrackedLayers(config);
  const layerSizes = new Map<string, [number, number]>();
  for (const name of tracked) {
    const site = fwd.linears.get(name);
    if (!site) throw new Error(`unknown tracked layer ${name}; expected ${family.trackableLayers(config)}`);
    layerSizes.set(name, [site.inFeatures, site.outFeatures]);
  }
  const needsDelta =
    head.activations || head.covariance || head.projection || head.influence || head.influenceTotals || head.eigenCorrection || head.gradientNorms;
  const needsBackward = head.allGradients || head.trackedGradients || needsDelta;
  if (!needsBackward) return { builder: b, tracked, layerSizes };

  const paramValues = [...fwd.params.values()];
  const sites = tracked.map((n) => fwd.linears.get(n)!);
  const wrt: Value[] = [];
  if (head.allGradients) wrt.push(...paramValues);
  else if (head.trackedGradients) for (const s of sites) wrt.push(s.weight, s.bias);
  if (needsDelta) wrt.push(...sites.map((s) => s.output));
  const grads = buildGradients(b, loss, wrt);

  if (head.allGradients) for (const [name, v] of fwd.params) b.output(grads.getOrZeros(v), `grad.${name}`);
  else if (head.trackedGradients) {
    for (const s of sites) for (const k of ['weight', 'bias'] as const) b.output(grads.getOrZeros(s[k]), `grad.${s.name}.${k}`);
  }
  if (!needsDelta) return { builder: b, tracked, layerSizes };

  const valid = b.reshape(fwd.attentionMask, [B * T, 1]);
  const ones = b.expand(b.scalar(1, dtype), [B, T, 1]);
  for (const s of sites) {
    const I = s.inFeatures + 1;
    const O = s.outFeatures;
    const aBar = b.concat([s.input, ones], -1); // [B,T,I]
    const delta = grads.getOrZeros(s.output); // [B,T,O]
    if (head.activations) {
      b.output(aBar, `a.${s.name}`);
      b.output(delta, `delta.${s.name}`);
    }
    const a2 = b.mul(b.reshape(aBar, [B * T, I]), valid); // padding rows zeroed
    const d2 = b.mul(b.reshape(delta, [B * T, O]), valid);
    if (head.covariance) {
      b.output(b.matmul(b.transposeLast2(a2), a2), `A.${s.name}`);
      b.output(b.matmul(b.transposeLast2(d2), d2), `S.${s.name}`);
    }
    if (head.projection) {
      const r = head.projection.ranks[s.name];
      if (!r) throw new Error(`projection head: no ranks for layer ${s.name}`);
      const P = b.input(`P.${s.name}`, dtype, [r[0], O]);
      const R = b.input(`R.${s.name}`, dtype, [r[1], I]);
      const dP = b.reshape(b.matmul(d2, b.transposeLast2(P)), [B, T, r[0]]);
      const aR = b.reshape(b.matmul(a2, b.transposeLast2(R)), [B, T, r[1]]);
      b.output(b.matmul(b.transposeLast2(dP), aR), `proj.${s.name}`); // [B, r_o, r_i]
    }
    if (head.gradientNorms) {
      const Gb = b.matmul(b.transposeLast2(b.reshape(d2, [B, T, O])), b.reshape(a2, [B, T, I])); // [B, O, I]
      b.output(b.reduceSum(b.mul(Gb, Gb), [1, 2], false), `sqnorm.${s.name}`);
    }
    if (head.eigenCorrection) {
      const QS = b.input(`QS.${s.name}`, dtype, [O, O]);
      const QA = b.input(`QA.${s.name}`, dtype, [I, I]);
      const dQ = b.reshape(b.matmul(d2, QS), [B, T, O]); // rows Q_Sᵀ δ_t
      const aQ = b.reshape(b.matmul(a2, QA), [B, T, I]); // rows Q_Aᵀ ā_t
      const rotated = b.matmul(b.transposeLast2(dQ), aQ); // [B, O, I] = Q_Sᵀ G_b Q_A
      b.output(b.reduceSum(b.mul(rotated, rotated), [0], false), `Lambda.${s.name}`);
    }
    if (head.influence) {
      const Q = head.influence.queries;
      const rank = head.influence.rank;
      let tau: Value; // [Q, BT]
      if (rank === undefined) {
        const M = b.input(`M.${s.name}`, dtype, [Q, O, I]);
        const Ma = b.matmul(b.reshape(a2, [1, B * T, I]), b.transposeLast2(M)); // [Q, BT, O]
        tau = b.reduceSum(b.mul(Ma, b.reshape(d2, [1, B * T, O])), [-1], false);
      } else {
        const U = b.input(`MU.${s.name}`, dtype, [Q, O, rank]);
        const Vm = b.input(`MV.${s.name}`, dtype, [Q, I, rank]);
        const dU = b.matmul(b.reshape(d2, [1, B * T, O]), U); // [Q, BT, r]
        const aV = b.matmul(b.reshape(a2, [1, B * T, I]), Vm); // [Q, BT, r]
        tau = b.reduceSum(b.mul(dU, aV), [-1], false);
      }
      b.output(b.reshape(tau, [Q, B, T]), `tau.${s.name}`);
    }
    if (head.influenceTotals) {
      const Q = head.influenceTotals.queries;
      const r = head.influenceTotals.ranks[s.name];
      if (r === undefined) throw new Error(`influence-totals head: no rank for layer ${s.name}`);
      if (r === 0) {
        const KM = b.input(`KM.${s.name}`, dtype, [O * I, Q]);
        const Gb = b.matmul(b.transposeLast2(b.reshape(d2, [B, T, O])), b.reshape(a2, [B, T, I])); // [B, O, I]
        b.output(b.matmul(b.reshape(Gb, [B, O * I]), KM), `score.${s.name}`); // [B, Q]
      } else {
        const KU = b.input(`KU.${s.name}`, dtype, [O, Q * r]);
        const KV = b.input(`KV.${s.name}`, dtype, [I, Q * r]);
        const terms = b.mul(b.matmul(d2, KU), b.matmul(a2, KV)); // [BT, Q·r]: (U_qkᵀ δ_t)(V_qkᵀ ā_t)
        b.output(b.reduceSum(b.reshape(terms, [B, T, Q, r]), [1, 3], false), `score.${s.name}`); // [B, Q]
      }
    }
  }
  return { builder: b, tracked, layerSizes };
}
