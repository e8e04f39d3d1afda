import { ByteLevelBpeTokenizer, bytesToUnicode } from '../../src/model/byte-level-bpe.tokenizer';
import { TextTooLongError } from '../../src/model/model-load.error';
import { byteLevelTokenizerFiles } from '../support/gpt2-checkpoint';

describe('byte-level BPE tokenizer', () => {
  it('maps bytes to GPT-2 symbols (space is Ġ, newline is Ċ) and is a bijection', () => {
    const m = bytesToUnicode();
    expect(m[32]).toBe('Ġ');
    expect(m[10]).toBe('Ċ');
    expect(m[65]).toBe('A');
    expect(new Set(m).size).toBe(256);
  });

  it('with 256 byte symbols and no merges, token ids are the UTF-8 bytes', () => {
    const f = byteLevelTokenizerFiles();
    const tok = ByteLevelBpeTokenizer.fromFiles(f.vocab, f.merges);
    const text = "Hello, world's 42 héllo\n\n  x";
    expect(tok.encode(text)).toEqual([...Buffer.from(text, 'utf8')]);
    expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it('applies merges by rank within GPT-2 pre-tokens only', () => {
    // merges: "l l" (rank 0), "h e" (1), "he ll" (2), "Ġ w" (3)
    const f = byteLevelTokenizerFiles(
      [
        ['l', 'l'],
        ['h', 'e'],
        ['he', 'll'],
        ['Ġ', 'w'],
      ],
      ['ll', 'he', 'hell', 'Ġw'],
    );
    const tok = ByteLevelBpeTokenizer.fromFiles(f.vocab, f.merges);
    // "hello" → hell + o ; " world" → Ġw + o r l d ; "hell" at a word boundary does not merge across " "
    expect(tok.encode('hello world')).toEqual([258, 111, 259, 111, 114, 108, 100]);
    expect(tok.encode('ll')).toEqual([256]);
    // pre-tokenisation: "'s" is its own piece, so "h'sll" → h ' s ll
    expect(tok.encode("h'sll")).toEqual([104, 39, 115, 256]);
    expect(tok.decode(tok.encode('hello world'))).toBe('hello world');
  });

  it('keeps special tokens such as <|endoftext|> whole and splits the text around them', () => {
    const f = byteLevelTokenizerFiles([['h', 'i']], ['hi', '<|endoftext|>']);
    const tok = ByteLevelBpeTokenizer.fromFiles(f.vocab, f.merges);
    expect(tok.encode('hi<|endoftext|>hi')).toEqual([256, 257, 256]);
    expect(tok.encode('<|endoftext|>')).toEqual([257]);
    expect(tok.encode('a<|other|>')).toEqual([...Buffer.from('a<|other|>')]);
    expect(tok.decode([256, 257])).toBe('hi<|endoftext|>');
  });

  it('rejects text over the limit naming the field, and bad merges lines', () => {
    const f = byteLevelTokenizerFiles();
    const tok = ByteLevelBpeTokenizer.fromFiles(f.vocab, f.merges);
    expect(() => tok.encode('abcdef', { field: 'prompt', maxChars: 5 })).toThrow(TextTooLongError);
    expect(() => tok.encode('abcdef', { field: 'prompt', maxChars: 5 })).toThrow(/prompt is 6 characters long; the limit is 5/);
    expect(() => ByteLevelBpeTokenizer.fromFiles(f.vocab, '#version: 0.2\na b c\n')).toThrow(/merges\.txt: line 2/);
    expect(() => ByteLevelBpeTokenizer.fromFiles('[1]', '')).toThrow(/vocab\.json/);
  });
});
