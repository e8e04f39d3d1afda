import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import { projectQuery } from '../influence/document-projection.pipeline';
import { dampingKey } from '../influence/score-arguments';
import { DEFAULT_DAMPING, type DampingSpec } from '../math/damping';
import type { PreconditionedQuery } from '../math/influence-score';
import type { LowRankFactors } from '../math/low-rank-approximation';
import type { Matrix } from '../math/dense-matrix';
import { sketchVector } from '../math/projection-sketch';
import type { QueryRepository } from '../repositories/query.repository';
import type { QueryVectorRepository } from '../repositories/query-vector.repository';
import type { EngineCache } from './engine-cache';
import type { FactorSetService } from './factor-set.service';
import type { ModelAnswerService } from './model-answer.service';
import type { ProjectionSpaceService } from './projection-space.service';

/** What one query computation produced for a query. */
export interface QueryComputation {
  readonly id: number;
  /** nats(q), in nats. */
  readonly nats: number;
  /** The model's greedy continuation of the prompt (null: not decodable by this model). */
  readonly modelAnswer: string | null;
  /** Whether its final answer is the query's answer (null: undecidable). */
  readonly answeredCorrectly: boolean | null;
}

/** Layout of the stored M_ℓ(q) bytes (float32, little-endian), per layer in order. */
export type StoredQueryLayout = Array<
  | { layer: string; kind: 'dense'; rows: number; cols: number; offset: number }
  | { layer: string; kind: 'lowrank'; rows: number; cols: number; rank: number; offset: number }
>;

/** M_ℓ(q) of every layer as float32 bytes: dense row-major, or U (o×r), σ (r), V ((i+1)×r). */
export function serializeQueryFactors(
  layers: readonly string[],
  m: readonly PreconditionedQuery[],
): { bytes: Buffer; layout: StoredQueryLayout; rank: number | null } {
  const parts: Float32Array[] = [];
  const layout: StoredQueryLayout = [];
  let offset = 0;
  let maxRank: number | null = null;
  m.forEach((factor, k) => {
    const low = factor as LowRankFactors;
    if (low.sigma !== undefined) {
      const r = low.sigma.length;
      const block = new Float32Array(low.u.rows * r + r + low.v.rows * r);
      block.set(low.u.data, 0);
      block.set(low.sigma, low.u.rows * r);
      block.set(low.v.data, low.u.rows * r + r);
      layout.push({ layer: layers[k]!, kind: 'lowrank', rows: low.u.rows, cols: low.v.rows, rank: r, offset });
      parts.push(block);
      offset += block.length;
      maxRank = Math.max(maxRank ?? 0, r);
    } else {
      const dense = factor as Matrix;
      layout.push({ layer: layers[k]!, kind: 'dense', rows: dense.rows, cols: dense.cols, offset });
      parts.push(Float32Array.from(dense.data));
      offset += dense.data.length;
    }
  });
  const all = new Float32Array(offset);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return { bytes: Buffer.from(all.buffer, all.byteOffset, all.byteLength), layout, rank: maxRank };
}

/**
 * The query side of docs/design.md "Mathematics" on the platform: for stored queries, nats(q) and the
 * preconditioned gradient M_ℓ(q) under a registered factor set (rank-r for large layers), and
 * y_q = concat_ℓ vec(P_ℓ M_ℓ(q) R_ℓᵀ) with its sketch in each given projection space, stored
 * together in one transaction per query.
 */
export class QueryGradientService {
  constructor(
    private readonly queries: QueryRepository,
    private readonly vectors: QueryVectorRepository,
    private readonly factorSets: FactorSetService,
    private readonly spaces: ProjectionSpaceService,
    private readonly engines: EngineCache,
    private readonly answers?: ModelAnswerService,
  ) {}

  /**
   * Everything the platform computes for new queries: {@link compute} (nats(q), M_ℓ(q), y_q in
   * each space), then the model's greedy answer to each prompt and whether it is correct, stored
   * on the queries. The job handler and `tracebase queries add` both run this. Queries deleted
   * since are skipped when `skipMissing` (a queued job), refused otherwise. `damping` is the
   * score argument M_ℓ(q) is computed with (default 0.1 × mean(Λ_ℓ)).
   */
  async computeWithAnswers(
    queryIds: readonly number[],
    factorSetId: number,
    spaceIds: readonly number[],
    options: { skipMissing?: boolean; damping?: DampingSpec } = {},
  ): Promise<QueryComputation[]> {
    if (!this.answers) throw new Error('QueryGradientService was built without a ModelAnswerService');
    let ids = [...queryIds];
    if (options.skipMissing) {
      const found = await this.queries.findManyByIds(ids);
      ids = ids.filter((_, i) => found[i] !== null);
      if (ids.length === 0) throw new NotFoundError(`none of the queries ${queryIds.join(', ')} exists any more`);
    }
    const gradients = await this.compute(ids, factorSetId, spaceIds, options.damping);
    const queries = (await this.queries.findManyByIds(ids)).filter((q) => q !== null);
    const { loaded } = await this.spaces.runtime(spaceIds[0]!);
    const answers = new Map((await this.answers.answer(loaded, queries)).map((a) => [a.queryId, a]));
    const out = gradients.map((g) => ({
      id: g.id,
      nats: g.nats,
      modelAnswer: answers.get(g.id)?.text ?? null,
      answeredCorrectly: answers.get(g.id)?.correct ?? null,
    }));
    await this.queries.saveOutcomes(out.map((o) => ({ id: o.id, nats: o.nats, answer: { text: o.modelAnswer, correct: o.answeredCorrectly } })));
    return out;
  }

  /**
   * nats(q), M_ℓ(q) and y_q of stored queries (one transaction per query), and nats(q) on each
   * query row. M_ℓ(q) is computed with `damping` (a score argument: λ_ℓ resolved once against
   * the loaded factor set; default 0.1 × mean(Λ_ℓ)); the gradient records it, and recomputing a
   * query under another damping replaces its vectors and drops its cached scores. Throws
   * NOT_FOUND for unknown queries.
   */
  async compute(
    queryIds: readonly number[],
    factorSetId: number,
    spaceIds: readonly number[],
    damping: DampingSpec = DEFAULT_DAMPING,
  ): Promise<{ id: number; nats: number }[]> {
    if (spaceIds.length === 0) throw new InvalidInputError('give at least one projection space to compute the query vectors in');
    const { factors, record } = await this.factorSets.load(factorSetId);
    const runtimes = await Promise.all(spaceIds.map((id) => this.spaces.runtime(id)));
    for (const rt of runtimes) {
      if (rt.model.id !== record.modelId) {
        throw new InvalidInputError(`projection space ${rt.record.name} belongs to another model than factor set ${record.name}`, {
          code: 'PROVENANCE_MISMATCH',
        });
      }
    }
    const queries = await this.queries.findManyByIds(queryIds);
    const missing = queryIds.filter((_, i) => !queries[i]);
    if (missing.length) throw new NotFoundError(`queries ${missing.join(', ')} do not exist`);
    const loaded = runtimes[0]!.loaded;
    const { preconditionQueries } = await import('../influence/query-gradient.pipeline');
    const engine = await this.engines.get(loaded);
    const inputs = queries.map((q) => ({ id: String(q!.id), prompt: q!.prompt, completion: q!.completion }));
    const pre = await preconditionQueries(engine, loaded.tokenizer, factors, inputs, { rank: 'auto', damping });
    const out: { id: number; nats: number }[] = [];
    for (const q of pre) {
      const stored = serializeQueryFactors(q.layers, q.m);
      const projections = runtimes.map((rt) => {
        const y = projectQuery(rt.space, q);
        return { spaceId: rt.record.id, full: Float32Array.from(y), sketch: Float32Array.from(sketchVector(rt.space.layout, rt.sketch, y, rt.space.kind)) };
      });
      await this.vectors.save({
        queryId: Number(q.id),
        factorSetId,
        damping: dampingKey(damping),
        nats: q.nats,
        tokenCount: q.tokens,
        rank: stored.rank,
        factors: stored.bytes,
        layout: stored.layout,
        projections,
      });
      out.push({ id: Number(q.id), nats: q.nats });
    }
    await this.queries.saveOutcomes(out);
    return out;
  }
}
