/**
 * The byte-level vocabulary of the reference model (docs/design.md "Components and data flow"): 256 byte
 * symbols, then end-of-text. The end-of-text token string; its id is 256, after the 256 byte symbols.
 */
export const END_OF_TEXT = '<|endoftext|>';
/** Id of {@link END_OF_TEXT} in the byte-level vocabulary. */
export const END_OF_TEXT_ID = 256;
/** Size of the byte-level vocabulary: 256 byte symbols + end-of-text. */
export const BYTE_VOCAB_SIZE = 257;

/**
 * Token ids of `text` under the byte-level vocabulary: its UTF-8 bytes (no special tokens are
 * recognised; same ids as `ByteLevelBpeTokenizer` on these files for text without `<|…|>`).
 */
export function encodeBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

/** Text of byte ids (ids ≥ 256 are dropped; invalid UTF-8 is replaced). */
export function decodeBytes(ids: ArrayLike<number>): string {
  const bytes: number[] = [];
  for (let i = 0; i < ids.length; i++) if (ids[i]! < 256) bytes.push(ids[i]!);
  return Buffer.from(bytes).toString('utf8');
}
