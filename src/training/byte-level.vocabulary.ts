import { bytesToUnicode } from '../model/byte-level-bpe.tokenizer';

/** The end-of-text token string; its id is 256, after the 256 byte symbols. */
export const END_OF_TEXT = '<|endoftext|>';
/** Id of {@link END_OF_TEXT} in the byte-level vocabulary. */
export const END_OF_TEXT_ID = 256;
/** Size of the byte-level vocabulary: 256 byte symbols + end-of-text. */
export const BYTE_VOCAB_SIZE = 257;

/**
 * The HF tokenizer files of a byte-level GPT-2 (no merges): `vocab.json` maps GPT-2's printable
 * character of byte b to id b (0–255) and `<|endoftext|>` to 256; `merges.txt` has only the
 * version header; `tokenizer_config.json` and `special_tokens_map.json` name the end-of-text
 * token as bos/eos/unk, as HF GPT-2 does.
 */
export function byteLevelTokenizerFiles(): Record<string, string> {
  const vocab: Record<string, number> = {};
  bytesToUnicode().forEach((c, b) => (vocab[c] = b));
  vocab[END_OF_TEXT] = END_OF_TEXT_ID;
  const special = { bos_token: END_OF_TEXT, eos_token: END_OF_TEXT, unk_token: END_OF_TEXT };
  return {
    'vocab.json': JSON.stringify(vocab),
    'merges.txt': '#version: 0.2\n',
    'special_tokens_map.json': JSON.stringify(special, null, 2) + '\n',
    'tokenizer_config.json': JSON.stringify({ tokenizer_class: 'GPT2Tokenizer', model_max_length: 256, add_prefix_space: false, ...special }, null, 2) + '\n',
  };
}

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
