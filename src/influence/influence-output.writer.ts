import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * A JSONL file written to a temporary sibling and renamed into place by {@link commit}, so a
 * failed run never leaves a partial output file; {@link abort} removes the temporary file.
 */
export class AtomicJsonlWriter {
  private readonly tmp: string;
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
    this.fd = openSync(this.tmp, 'w');
  }

  /** Appends one JSON value as a line. */
  write(value: unknown): void {
    writeSync(this.fd!, `${JSON.stringify(value)}\n`);
  }

  /** Closes and renames the file into place. */
  commit(): void {
    closeSync(this.fd!);
    this.fd = undefined;
    renameSync(this.tmp, this.path);
  }

  /** Closes and deletes the temporary file. */
  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.tmp, { force: true });
  }
}
