import { createReadStream } from 'node:fs';

/** One line of a JSONL file, as bytes, or the reason it could not be read whole. */
export type JsonlLine =
  | { readonly lineNumber: number; readonly bytes: Buffer; readonly tooLong?: undefined }
  | { readonly lineNumber: number; readonly bytes?: undefined; readonly tooLong: number };

/**
 * Streams the lines of a file (LF or CRLF endings) with 1-based line numbers, in memory that
 * stays flat in the file size: a line longer than `maxLineBytes` is not buffered but reported
 * with its length. Empty lines are skipped. Bytes are returned undecoded so that the caller can
 * reject invalid UTF-8 by line.
 */
export async function* readJsonlLines(path: string, maxLineBytes: number): AsyncGenerator<JsonlLine> {
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  let parts: Buffer[] = [];
  let length = 0;
  let overflow = 0;
  let lineNumber = 0;
  function* finish(): Generator<JsonlLine> {
    lineNumber++;
    if (overflow > 0) {
      yield { lineNumber, tooLong: overflow };
    } else {
      let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
      if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
      if (bytes.length > 0) yield { lineNumber, bytes };
    }
    parts = [];
    length = 0;
    overflow = 0;
  }
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (overflow > 0 || length + piece.length > maxLineBytes) {
        overflow = (overflow || length) + piece.length;
        parts = [];
        length = 0;
      } else if (piece.length > 0) {
        parts.push(Buffer.from(piece));
        length += piece.length;
      }
      if (nl === -1) break;
      yield* finish();
      start = nl + 1;
    }
  }
  if (length > 0 || overflow > 0) yield* finish();
}
