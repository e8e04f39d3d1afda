import { defaultEngineSettings, type EngineSettings, Gpt2GradientEngine } from '../engine/gpt2-gradient.engine';
import { NotFoundError } from '../errors/tracebase.error';
import { projectDocuments } from '../influence/document-projection.pipeline';
import type { TokenizedSequence } from '../influence/tokenized-sequence';
import type { ProjectDocumentsJob } from '../jobs/job-names';
import { sketchVector } from '../math/projection-sketch';
import type { DocumentProjectionRecord } from '../repositories/document-projection.repository';
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
}

/**
 * Handles one project-documents job: loads the documents, runs the projection head of the
 * gradient engine (x_d = concat_ℓ vec(P_ℓ G_ℓ(d) R_ℓᵀ), never forming G), derives the sketch,
 * and upserts both with loss, token count and ‖x_d‖ in one transaction. Idempotent: a retried
 * or repeated job rewrites the same rows with the same values.
 */
export class ProjectDocumentsHandler {
  private readonly engines = new Map<string, Gpt2GradientEngine>();

  constructor(
    private readonly spaces: ProjectionSpaceService,
    private readonly documents: DocumentService,
    private readonly ingestion: IngestionService,
    private readonly engineSettings: Partial<EngineSettings> = {},
  ) {}

  async handle(job: ProjectDocumentsJob): Promise<ProjectDocumentsResult> {
    const runtime = await this.spaces.runtime(job.spaceId);
    const docs = (await this.documents.getMany(job.documentIds)).filter((d) => d !== null);
    if (docs.length === 0 && job.documentIds.length > 0) {
      throw new NotFoundError(`none of the ${job.documentIds.length} documents of this batch exists any more (corpus ${job.corpusId} deleted?)`);
    }
    let engine = this.engines.get(runtime.loaded.hash);
    if (!engine) {
      engine = new Gpt2GradientEngine(runtime.loaded, defaultEngineSettings(this.engineSettings));
      this.engines.set(runtime.loaded.hash, engine);
    }
    const sequences: TokenizedSequence[] = [];
    let skipped = 0;
    for (const d of docs) {
      const tokens = runtime.loaded.tokenizer.encode(d.text, { field: `document ${d.id}` });
      if (tokens.length < 2) skipped++;
      else sequences.push({ id: String(d.id), tokens, scoreFrom: 0 });
    }
    const projected = await projectDocuments(engine, runtime.space, sequences);
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
    };
  }
}
