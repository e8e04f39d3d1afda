import { InvalidInputError } from '../errors/tracebase.error';
import { tokenizeQuery } from '../influence/query-gradient.pipeline';
import type { NewQuery, QueryKindName, QueryRecord, QueryRepository } from '../repositories/query.repository';
import type { ModelRegistryService } from './model-registry.service';
import type { Page } from './page';

/** A query as submitted. */
export interface QueryInputData {
  readonly externalId?: string | null;
  readonly prompt: string;
  readonly completion: string;
  readonly kind?: QueryKindName;
  readonly answerKeywords?: readonly string[];
  readonly tags?: readonly string[];
}

const KINDS: readonly QueryKindName[] = ['FACTUAL', 'REASONING', 'CONTROL', 'OTHER'];
/** Most queries accepted in one call. */
export const MAX_QUERIES_PER_CALL = 500;

/** Influence queries: a prompt (context) and a completion (scored), with their kind and answer. */
export class QueryService {
  constructor(
    private readonly queries: QueryRepository,
    private readonly models: ModelRegistryService,
  ) {}

  /** Validates and stores queries for a model; every bad one is named before anything is stored. */
  async create(modelName: string, inputs: readonly QueryInputData[]): Promise<{ record: QueryRecord; created: boolean }[]> {
    if (inputs.length === 0 || inputs.length > MAX_QUERIES_PER_CALL) {
      throw new InvalidInputError(`give 1 to ${MAX_QUERIES_PER_CALL} queries, got ${inputs.length}`);
    }
    const { model, loaded } = await this.models.loadRegistered(modelName);
    const rows: NewQuery[] = inputs.map((q, i) => {
      const where = `query ${q.externalId ?? `#${i + 1}`}`;
      if (typeof q.prompt !== 'string') throw new InvalidInputError(`${where}: prompt must be a string`);
      if (typeof q.completion !== 'string' || q.completion.length === 0) {
        throw new InvalidInputError(`${where}: completion is empty: there is nothing to score`, { query: where, field: 'completion' });
      }
      // refuse what the model cannot score (empty completion, longer than the context) before storing anything
      tokenizeQuery(loaded.tokenizer, { id: q.externalId ?? `#${i + 1}`, prompt: q.prompt, completion: q.completion }, loaded.config.nPositions);
      const kind = q.kind ?? 'OTHER';
      if (!KINDS.includes(kind)) throw new InvalidInputError(`${where}: kind must be one of ${KINDS.join(', ')}`);
      return {
        modelId: model.id,
        externalId: q.externalId ?? null,
        prompt: q.prompt,
        completion: q.completion,
        kind,
        answerKeywords: [...(q.answerKeywords ?? [])],
        tags: [...(q.tags ?? [])],
      };
    });
    return this.queries.createMany(rows);
  }

  getMany(ids: readonly number[]): Promise<(QueryRecord | null)[]> {
    return this.queries.findManyByIds(ids);
  }

  page(filter: { modelId?: number; kind?: QueryKindName }, afterId: number, first: number): Promise<Page<QueryRecord>> {
    return this.queries.page(filter, afterId, first);
  }
}
