import type { CachedScoreMethod } from '../domain/score-method';

/** Payload of a project-documents job: one batch of a corpus's documents in one space. */
export interface ProjectDocumentsJob {
  readonly spaceId: number;
  readonly corpusId: number;
  /** Document row ids, ascending. */
  readonly documentIds: number[];
}

/** Payload of a compute-query-gradients job: stored queries, one factor set, the spaces to project into. */
export interface ComputeQueryGradientsJob {
  /** Query row ids, ascending. */
  readonly queryIds: number[];
  readonly factorSetId: number;
  /** Projection space ids, ascending. */
  readonly spaceIds: number[];
  /** Damping of M_ℓ(q), a score-arguments key (`relative:0.1`); absent in jobs queued before dampings were chosen: the default. */
  readonly damping?: string;
}

/**
 * Payload of a score-corpus job for one query in one space under one factor set. PROJECTED: every
 * document of the space, chunked inside the job. EXACT: the listed documents (one chunk).
 */
export interface ScoreCorpusJob {
  readonly method: CachedScoreMethod;
  readonly queryId: number;
  readonly factorSetId: number;
  readonly spaceId: number;
  /** EXACT: document row ids of this chunk, ascending; absent for PROJECTED. */
  readonly documentIds?: number[];
}
