import type { QueryKindName } from './query-kind';

/** A query as submitted (GraphQL input, CLI options or a queries-JSONL line), before validation. */
export interface QueryInputData {
  readonly externalId?: string | null;
  readonly prompt: string;
  readonly completion: string;
  /** Default OTHER. */
  readonly kind?: QueryKindName;
  readonly answerKeywords?: readonly string[];
  readonly tags?: readonly string[];
}
