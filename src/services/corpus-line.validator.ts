import { createHash } from 'node:crypto';

/** A corpus document as accepted from one JSONL line. */
export interface DocumentInput {
  readonly lineNumber: number;
  readonly externalId: string;
  readonly text: string;
  readonly source: string;
  readonly metadata: Record<string, unknown>;
  /** sha256 (hex) of the UTF-8 text. */
  readonly contentHash: string;
}

/** A line that was not accepted, and why. */
export interface RejectedLine {
  readonly line: number;
  readonly reason: string;
  readonly id?: string;
}

export interface CorpusLineRules {
  /** Longest accepted text, in UTF-8 bytes. */
  readonly maxTextBytes: number;
}

const KNOWN_FIELDS = new Set(['id', 'text', 'source', 'metadata']);
const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_ID_LENGTH = 512;

/** sha256 hex of a document text: the content hash that makes re-imports idempotent. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Validates one JSONL line of a corpus: valid UTF-8, a JSON object with `id` (string or
 * integer) and non-empty string `text` within `maxTextBytes`, optional string `source` and
 * object `metadata`. Fields beyond those are kept in `metadata` (explicit metadata keys win).
 */
export function validateCorpusLine(
  lineNumber: number,
  bytes: Buffer,
  rules: CorpusLineRules,
): { document: DocumentInput } | { rejected: RejectedLine } {
  const reject = (reason: string, id?: string) => ({ rejected: { line: lineNumber, reason, ...(id ? { id } : {}) } });
  let decoded: string;
  try {
    decoded = utf8.decode(bytes);
  } catch {
    return reject('invalid UTF-8');
  }
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
  if (typeof rawId !== 'string' && !(typeof rawId === 'number' && Number.isInteger(rawId))) {
    return reject(`"id" must be a string or an integer, got ${typeof rawId}`);
  }
  const externalId = String(rawId);
  if (externalId.length > MAX_ID_LENGTH) return reject(`"id" is longer than ${MAX_ID_LENGTH} characters`);
  const text = record.text;
  if (text === undefined || text === null) return reject('missing "text"', externalId);
  if (typeof text !== 'string') return reject(`"text" must be a string, got ${typeof text}`, externalId);
  if (text.length === 0) return reject('empty "text"', externalId);
  const textBytes = Buffer.byteLength(text, 'utf8');
  if (textBytes > rules.maxTextBytes) {
    return reject(`"text" is ${textBytes} bytes; the limit is ${rules.maxTextBytes}`, externalId);
  }
  const source = record.source ?? 'unknown';
  if (typeof source !== 'string' || source.length === 0) return reject('"source" must be a non-empty string', externalId);
  const metadata = record.metadata ?? {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    return reject('"metadata" must be a JSON object', externalId);
  }
  const extra: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) if (!KNOWN_FIELDS.has(key)) extra[key] = v;
  return {
    document: {
      lineNumber,
      externalId,
      text,
      source,
      metadata: { ...extra, ...(metadata as Record<string, unknown>) },
      contentHash: contentHash(text),
    },
  };
}
