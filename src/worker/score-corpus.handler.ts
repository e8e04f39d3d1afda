import type { ScoreCorpusJob } from '../jobs/job-names';
import type { CorpusScoringService, ScoreCorpusResult } from '../services/corpus-scoring.service';

/**
 * Handles one score-corpus job: PROJECTED caches ⟨y_q, x_d⟩ for every document of the space
 * (chunked SQL), EXACT the exact EK-FAC influence of the job's documents (CorpusScoringService).
 * Idempotent: cached scores are kept, never duplicated, so a retried job only adds what is missing.
 */
export class ScoreCorpusHandler {
  constructor(private readonly scoring: CorpusScoringService) {}

  handle(job: ScoreCorpusJob): Promise<ScoreCorpusResult> {
    return this.scoring.run(job);
  }
}
