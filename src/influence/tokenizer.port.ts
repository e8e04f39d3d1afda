/** What the influence pipelines need of a tokenizer (the model's byte-level BPE tokenizer fits). */
export interface Tokenizer {
  encode(text: string, opts?: { field?: string; maxChars?: number }): number[];
  decode(ids: readonly number[]): string;
}
