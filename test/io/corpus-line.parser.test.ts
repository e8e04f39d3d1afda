import { createHash } from 'node:crypto';

import { contentHash, DEFAULT_MAX_TEXT_BYTES, parseCorpusLine } from '../../src/io/corpus-line.parser';

const rules = { maxTextBytes: 20 };
const check = (s: string | Buffer) => {
  const result = parseCorpusLine(7, Buffer.isBuffer(s) ? s : Buffer.from(s), rules);
  if (result === undefined) throw new Error('a blank line');
  // bytes and text give the same verdict
  if (!Buffer.isBuffer(s)) expect(parseCorpusLine(7, s, rules)).toEqual(result);
  return result;
};

describe('parseCorpusLine', () => {
  it('accepts a document, keeps unknown fields in metadata', () => {
    const result = check('{"id": 12, "text": "héllo", "source": "wiki", "metadata": {"a": 1}, "lang": "fr", "a": 0}');
    expect('document' in result).toBe(true);
    if (!('document' in result)) return;
    expect(result.document).toEqual({
      lineNumber: 7,
      externalId: '12',
      text: 'héllo',
      source: 'wiki',
      metadata: { lang: 'fr', a: 1 },
    });
    expect(contentHash('héllo')).toBe(createHash('sha256').update(Buffer.from('héllo', 'utf8')).digest('hex'));
  });

  it('skips blank lines; the default text limit is 1 MiB', () => {
    expect(parseCorpusLine(1, '')).toBeUndefined();
    expect(parseCorpusLine(1, Buffer.from(' \t '))).toBeUndefined();
    expect(DEFAULT_MAX_TEXT_BYTES).toBe(1 << 20);
    const text = 'x'.repeat(DEFAULT_MAX_TEXT_BYTES);
    expect(parseCorpusLine(1, JSON.stringify({ id: 'a', text }))).toHaveProperty('document');
    expect(parseCorpusLine(1, JSON.stringify({ id: 'a', text: text + 'x' }))).toEqual({
      rejected: { line: 1, id: 'a', reason: `"text" is ${DEFAULT_MAX_TEXT_BYTES + 1} bytes; the limit is ${DEFAULT_MAX_TEXT_BYTES}` },
    });
  });

  it('defaults source to unknown and metadata to {}', () => {
    const result = check('{"id": "x", "text": "t"}');
    expect('document' in result && result.document.source).toBe('unknown');
    expect('document' in result && result.document.metadata).toEqual({});
  });

  it.each([
    ['{"text": "t"}', 'missing "id"'],
    ['{"id": "x"}', 'missing "text"'],
    ['{"id": "x", "text": ""}', 'empty "text"'],
    ['{"id": "x", "text": 5}', '"text" must be a string, got number'],
    ['{"id": 1.5, "text": "t"}', '"id" must be a string or an integer, got number'],
    ['{"id": 9007199254740993, "text": "t"}', '"id" must be a string or an integer, got number'],
    ['{"id": "", "text": "t"}', 'missing "id"'],
    [`{"id": "${'i'.repeat(513)}", "text": "t"}`, '"id" is longer than 512 characters'],
    ['{"id": "x", "text": "123456789012345678901"}', '"text" is 21 bytes; the limit is 20'],
    ['{"id": "x", "text": "t", "metadata": [1]}', '"metadata" must be a JSON object'],
    ['{"id": "x", "text": "t", "source": 3}', '"source" must be a non-empty string'],
    ['[1, 2]', 'not a JSON object'],
    ['{"id": "x", "text": "t"', 'invalid JSON'],
  ])('rejects %s: %s', (line, reason) => {
    const result = check(line);
    expect('rejected' in result).toBe(true);
    if ('rejected' in result) {
      expect(result.rejected.line).toBe(7);
      expect(result.rejected.reason).toContain(reason);
    }
  });

  it('rejects invalid UTF-8', () => {
    const result = check(Buffer.from([0x7b, 0xff, 0x7d]));
    expect('rejected' in result && result.rejected.reason).toBe('invalid UTF-8');
  });

  it.each([
    ['{"id": "x", "text": "a\\u0000b"}', '"text" contains U+0000 (NUL), which a database text cannot hold', 'x'],
    ['{"id": "x", "text": "t", "source": "w\\u0000"}', '"source" contains U+0000 (NUL)', 'x'],
    ['{"id": "x", "text": "t", "metadata": {"a": ["ok", "b\\u0000"]}}', '"metadata" contains U+0000 (NUL)', 'x'],
    ['{"id": "x", "text": "t", "k\\u0000": 1}', '"metadata" contains U+0000 (NUL)', 'x'],
    ['{"id": "x", "text": "t\\ud800"}', '"text" contains an unpaired UTF-16 surrogate (\\ud800), which is not Unicode text', 'x'],
    ['{"id": "x", "text": "t", "metadata": {"a": "\\udc00z"}}', '"metadata" contains an unpaired UTF-16 surrogate (\\udc00)', 'x'],
    ['{"id": "a\\u0000b", "text": "t"}', '"id" contains U+0000 (NUL)', undefined],
  ])('rejects a line that the database cannot store: %s', (line, reason, id) => {
    const result = check(line);
    expect(result).toEqual({ rejected: { line: 7, reason: expect.stringContaining(reason), ...(id ? { id } : {}) } });
  });

  it('accepts paired surrogates (emoji) and escaped NUL-lookalikes', () => {
    const result = check('{"id": "x", "text": "\\ud83d\\ude00 and \\\\u0000", "metadata": {"e": "\\ud83d\\ude00"}}');
    expect('document' in result && result.document.text).toBe('\u{1F600} and \\u0000');
  });

  it('never puts a NUL or an unpaired surrogate into a rejection (reports are stored as jsonb)', () => {
    for (const line of ['garbage\u0000', '{"id": "a\u0000b", "text": ""}', '{"id": "a\\ud800", "text": ""}', '\u0000{"id": 1}']) {
      const result = check(line);
      expect('rejected' in result).toBe(true);
      if (!('rejected' in result)) continue;
      for (const value of [result.rejected.reason, result.rejected.id ?? '']) {
        expect(value).not.toMatch(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      }
    }
  });
});
