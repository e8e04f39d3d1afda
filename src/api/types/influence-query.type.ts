import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

import { ConnectionType } from '../relay/connection.type';
import { DocumentType } from './document.type';

export enum QueryKindEnum {
  FACTUAL = 'FACTUAL',
  REASONING = 'REASONING',
  CONTROL = 'CONTROL',
  OTHER = 'OTHER',
}
registerEnumType(QueryKindEnum, { name: 'QueryKind', description: 'What a query asks for (the paper compares factual, reasoning and control queries).' });

export enum InfluenceSignEnum {
  POSITIVE = 'POSITIVE',
  NEGATIVE = 'NEGATIVE',
}
registerEnumType(InfluenceSignEnum, {
  name: 'InfluenceSign',
  description: 'Which end of the ranking.',
  valuesConfig: {
    POSITIVE: { description: 'Documents whose up-weighting most raises log p(completion | prompt).' },
    NEGATIVE: { description: 'Documents whose up-weighting most lowers it.' },
  },
});

export enum InfluenceModeEnum {
  ANN = 'ANN',
  RERANKED = 'RERANKED',
  EXACT = 'EXACT',
}
registerEnumType(InfluenceModeEnum, {
  name: 'InfluenceMode',
  description: 'How scores are computed.',
  valuesConfig: {
    ANN: {
      description:
        'Approximate: HNSW search over the half-precision sketches (in the space’s whitened search basis when it has one: the same inner products); scores are sketch inner products.',
    },
    RERANKED: {
      description:
        'ANN candidates reranked by the exact inner product with the full projections: the HNSW search explores max(10k, 200) (at most 10 000); all of them are reranked when the sketch is a part of the full vector, the leading max(2k, k + 100) when the sketch is the whole vector in half precision.',
    },
    EXACT: {
      description:
        'The reranked top min(max(2k, 20), 200) rescored with the true EK-FAC influence (gradients recomputed; cached), with layer and token scores.',
    },
  },
});

export enum InfluenceNormalizationEnum {
  NONE = 'NONE',
  GRADIENT_NORM = 'GRADIENT_NORM',
}
registerEnumType(InfluenceNormalizationEnum, {
  name: 'InfluenceNormalization',
  description:
    'What a ranking orders by (docs/design.md "Mathematics: Norm dominance": documents with a large gradient norm otherwise dominate every raw ranking).',
  valuesConfig: {
    NONE: { description: 'The raw influence score.' },
    GRADIENT_NORM: {
      description:
        'The score divided by the document’s gradient norm ‖x_d‖ (cosine-like). ANN searches a second HNSW index over the unit-normalised sketches; RERANKED and EXACT rank their candidates by score / ‖x_d‖. ‖x_d‖ is the stored norm of the document’s full projection in the space, for EXACT too.',
    },
  },
});

export enum QueryGradientStatusEnum {
  PENDING = 'PENDING',
  READY = 'READY',
  FAILED = 'FAILED',
}
registerEnumType(QueryGradientStatusEnum, {
  name: 'QueryGradientStatus',
  description: 'Where the computation of a query (nats, preconditioned gradient, vectors, greedy answer) stands.',
  valuesConfig: {
    PENDING: { description: 'Queued or running (a failed try waiting for its retry included).' },
    READY: { description: 'Computed: nats, modelAnswer and the vectors in the requested spaces are stored.' },
    FAILED: { description: 'The job failed after its last retry, or was cancelled: gradientError says why.' },
  },
});

@ObjectType('InfluenceQuery', { description: 'A prompt and completion whose influential pretraining documents are sought.' })
export class InfluenceQueryType {
  @Field(() => ID, { description: 'Global ID.' })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Id given at creation (unique per model).' })
  externalId!: string | null;

  @Field(() => String, { description: 'The prompt: context, not scored.' })
  prompt!: string;

  @Field(() => String, { description: 'The completion: its tokens are scored.' })
  completion!: string;

  @Field(() => QueryKindEnum, { description: 'Factual, reasoning, control or other.' })
  kind!: QueryKindEnum;

  @Field(() => [String], { description: 'Strings whose presence in a document means it contains the answer.' })
  answerKeywords!: string[];

  @Field(() => [String], { description: 'Free labels.' })
  tags!: string[];

  @Field(() => Float, { nullable: true, description: 'nats(q) = Σ over completion tokens of −log p(token | prefix), in nats; null until computed.' })
  nats!: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The model’s own greedy continuation of the prompt (after end-of-text when the vocabulary has it; up to the completion’s length + 24 tokens, stopping at end-of-text or, for one-line completions, a newline); null until computed.',
  })
  modelAnswer!: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Whether modelAnswer’s final answer is the query’s answer (the last answer keyword the completion states as “The answer is A.” or “A.” first); null when undecidable or not computed.',
  })
  answeredCorrectly!: boolean | null;
}

export const InfluenceQueryConnection = ConnectionType('InfluenceQuery', InfluenceQueryType, 'influence query');

@ObjectType('InfluenceEdge', { description: 'One ranked document.' })
export class InfluenceEdgeType {
  @Field(() => Int, { description: '1 for the most influential.' })
  rank!: number;

  @Field(() => Float, { description: 'Influence estimate ⟨y_q, x_d⟩ (positive: up-weighting d raises log p(completion)).' })
  score!: number;

  @Field(() => Float, { description: 'score / nats(q).' })
  perNat!: number;

  @Field(() => Float, { description: 'score / gradientNorm (0 when the norm is 0): what normalize: GRADIENT_NORM ranks by.' })
  normalizedScore!: number;

  @Field(() => Float, { description: '‖x_d‖₂: the norm of the document’s full projection in the space (its gradient norm as projected).' })
  gradientNorm!: number;

  @Field(() => DocumentType, { description: 'The document.' })
  document!: DocumentType;

  @Field(() => [Float], { nullable: true, description: 'EXACT only: ⟨M_ℓ(q), G_ℓ(d)⟩ per tracked layer; sums to score.' })
  layerScores?: number[] | null;

  @Field(() => [Float], { nullable: true, description: 'EXACT only: influence of each token of the document; sums to score.' })
  tokenScores?: number[] | null;
}

@ObjectType('RankingBasis', { description: 'What a ranking was computed over.' })
export class RankingBasisType {
  @Field(() => Boolean, { description: 'True for the exact ranking of every document of the space, read from a complete scoreCorpus(method: EXACT) pass.' })
  wholeCorpus!: boolean;

  @Field(() => String, {
    description: 'In words: "whole corpus, exact: n documents, factor set …, damping …", or what was searched and how many candidates were rescored.',
  })
  description!: string;

  @Field(() => Int, { description: 'Documents ranked: every document of the space, or the candidates.' })
  documents!: number;

  @Field(() => Int, { description: 'Candidates whose exact influence was recomputed or read (EXACT without a complete pass); 0 otherwise.' })
  rescored!: number;
}

@ObjectType('InfluenceRanking', { description: 'The top documents of a query, and how they were found.' })
export class InfluenceRankingType {
  @Field(() => InfluenceModeEnum, { description: 'Method used.' })
  mode!: InfluenceModeEnum;

  @Field(() => InfluenceSignEnum, { description: 'Which end of the ranking.' })
  sign!: InfluenceSignEnum;

  @Field(() => InfluenceNormalizationEnum, { description: 'What the ranking orders by: the raw score (NONE) or score / gradient norm (GRADIENT_NORM).' })
  normalization!: InfluenceNormalizationEnum;

  @Field(() => Float, { description: 'nats(q): summed negative log-likelihood of the completion.' })
  nats!: number;

  @Field(() => Int, { description: 'Candidates returned by the ANN stage (a whole-corpus exact ranking: the documents ranked).' })
  candidates!: number;

  @Field(() => RankingBasisType, { description: 'What the ranking was computed over.' })
  basis!: RankingBasisType;

  @Field(() => Int, {
    description:
      'EXACT: candidates left out because their exact influence has the other sign than asked (the projection chose them, the exact score disowns them); from a complete whole-corpus pass, the documents of the other sign. The ranking then holds fewer than k documents when fewer have the asked sign. 0 for ANN and RERANKED.',
  })
  oppositeSign!: number;

  @Field(() => [InfluenceEdgeType], { description: 'Ranked documents.' })
  edges!: InfluenceEdgeType[];
}

@InputType('InfluenceQueryInput', { description: 'A query to create.' })
export class InfluenceQueryInput {
  @Field(() => String, { nullable: true, description: 'Your id for it (unique per model; re-sending it returns the stored query).' })
  externalId?: string;

  @Field(() => String, { description: 'The prompt (context).' })
  prompt!: string;

  @Field(() => String, { description: 'The completion (scored; not empty).' })
  completion!: string;

  @Field(() => QueryKindEnum, { nullable: true, description: 'Default OTHER.' })
  kind?: QueryKindEnum;

  @Field(() => [String], { nullable: true, description: 'Answer keywords.' })
  answerKeywords?: string[];

  @Field(() => [String], { nullable: true, description: 'Tags.' })
  tags?: string[];
}
