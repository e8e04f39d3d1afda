import { createHash } from 'node:crypto';

/**
 * A corpus document as read from one JSONL line: `{"id": ..., "text": ..., "source"?: ...,
 * "metadata"?: {...}, ...}`.
 */
export interface CorpusLine {
  /** 1-based line number in the file. */
  readonly lineNumber: number;
  /** `id` (strings kept; integers converted to their decimal string). */
  readonly externalId: string;
  readonly text: string;
  /** `source` (code, math, wiki, …); `unknown` when the line has none. */
  readonly source: string;
  /** `metadata`, with every field beyond id, text, source and metadata added (explicit metadata keys win). */
  readonly metadata: Record<string, unknown>;
}

/** A line that was not accepted, and why. */
export interface RejectedLine {
  /** 1-based line number in the file. */
  readonly line: number;
  /** What is wrong, e.g. `missing "id"`, `invalid JSON: …`, `empty "text"`. */
  readonly reason: string;
  /** The line's id, when it has a valid one. */
  readonly id?: string;
}

/** The verdict on one non-blank line. */
export type CorpusLineResult = { readonly document: CorpusLine } | { readonly rejected: RejectedLine };

export interface CorpusLineRules {
  /** Longest accepted text, in UTF-8 bytes. */
  readonly maxTextBytes: number;
}

/** Longest accepted text when the caller sets none: 1 MiB of UTF-8. */
export const DEFAULT_MAX_TEXT_BYTES = 1 << 20;

const KNOWN_FIELDS = new Set(['id', 'text', 'source', 'metadata']);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_ID_LENGTH = 512;

/** A NUL, or a UTF-16 surrogate without its pair: characters a Postgres `text` or `jsonb` value cannot hold. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** `s` with every NUL and unpaired surrogate written as its `\uXXXX` escape: safe to store and print. */
export function printableText(s: string): string {
  return s.replace(UNSTORABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The first NUL or unpaired surrogate in any string (keys included) of a JSON value, or undefined. */
function firstUnstorable(value: unknown): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.exec(value)?.[0];
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, v] of Object.entries(value)) {
    const found = (Array.isArray(value) ? undefined : firstUnstorable(key)) ?? firstUnstorable(v);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Why `field` cannot be stored, when one of its strings holds U+0000 (Postgres text and jsonb
 * refuse it: "invalid byte sequence for encoding UTF8: 0x00") or an unpaired UTF-16 surrogate
 * (not Unicode; jsonb refuses it, text would silently turn it into U+FFFD). Such lines are
 * rejected, never altered, so that a stored text is always the file's text (docs/database.md
 * "Corpus import").
 */
function unstorableReason(field: string, value: unknown): string | undefined {
  const found = firstUnstorable(value);
  if (found === undefined) return undefined;
  if (found === '\u0000') return `"${field}" contains U+0000 (NUL), which a database text cannot hold`;
  return `"${field}" contains an unpaired UTF-16 surrogate (${printableText(found)}), which is not Unicode text`;
}

/** sha256 hex of a document text: the content hash that makes re-imports idempotent. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Longest line worth reading whole for texts of at most `maxTextBytes` bytes: JSON escapes
 * (`\uXXXX`) take at most 6 bytes per text byte, plus 64 KiB for the other fields. A longer line
 * is rejected unread ({@link tooLongLineReason}).
 */
export function maxCorpusLineBytes(maxTextBytes: number): number {
  return maxTextBytes * 6 + 65_536;
}

/** Why a line of `bytes` bytes, longer than {@link maxCorpusLineBytes}, is rejected. */
export function tooLongLineReason(bytes: number): string {
  return `line is ${bytes} bytes, longer than any accepted document`;
}

/** Why a line repeating the id of line `firstLine` is rejected. */
export function duplicateIdReason(id: string, firstLine: number): string {
  return `duplicate id "${id}" (first on line ${firstLine})`;
}

/**
 * The one parser of a corpus JSONL line, used by the corpus import and the offline readers.
 * Accepts valid UTF-8 holding a JSON object with `id` (a non-empty string of at most 512
 * characters, or a safe integer) and a non-empty string `text` of at most `maxTextBytes` UTF-8
 * bytes, an optional non-empty string `source` and an optional object `metadata`; fields beyond
 * those are kept in `metadata` (explicit metadata keys win). A line any of whose strings holds
 * U+0000 or an unpaired UTF-16 surrogate is rejected (the database cannot store it); rejection
 * reasons never hold such characters ({@link printableText}). A blank line (only white space)
 * returns `undefined`: it is skipped, not rejected.
 * @param line the line without its end-of-line, as undecoded bytes or text
 */
export function parseCorpusLine(
  lineNumber: number,
  line: Buffer | string,
  rules: CorpusLineRules = { maxTextBytes: DEFAULT_MAX_TEXT_BYTES },
): CorpusLineResult | undefined {
  const reject = (reason: string, id?: string): CorpusLineResult => ({ rejected: { line: lineNumber, reason: printableText(reason), ...(id ? { id } : {}) } });
  let decoded: string;
  if (typeof line === 'string') decoded = line;
  else {
    try {
      decoded = utf8.decode(line);
    } catch {
      return reject('invalid UTF-8');
    }
  }
  if (decoded.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(decoded);
  } catch (error) {
    return reject(`invalid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return reject('not a JSON object');
  }
  const record = value as Record<string, unknown>;
  const rawId = record.id;
  if (rawId === undefined || rawId === null || rawId === '') return reject('missing "id"');
  if (typeof rawId !== 'string' && !(typeof rawId === 'number' && Number.isSafeInteger(rawId))) {
    return reject(`"id" must be a string or an integer, got ${typeof rawId}`);
  }
  const externalId = String(rawId);
  const idUnstorable = unstorableReason('id', externalId);
  if (idUnstorable) return reject(idUnstorable);
  if (externalId.length > MAX_ID_LENGTH) return reject(`"id" is longer than ${MAX_ID_LENGTH} characters`);
  const text = record.text;
  if (text === undefined || text === null) return reject('missing "text"', externalId);
  if (typeof text !== 'string') return reject(`"text" must be a string, got ${typeof text}`, externalId);
  if (text.length === 0) return reject('empty "text"', externalId);
  const textUnstorable = unstorableReason('text', text);
  if (textUnstorable) return reject(textUnstorable, externalId);
  const textBytes = Buffer.byteLength(text, 'utf8');
  if (textBytes > rules.maxTextBytes) {
    return reject(`"text" is ${textBytes} bytes; the limit is ${rules.maxTextBytes}`, externalId);
  }
  const source = record.source ?? 'unknown';
  if (typeof source !== 'string' || source.length === 0) return reject('"source" must be a non-empty string', externalId);
  const sourceUnstorable = unstorableReason('source', source);
  if (sourceUnstorable) return reject(sourceUnstorable, externalId);
  const metadata = record.metadata ?? {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    return reject('"metadata" must be a JSON object', externalId);
  }
  const extra: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) if (!KNOWN_FIELDS.has(key)) extra[key] = v;
  const metadataUnstorable = unstorableReason('metadata', [extra, metadata]);
  if (metadataUnstorable) return reject(metadataUnstorable, externalId);
  return { document: { lineNumber, externalId, text, source, metadata: { ...extra, ...(metadata as Record<string, unknown>) } } };
}
