import type { QueryKindName } from './query-kind';

/** A stored influence query (prompt + completion). */
export interface QueryRecord {
  readonly id: number;
  readonly modelId: number;
  readonly externalId: string | null;
  readonly prompt: string;
  readonly completion: string;
  readonly kind: QueryKindName;
  readonly answerKeywords: string[];
  readonly tags: string[];
  /** nats(q), in nats; null until computed. */
  readonly nats: number | null;
  /** The model's greedy continuation of the prompt; null until computed (or when it cannot decode). */
  readonly modelAnswer: string | null;
  /** Whether that continuation's final answer is the query's answer; null when undecidable. */
  readonly answeredCorrectly: boolean | null;
  readonly computedAt: Date | null;
  /** pg-boss id of the compute-query-gradients job last queued for it. */
  readonly gradientJobId: string | null;
  readonly createdAt: Date;
}
