import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import { projectQuery } from '../influence/document-projection.pipeline';
import type { PreconditionedQuery } from '../math/influence-score';
import type { LowRankFactors } from '../math/low-rank-approximation';
import type { Matrix } from '../math/dense-matrix';
import { sketchVector } from '../math/projection-sketch';
import type { QueryRepository } from '../repositories/query.repository';
import type { QueryVectorRepository } from '../repositories/query-vector.repository';
import type { EngineCache } from './engine-cache';
import type { FactorSetService } from './factor-set.service';
import type { ProjectionSpaceService } from './projection-space.service';

/** Layout of the stored M_ℓ(q) bytes (float32, little-endian), per layer in order. */
export type StoredQueryLayout = Array<
  | { layer: string; kind: 'dense'; rows: number; cols: number; offset: number }
  | { layer: string; kind: 'lowrank'; rows: number; cols: number; rank: number; offset: number }
>;

/** M_ℓ(q) of every layer as float32 bytes: dense row-major, or U (o×r), σ (r), V ((i+1)×r). */
export function serializeQueryFactors(layers: readonly string[], m: readonly PreconditionedQuery[]): { bytes: Buffer; layout: StoredQueryLayout; rank: number | null } {
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
 * The query side of DESIGN.md §3 on the platform: for stored queries, nats(q) and the
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
  ) {}

  async compute(queryIds: readonly number[], factorSetId: number, spaceIds: readonly number[]): Promise<{ id: number; nats: number }[]> {
    if (spaceIds.length === 0) throw new InvalidInputError('give at least one projection space to compute the query vectors in');
    const { factors, record } = await this.factorSets.load(factorSetId);
    const runtimes = await Promise.all(spaceIds.map((id) => this.spaces.runtime(id)));
    for (const rt of runtimes) {
      if (rt.model.id !== record.modelId) {
        throw new InvalidInputError(`projection space ${rt.record.name} belongs to another model than factor set ${record.name}`, { code: 'PROVENANCE_MISMATCH' });
      }
    }
    const queries = await this.queries.findManyByIds(queryIds);
    const missing = queryIds.filter((_, i) => !queries[i]);
    if (missing.length) throw new NotFoundError(`queries ${missing.join(', ')} do not exist`);
    const loaded = runtimes[0]!.loaded;
    const { preconditionQueries } = await import('../influence/query-gradient.pipeline');
    const engine = await this.engines.get(loaded);
    const inputs = queries.map((q) => ({ id: String(q!.id), prompt: q!.prompt, completion: q!.completion }));
    const pre = await preconditionQueries(engine, loaded.tokenizer, factors, inputs, { rank: 'auto' });
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
        nats: q.nats,
        tokenCount: q.tokens,
        rank: stored.rank,
        factors: stored.bytes,
        layout: stored.layout,
        projections,
      });
      out.push({ id: Number(q.id), nats: q.nats });
    }
    return out;
  }
}
