import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

import { InfluenceSignEnum } from './influence-query.type';

export enum CorrelationMethodEnum {
  PEARSON = 'PEARSON',
  SPEARMAN = 'SPEARMAN',
}
registerEnumType(CorrelationMethodEnum, { name: 'CorrelationMethod', description: 'Correlation coefficient.' });

export enum ScoreMethodEnum {
  PROJECTED = 'PROJECTED',
  EXACT = 'EXACT',
}
registerEnumType(ScoreMethodEnum, {
  name: 'ScoreMethod',
  description: 'Which influence scores an analysis sums.',
  valuesConfig: {
    PROJECTED: { description: 'Inner products with the full projections of every document of the projection space.' },
    EXACT: { description: 'The cached exact EK-FAC influence of the documents it was computed for (topInfluences mode EXACT).' },
  },
});

@ObjectType('ScoreBasis', { description: 'Which scores an analysis used, over how many documents.' })
export class ScoreBasisType {
  @Field(() => String, {
    description:
      'PROJECTED: inner products with the full projections (an estimate of the EK-FAC influence). EXACT: the cached exact influence (influenceLayerTotals only).',
  })
  method!: string;

  @Field(() => Int, {
    description: 'Documents scored: every document of the projection space (PROJECTED); for EXACT the most of any query (each result states its own).',
  })
  documents!: number;

  @Field(() => Boolean, {
    description:
      'Whether the whole-corpus scores came from the cache that scoreCorpus fills (used once every query has a score for every document of the space: EXACT first, then PROJECTED); false when computed on the fly.',
  })
  cached!: boolean;

  @Field(() => String, { description: 'Factor set name.' })
  factorSet!: string;

  @Field(() => String, { description: 'Projection space name.' })
  space!: string;
}

@ObjectType('InfluenceCorrelation', { description: 'Finding 1: correlation of influence scores between queries.' })
export class InfluenceCorrelationType {
  @Field(() => ScoreBasisType, { description: 'Scores used.' })
  basis!: ScoreBasisType;

  @Field(() => [ID], { description: 'Queries, in matrix order.' })
  queryIds!: string[];

  @Field(() => [[Float]], { description: 'Correlation matrix (row i, column j).' })
  matrix!: number[][];
}

@ObjectType('SharePoint', { description: 'Share of the positive influence held by the top k.' })
export class SharePointType {
  @Field(() => Float, { description: 'Top-k percentile of the positively influential documents.' })
  percentile!: number;

  @Field(() => Int, { description: 'k.' })
  k!: number;

  @Field(() => Float, { description: 'Share in [0, 1].' })
  share!: number;
}

@ObjectType('PowerLawFit', { description: 'log-log least squares of score against rank over the top documents.' })
export class PowerLawFitType {
  @Field(() => Float, { description: 'Exponent α (the paper: −0.32 … −0.38).' })
  alpha!: number;

  @Field(() => Float, { description: 'R² of the fit.' })
  rSquared!: number;

  @Field(() => Int, { description: 'Documents fitted.' })
  n!: number;
}

@ObjectType('InfluenceDistribution', { description: 'Finding 2: how much influence there is, and how concentrated.' })
export class InfluenceDistributionType {
  @Field(() => ScoreBasisType, { description: 'Scores used.' })
  basis!: ScoreBasisType;

  @Field(() => Float, { description: 'nats(q).' })
  nats!: number;

  @Field(() => Float, { description: 'Σ positive scores / nats(q).' })
  totalPositivePerNat!: number;

  @Field(() => Float, { description: 'Σ negative scores / nats(q).' })
  totalNegativePerNat!: number;

  @Field(() => Int, { description: 'Documents with a positive score.' })
  positiveDocuments!: number;

  @Field(() => [SharePointType], { description: 'Cumulative share of positive influence by top-k percentile.' })
  cumulativeShare!: SharePointType[];

  @Field(() => PowerLawFitType, { description: 'Power-law fit of the top 500.' })
  powerLaw!: PowerLawFitType;
}

@ObjectType('DocumentLabel', { description: 'One annotator’s label on a document.' })
export class DocumentLabelType {
  @Field(() => String, { description: 'The label task’s name.' })
  task!: string;

  @Field(() => String, { description: 'The annotator’s user name.' })
  annotator!: string;

  @Field(() => GraphQLJSON, { description: 'The value as stored (a boolean, an option, several options or text, by the task’s kind).' })
  value!: unknown;

  @Field(() => Int, { description: 'Version of the label (1 for a first answer, +1 per change).' })
  version!: number;
}

@ObjectType('AnswerDocument', { description: 'A top document containing an answer keyword.' })
export class AnswerDocumentType {
  @Field(() => ID, { description: 'Document global ID.' })
  documentId!: string;

  @Field(() => Int, { description: 'Its rank.' })
  rank!: number;

  @Field(() => [DocumentLabelType], { description: 'Its labels under label tasks that are not archived (empty when none).' })
  labels!: DocumentLabelType[];
}

@ObjectType('AnswerInTopKResult', { description: 'Finding 3 for one query.' })
export class AnswerInTopKResultType {
  @Field(() => ID, { description: 'Query global ID.' })
  queryId!: string;

  @Field(() => [String], { description: 'Answer keywords searched for.' })
  keywords!: string[];

  @Field(() => Boolean, { description: 'Whether a top-k document contains one.' })
  found!: boolean;

  @Field(() => [AnswerDocumentType], { description: 'Those documents.' })
  documents!: AnswerDocumentType[];
}

@ObjectType('AnswerInTopK', { description: 'Finding 3: is the answer in the top k documents?' })
export class AnswerInTopKType {
  @Field(() => ScoreBasisType, { description: 'Scores used.' })
  basis!: ScoreBasisType;

  @Field(() => Int, { description: 'k.' })
  k!: number;

  @Field(() => [AnswerInTopKResultType], { description: 'Per query.' })
  results!: AnswerInTopKResultType[];
}

@ObjectType('SourceRatio', { description: 'Over-representation of one source at one k.' })
export class SourceRatioType {
  @Field(() => Int, { description: 'Top k.' })
  k!: number;

  @Field(() => String, { description: 'Source.' })
  source!: string;

  @Field(() => Float, { description: 'Share in the top k ÷ share in the corpus, averaged over the queries (1 = as in the corpus).' })
  ratio!: number;
}

@ObjectType('SourceOverRepresentation', { description: 'Findings 4–5: which sources the top documents come from.' })
export class SourceOverRepresentationType {
  @Field(() => ScoreBasisType, { description: 'Scores used.' })
  basis!: ScoreBasisType;

  @Field(() => InfluenceSignEnum, { description: 'Top (POSITIVE) or bottom (NEGATIVE).' })
  sign!: InfluenceSignEnum;

  @Field(() => [SourceRatioType], { description: 'Ratios by k and source.' })
  rows!: SourceRatioType[];
}

@ObjectType('LayerTotal', { description: 'Influence of one query summed over documents, for one tracked layer.' })
export class LayerTotalType {
  @Field(() => String, { description: 'Tracked layer name (e.g. h.0.mlp.c_fc).' })
  layer!: string;

  @Field(() => Float, { description: 'Σ_d max(I_ℓ(q,d), 0): total positive influence through this layer.' })
  totalPositive!: number;

  @Field(() => Float, { description: 'Σ_d min(I_ℓ(q,d), 0): total negative influence through this layer.' })
  totalNegative!: number;

  @Field(() => Float, { description: 'totalPositive / nats(q).' })
  totalPositivePerNat!: number;

  @Field(() => Float, { description: 'totalNegative / nats(q).' })
  totalNegativePerNat!: number;
}

@ObjectType('QueryLayerTotals', { description: 'Layer-wise influence totals of one query.' })
export class QueryLayerTotalsType {
  @Field(() => ID, { description: 'Query global ID.' })
  queryId!: string;

  @Field(() => Float, { description: 'nats(q).' })
  nats!: number;

  @Field(() => Int, { description: 'Documents summed over.' })
  documents!: number;

  @Field(() => [LayerTotalType], {
    description: 'One entry per tracked layer, in layer order; summed over the layers, positive + negative is the query’s net influence over the documents.',
  })
  layers!: LayerTotalType[];
}

@ObjectType('InfluenceLayerTotals', {
  description:
    'Layer-wise influence (docs/design.md "Mathematics"): per query and tracked layer, the total positive and negative influence over the documents scored.',
})
export class InfluenceLayerTotalsType {
  @Field(() => ScoreBasisType, { description: 'Scores used.' })
  basis!: ScoreBasisType;

  @Field(() => [QueryLayerTotalsType], { description: 'Per query, in the order asked.' })
  results!: QueryLayerTotalsType[];
}

@ObjectType('ScoreCorpusResult', { description: 'What scoreCorpus queued: jobs that cache whole-corpus scores for the analyses.' })
export class ScoreCorpusResultType {
  @Field(() => ScoreMethodEnum, { description: 'PROJECTED or EXACT.' })
  method!: ScoreMethodEnum;

  @Field(() => Int, { description: 'Documents of the projection space (with a full projection): what each query is scored over.' })
  documents!: number;

  @Field(() => [ID], {
    description:
      'Global IDs of the jobs sent (queue SCORE_CORPUS; see job(id), jobProgress(id)), in query order; the same work sent again gets the same IDs. Empty when everything was cached already.',
  })
  jobIds!: string[];

  @Field(() => Int, { description: 'Queries whose scores were all cached already (no job for them).' })
  alreadyCached!: number;
}
