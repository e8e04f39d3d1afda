import type { CorrelationMethod } from '../../domain/correlation-method';
import type { InfluenceMode } from '../../domain/influence-mode';
import type { InfluenceNormalization } from '../../domain/influence-normalization';
import type { InfluenceSign } from '../../domain/influence-sign';
import type { JobState } from '../../domain/job-state';
import type { QueryGradientStatus } from '../../domain/query-gradient-state';
import type { QueryKindName } from '../../domain/query-kind';
import type { CachedScoreMethod } from '../../domain/score-method';
import { CorrelationMethodEnum, ScoreMethodEnum } from '../types/influence-analysis.type';
import { InfluenceModeEnum, InfluenceNormalizationEnum, InfluenceSignEnum, QueryGradientStatusEnum, QueryKindEnum } from '../types/influence-query.type';
import { JobStateEnum } from '../types/job.type';

/*
 * GraphQL enums ↔ domain unions, as exhaustive records (a value added on either side fails the
 * type check until it is mapped): the API never casts one to the other.
 */

export const QUERY_KIND_TO_GRAPHQL: Readonly<Record<QueryKindName, QueryKindEnum>> = {
  FACTUAL: QueryKindEnum.FACTUAL,
  REASONING: QueryKindEnum.REASONING,
  CONTROL: QueryKindEnum.CONTROL,
  OTHER: QueryKindEnum.OTHER,
};
export const QUERY_KIND_FROM_GRAPHQL: Readonly<Record<QueryKindEnum, QueryKindName>> = {
  [QueryKindEnum.FACTUAL]: 'FACTUAL',
  [QueryKindEnum.REASONING]: 'REASONING',
  [QueryKindEnum.CONTROL]: 'CONTROL',
  [QueryKindEnum.OTHER]: 'OTHER',
};

export const INFLUENCE_SIGN_TO_GRAPHQL: Readonly<Record<InfluenceSign, InfluenceSignEnum>> = {
  POSITIVE: InfluenceSignEnum.POSITIVE,
  NEGATIVE: InfluenceSignEnum.NEGATIVE,
};
export const INFLUENCE_SIGN_FROM_GRAPHQL: Readonly<Record<InfluenceSignEnum, InfluenceSign>> = {
  [InfluenceSignEnum.POSITIVE]: 'POSITIVE',
  [InfluenceSignEnum.NEGATIVE]: 'NEGATIVE',
};

export const INFLUENCE_MODE_TO_GRAPHQL: Readonly<Record<InfluenceMode, InfluenceModeEnum>> = {
  ANN: InfluenceModeEnum.ANN,
  RERANKED: InfluenceModeEnum.RERANKED,
  EXACT: InfluenceModeEnum.EXACT,
};
export const INFLUENCE_MODE_FROM_GRAPHQL: Readonly<Record<InfluenceModeEnum, InfluenceMode>> = {
  [InfluenceModeEnum.ANN]: 'ANN',
  [InfluenceModeEnum.RERANKED]: 'RERANKED',
  [InfluenceModeEnum.EXACT]: 'EXACT',
};

export const INFLUENCE_NORMALIZATION_TO_GRAPHQL: Readonly<Record<InfluenceNormalization, InfluenceNormalizationEnum>> = {
  NONE: InfluenceNormalizationEnum.NONE,
  GRADIENT_NORM: InfluenceNormalizationEnum.GRADIENT_NORM,
};
export const INFLUENCE_NORMALIZATION_FROM_GRAPHQL: Readonly<Record<InfluenceNormalizationEnum, InfluenceNormalization>> = {
  [InfluenceNormalizationEnum.NONE]: 'NONE',
  [InfluenceNormalizationEnum.GRADIENT_NORM]: 'GRADIENT_NORM',
};

export const QUERY_GRADIENT_STATUS_TO_GRAPHQL: Readonly<Record<QueryGradientStatus, QueryGradientStatusEnum>> = {
  PENDING: QueryGradientStatusEnum.PENDING,
  READY: QueryGradientStatusEnum.READY,
  FAILED: QueryGradientStatusEnum.FAILED,
};

export const SCORE_METHOD_TO_GRAPHQL: Readonly<Record<CachedScoreMethod, ScoreMethodEnum>> = {
  PROJECTED: ScoreMethodEnum.PROJECTED,
  EXACT: ScoreMethodEnum.EXACT,
};
export const SCORE_METHOD_FROM_GRAPHQL: Readonly<Record<ScoreMethodEnum, CachedScoreMethod>> = {
  [ScoreMethodEnum.PROJECTED]: 'PROJECTED',
  [ScoreMethodEnum.EXACT]: 'EXACT',
};

export const CORRELATION_METHOD_FROM_GRAPHQL: Readonly<Record<CorrelationMethodEnum, CorrelationMethod>> = {
  [CorrelationMethodEnum.PEARSON]: 'pearson',
  [CorrelationMethodEnum.SPEARMAN]: 'spearman',
};

export const JOB_STATE_TO_GRAPHQL: Readonly<Record<JobState, JobStateEnum>> = {
  created: JobStateEnum.CREATED,
  retry: JobStateEnum.RETRY,
  active: JobStateEnum.ACTIVE,
  completed: JobStateEnum.COMPLETED,
  cancelled: JobStateEnum.CANCELLED,
  failed: JobStateEnum.FAILED,
};
export const JOB_STATE_FROM_GRAPHQL: Readonly<Record<JobStateEnum, JobState>> = {
  [JobStateEnum.CREATED]: 'created',
  [JobStateEnum.RETRY]: 'retry',
  [JobStateEnum.ACTIVE]: 'active',
  [JobStateEnum.COMPLETED]: 'completed',
  [JobStateEnum.CANCELLED]: 'cancelled',
  [JobStateEnum.FAILED]: 'failed',
};
