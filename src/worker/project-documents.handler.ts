import { DEFAULT_WORKER_TOKEN_BUDGET } from '../config/config';
import { defaultEngineSettings, type EngineSettings, GradientEngine } from '../engine/gradient.engine';
import { SessionCache } from '../engine/session.cache';
import { MAX_TOKEN_BUDGET, MIN_TOKEN_BUDGET, planPadding, planShapeCount, planTokenBudgetBatches } from '../engine/token-budget.planner';
import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import { projectDocuments } from '../influence/document-projection.pipeline';
import { isScorable } from '../influence/sequence-batches';
import type { TokenizedSequence } from '../influence/tokenized-sequence';
import type { ProjectDocumentsJob } from '../jobs/job-names';
import { sketchVector } from '../math/projection-sketch';
import type { DocumentProjectionRecord } from '../domain/document-projection.record';
import type { DocumentService } from '../services/document.service';
import type { IngestionService } from '../services/ingestion.service';
import type { ProjectionSpaceService } from '../services/projection-space.service';

/** What one batch did. */
export interface ProjectDocumentsResult {
  readonly projected: number;
  /** Documents of fewer than 2 tokens (no prediction to differentiate). */
  readonly skipped: number;
  /** Ids no longer in the database. */
  readonly missing: number;
  readonly tokens: number;
  /** Padded positions Σ B × T of the engine batches (tokens / positions = the useful share). */
  readonly positions: number;
}

/** Most compiled graphs one engine of the worker keeps (each holds its own activation memory). */
const MAX_CACHED_SHAPES = 64;

/**
 * Handles one project-documents job: loads the documents, runs the projection head of the
 * gradient engine (x_d = concat_ℓ vec(P_ℓ G_ℓ(d) R_ℓᵀ), never forming G) on the job's windows
 * ordered by length and packed into batches of at most `tokenBudget` padded positions B × T,
 * derives the sketch, and upserts both with loss, token count and ‖x_d‖ in one transaction.
 * Idempotent: a retried or repeated job rewrites the same rows with the same values (the
 * batching is a deterministic function of the job's documents).
 */
export class ProjectDocumentsHandler {
  private readonly engines = new Map<string, GradientEngine>();

  constructor(
    private readonly spaces: ProjectionSpaceService,
    private readonly documents: DocumentService,
    private readonly ingestion: IngestionService,
    private readonly engineSettings: Partial<EngineSettings> = {},
    private readonly tokenBudget: number = DEFAULT_WORKER_TOKEN_BUDGET,
  ) {
    if (!Number.isInteger(tokenBudget) || tokenBudget < MIN_TOKEN_BUDGET || tokenBudget > MAX_TOKEN_BUDGET) {
      throw new InvalidInputError(`token budget must be an integer from ${MIN_TOKEN_BUDGET} to ${MAX_TOKEN_BUDGET} positions, got ${tokenBudget}`);
    }
  }

  async handle(job: ProjectDocumentsJob): Promise<ProjectDocumentsResult> {
    const runtime = await this.spaces.runtime(job.spaceId);
    const docs = (await this.documents.getMany(job.documentIds)).filter((d) => d !== null);
    if (docs.length === 0 && job.documentIds.length > 0) {
      throw new NotFoundError(`none of the ${job.documentIds.length} documents of this batch exists any more (corpus ${job.corpusId} deleted?)`);
    }
    let engine = this.engines.get(runtime.loaded.hash);
    const budget = { context: runtime.loaded.dimensions.contextLength, tokenBudget: this.tokenBudget };
    if (!engine) {
      // one compiled graph per batch shape: keep every shape the plans can produce (up to a bound)
      const cache = new SessionCache(Math.min(MAX_CACHED_SHAPES, planShapeCount(budget)));
      engine = new GradientEngine(runtime.loaded, defaultEngineSettings(this.engineSettings), cache);
      this.engines.set(runtime.loaded.hash, engine);
    }
    const sequences: TokenizedSequence[] = [];
    let skipped = 0;
    for (const d of docs) {
      const tokens = runtime.loaded.tokenizer.encode(d.text, { field: `document ${d.id}` });
      if (tokens.length < 2) skipped++;
      else sequences.push({ id: String(d.id), tokens, scoreFrom: 0 });
    }
    const projected = await projectDocuments(engine, runtime.space, sequences, { tokenBudget: this.tokenBudget });
    const records: DocumentProjectionRecord[] = projected.map((p) => ({
      documentId: Number(p.documentId),
      full: Float32Array.from(p.vector),
      sketch: Float32Array.from(sketchVector(runtime.space.layout, runtime.sketch, p.vector, runtime.space.kind)),
      loss: p.loss,
      tokenCount: p.tokenCount,
      gradientNorm: p.norm,
    }));
    await this.ingestion.store(job.spaceId, records);
    return {
      projected: records.length,
      skipped,
      missing: job.documentIds.length - docs.length,
      tokens: sequences.reduce((s, q) => s + q.tokens.length, 0),
      positions: planPadding(planTokenBudgetBatches(sequences.filter(isScorable), budget)).positions,
    };
  }
}
