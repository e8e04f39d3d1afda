import { ModelLoadError, TextTooLongError } from './model-load.error';

/** GPT-2's reversible map from bytes 0..255 to printable unicode characters. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = '!'.charCodeAt(0); b <= '~'.charCodeAt(0); b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n);
      n++;
    }
  }
  const out = new Array<string>(256);
  bs.forEach((b, i) => (out[b] = String.fromCodePoint(cs[i]!)));
  return out;
}

/** GPT-2's pre-tokenisation pattern (contractions, letters, numbers, other, whitespace). */
const PRETOKENIZE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * GPT-2 byte-level BPE (as the Hugging Face byte-level BPE tokenizer): UTF-8 bytes mapped to printable characters,
 * split by the GPT-2 pattern, then merged by `merges.txt` rank. A vocabulary of the 256 byte
 * symbols with no merges is a plain byte-level tokenizer. No BOS/EOS is added.
 */
export class ByteLevelBpeTokenizer {
  private readonly byteChars = bytesToUnicode();
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, number[]>();
  private readonly decoder: Map<number, string>;
  /** Special tokens (vocabulary entries of the form `<|…|>`, e.g. `<|endoftext|>`), matched verbatim. */
  private readonly special: RegExp | undefined;

  /**
   * @param vocab token string → id (`vocab.json`)
   * @param merges merge pairs in rank order (`merges.txt` lines without the `#version` header)
   */
  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    merges: ReadonlyArray<[string, string]>,
  ) {
    merges.forEach(([a, b], i) => this.ranks.set(`${a} ${b}`, i));
    this.decoder = new Map([...vocab].map(([k, v]) => [v, k]));
    const specials = [...vocab.keys()].filter((k) => /^<\|[^|]*\|>$/.test(k)).sort((a, b) => b.length - a.length);
    this.special = specials.length ? new RegExp(`(${specials.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'g') : undefined;
  }

  /** Parses `vocab.json` and `merges.txt` contents; errors name the file and line. */
  static fromFiles(vocabJson: string, mergesTxt: string, files = { vocab: 'vocab.json', merges: 'merges.txt' }): ByteLevelBpeTokenizer {
    let raw: unknown;
    try {
      raw = JSON.parse(vocabJson);
    } catch (e) {
      throw new ModelLoadError(`${files.vocab}: not valid JSON (${(e as Error).message})`, { file: files.vocab });
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ModelLoadError(`${files.vocab}: expected an object mapping tokens to ids`, { file: files.vocab });
    }
    const vocab = new Map<string, number>();
    for (const [k, v] of Object.entries(raw)) {
      if (!Number.isInteger(v) || (v as number) < 0)
        throw new ModelLoadError(`${files.vocab}: token ${JSON.stringify(k)} has a non-integer id`, { file: files.vocab, field: k });
      vocab.set(k, v as number);
    }
    const merges: [string, string][] = [];
    mergesTxt.split('\n').forEach((line, i) => {
      const l = line.replace(/\r$/, '');
      if (l.length === 0 || (i === 0 && l.startsWith('#version'))) return;
      const parts = l.split(' ');
      if (parts.length !== 2) throw new ModelLoadError(`${files.merges}: line ${i + 1} is not "a b"`, { file: files.merges, line: i + 1 });
      merges.push([parts[0]!, parts[1]!]);
    });
    return new ByteLevelBpeTokenizer(vocab, merges);
  }

  /** Number of entries in the vocabulary. */
  get size(): number {
    return this.vocab.size;
  }

  /**
   * Token ids of `text` (special tokens such as `<|endoftext|>` in the vocabulary match
   * verbatim, as in HF). Throws {@link TextTooLongError} naming `field` when the text has more
   * than `maxChars` UTF-16 code units.
   */
  encode(text: string, opts: { field?: string; maxChars?: number } = {}): number[] {
    const field = opts.field ?? 'text';
    const maxChars = opts.maxChars ?? 10_000_000;
    if (text.length > maxChars) {
      throw new TextTooLongError(`${field} is ${text.length} characters long; the limit is ${maxChars}`, { field, length: text.length, limit: maxChars });
    }
    const ids: number[] = [];
    if (this.special) {
      // special tokens (as Hugging Face added tokens) are never split; text between them is
      const parts = text.split(this.special);
      parts.forEach((part, i) => {
        if (i % 2 === 1) ids.push(this.vocab.get(part)!);
        else if (part) this.encodeOrdinary(part, field, ids);
      });
      return ids;
    }
    this.encodeOrdinary(text, field, ids);
    return ids;
  }

  private encodeOrdinary(text: string, field: string, ids: number[]): void {
    for (const m of text.matchAll(PRETOKENIZE)) {
      const piece = m[0];
      let cached = this.cache.get(piece);
      if (!cached) {
        const chars = [...Buffer.from(piece, 'utf8')].map((b) => this.byteChars[b]!);
        cached = this.bpe(chars).map((tok) => {
          const id = this.vocab.get(tok);
          if (id === undefined) throw new ModelLoadError(`vocab.json: no id for token ${JSON.stringify(tok)} (in ${field})`, { file: 'vocab.json', field });
          return id;
        });
        if (this.cache.size < 100_000) this.cache.set(piece, cached);
      }
      for (const id of cached) ids.push(id);
    }
  }

  /** Inverse of {@link encode} (invalid UTF-8 is replaced). */
  decode(ids: readonly number[]): string {
    const inv = new Map(this.byteChars.map((c, b) => [c, b]));
    const bytes: number[] = [];
    for (const id of ids) {
      const tok = this.decoder.get(id);
      if (tok === undefined) throw new ModelLoadError(`vocab.json: unknown token id ${id}`, { file: 'vocab.json' });
      for (const ch of tok) bytes.push(inv.get(ch) ?? 0x3f);
    }
    return Buffer.from(bytes).toString('utf8');
  }

  /** Repeatedly merges the adjacent pair of lowest rank. */
  private bpe(word: string[]): string[] {
    if (this.ranks.size === 0 || word.length < 2) return word;
    let parts = word;
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = this.ranks.get(`${parts[i]} ${parts[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) return parts;
      const a = parts[best]!;
      const b = parts[best + 1]!;
      const next: string[] = [];
      for (let i = 0; i < parts.length;) {
        if (i + 1 < parts.length && parts[i] === a && parts[i + 1] === b) {
          next.push(a + b);
          i += 2;
        } else {
          next.push(parts[i]!);
          i++;
        }
      }
      parts = next;
      if (parts.length === 1) return parts;
    }
  }
}
