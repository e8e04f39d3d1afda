import { parseDampingKey } from '../influence/score-arguments';
import type { ComputeQueryGradientsJob } from '../jobs/job-names';
import type { QueryGradientService } from '../services/query-gradient.service';

/** What one compute-query-gradients job did (stored by the queue as the job's output). */
export interface QueryGradientsResult {
  /** Queries computed (deleted ones are skipped). */
  readonly computed: number;
  /** Queries whose greedy answer could be judged. */
  readonly judged: number;
  /** Of those, answered correctly. */
  readonly correct: number;
}

/**
 * Handles one compute-query-gradients job: nats(q), M_ℓ(q) and y_q of each query under the job's
 * factor set and spaces, then the model's greedy answer (QueryGradientService.computeWithAnswers,
 * which `tracebase queries add` runs in-process). Idempotent: a retried job rewrites the same rows.
 */
export class QueryGradientsHandler {
  constructor(private readonly queryGradients: QueryGradientService) {}

  async handle(job: ComputeQueryGradientsJob): Promise<QueryGradientsResult> {
    const results = await this.queryGradients.computeWithAnswers(job.queryIds, job.factorSetId, job.spaceIds, {
      skipMissing: true,
      ...(job.damping !== undefined ? { damping: parseDampingKey(job.damping) } : {}),
    });
    const judged = results.filter((r) => r.answeredCorrectly !== null);
    return { computed: results.length, judged: judged.length, correct: judged.filter((r) => r.answeredCorrectly).length };
  }
}
