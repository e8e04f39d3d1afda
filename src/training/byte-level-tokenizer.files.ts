import { bytesToUnicode } from '../model/byte-level-bpe.tokenizer';
import { END_OF_TEXT, END_OF_TEXT_ID } from '../generation/byte-level.vocabulary';

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
