import { createHash } from 'node:crypto';

/**
 * sha256 (hex) of a corpus sample as used: each document's id and text, length-prefixed, in
 * order. Independent of JSON formatting and of fields the pipelines ignore.
 */
export function corpusHash(docs: Iterable<{ id: string; text: string }>): string {
  const h = createHash('sha256');
  for (const d of docs) {
    const id = Buffer.from(d.id, 'utf8');
    const text = Buffer.from(d.text, 'utf8');
    h.update(`${id.length}:`);
    h.update(id);
    h.update(`${text.length}:`);
    h.update(text);
  }
  return h.digest('hex');
}
