import { Tokenizer } from './tokenizer.port';

/** A tokenized document or query: the unit of every influence pipeline. */
export interface TokenizedSequence {
  /** External id (document id or query id). */
  readonly id: string;
  readonly tokens: readonly number[];
  /**
   * First token index whose prediction counts in the loss: 0 for documents (every token after
   * the first), the prompt length for queries (only completion tokens are scored).
   */
  readonly scoreFrom: number;
}

/** Tokenizes documents (whole text scored). Documents of fewer than 2 tokens have no scored prediction and are refused. */
export function tokenizeDocuments(tokenizer: Tokenizer, docs: ReadonlyArray<{ id: string; text: string }>): TokenizedSequence[] {
  return docs.map((d) => ({ id: d.id, tokens: tokenizer.encode(d.text, { field: `document ${d.id}` }), scoreFrom: 0 }));
}
