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
 * Payload of a score-corpus job in one space under one factor set. PROJECTED: one query, every
 * document of the space, chunked inside the job. EXACT: the listed documents (one chunk) for every
 * query of the pass (`queryIds`; `queryId` alone in jobs queued before passes).
 */
export interface ScoreCorpusJob {
  readonly method: CachedScoreMethod;
  /** PROJECTED: the query. EXACT: the pass's first query. */
  readonly queryId: number;
  /** EXACT: every query of the pass, ascending; each is scored on every document of the job. */
  readonly queryIds?: number[];
  /** EXACT: token-wise scores are kept for each query's top-k and bottom-k documents once its scores are complete (default 20). */
  readonly tokenTopK?: number;
  readonly factorSetId: number;
  readonly spaceId: number;
  /** EXACT: document row ids of this chunk, ascending; absent for PROJECTED. */
  readonly documentIds?: number[];
}
