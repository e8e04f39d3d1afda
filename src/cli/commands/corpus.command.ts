import { closeSync, openSync, writeSync } from 'node:fs';

import type { Command } from 'commander';

import { parseIntegerOption } from '../../config/integer-option.parser';
import type { RejectedLine } from '../../io/corpus-line.parser';
import { configFromOptions, withDatabaseOptions } from '../config-options';
import { withPlatform } from '../open-platform';
import { ProgressLine } from '../progress-line';

/**
 * Exit status of `tracebase corpus import` when lines were rejected and `--allow-rejects` was
 * not given (2 stays for errors that stop a command, 1 for unexpected ones; docs/database.md
 * "Corpus import").
 */
export const EXIT_LINES_REJECTED = 3;

/** Rejections shown on the terminal; the rest are in the `--rejects` file and the stored report. */
const SHOWN_REJECTIONS = 20;

/** Writes rejected lines, one JSON object a line: `{ line, reason, id?, content? }` (content: the line as read, absent when too long to read). */
class RejectsFile {
  private readonly fd: number;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
  }

  write(rejected: RejectedLine, bytes: Buffer | undefined): void {
    writeSync(this.fd, `${JSON.stringify({ ...rejected, ...(bytes ? { content: bytes.toString('utf8') } : {}) })}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** `tracebase corpus import --name NAME FILE.jsonl`, `tracebase corpus list`. */
export function registerCorpusCommands(program: Command): void {
  const corpus = program.command('corpus').description('Corpora of pretraining documents.');
  withDatabaseOptions(
    corpus
      .command('import')
      .description(
        'Import a JSONL file (one document per line: id, text, optional source and metadata; other fields go to metadata). ' +
          'Every line is checked first: when any is rejected, nothing is imported and the command exits ' +
          `${EXIT_LINES_REJECTED} (--allow-rejects imports the other lines and exits 0). ` +
          'Re-importing changes nothing; a changed text for a stored id is reported, never overwritten. An empty file is an error.',
      )
      .argument('<file>', 'JSONL file')
      .requiredOption('--name <name>', 'corpus name (created if new)')
      .option('--description <text>', 'description of a new corpus')
      .option('--max-text-bytes <n>', 'longest accepted text in UTF-8 bytes', '1048576')
      .option('--batch-size <n>', 'documents per transaction', '500')
      .option('--allow-rejects', 'import the valid lines even when some are rejected, and exit 0')
      .option('--rejects <file>', 'write every rejected line to FILE (JSONL: line, reason, id, content)')
      .option('--json', 'print the summary as JSON'),
  ).action(async (file: string, options: Record<string, unknown>) => {
    const maxTextBytes = parseIntegerOption('max-text-bytes', String(options.maxTextBytes), 1);
    const batchSize = parseIntegerOption('batch-size', String(options.batchSize), 1, 10_000);
    const allowRejects = Boolean(options.allowRejects);
    const config = configFromOptions(options);
    const rejectsFile = typeof options.rejects === 'string' ? new RejectsFile(options.rejects) : undefined;
    const shown: RejectedLine[] = [];
    const rejectedLines = new Set<number>();
    const onRejected = (rejected: RejectedLine, bytes: Buffer | undefined) => {
      rejectedLines.add(rejected.line);
      rejectsFile?.write(rejected, bytes);
      if (shown.length < SHOWN_REJECTIONS) shown.push(rejected);
    };
    const showRejections = (count: number) => {
      const lines = shown.map((r) => `  line ${r.line}: ${r.reason}`);
      if (count > shown.length) lines.push(`  … ${count - shown.length} more${rejectsFile ? ` in ${rejectsFile.file}` : ' (--rejects FILE writes them all)'}`);
      else if (rejectsFile) lines.push(`  written to ${rejectsFile.file}`);
      return lines;
    };
    try {
      await withPlatform(config, async (services) => {
        if (!allowRejects) {
          const check = await services.corpusImport.checkFile(file, { maxTextBytes, onRejected });
          if (check.rejected > 0) {
            process.stderr.write(
              [
                `tracebase: ${check.rejected} of ${check.documents + check.rejected} documents in ${file} rejected; nothing was imported.`,
                ...showRejections(check.rejected),
                `Fix those lines, or pass --allow-rejects to import the other ${check.documents} (exit status ${EXIT_LINES_REJECTED}).`,
              ].join('\n') + '\n',
            );
            process.exitCode = EXIT_LINES_REJECTED;
            return;
          }
        }
        const progress = new ProgressLine(`import ${String(options.name)}`, 'lines');
        const summary = await services.corpusImport.importFile(String(options.name), file, {
          maxTextBytes,
          batchSize,
          description: typeof options.description === 'string' ? options.description : undefined,
          onProgress: (p) => progress.update(p.lines, undefined, `${((100 * p.bytesRead) / Math.max(p.totalBytes, 1)).toFixed(0)}% of the file`),
          onRejected,
        });
        progress.finish(summary.lines, undefined);
        // without --allow-rejects only ids repeated within a batch can be rejected here
        if (summary.rejected > 0 && !allowRejects) process.exitCode = EXIT_LINES_REJECTED;
        if (options.json) {
          process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
          return;
        }
        const lines = [
          `corpus ${String(options.name)} (id ${summary.corpusId}), import ${summary.importId} of ${summary.file}`,
          `  ${summary.lines} lines: ${summary.accepted} new, ${summary.unchanged} unchanged, ${summary.conflicts} conflicting, ${summary.rejected} rejected`,
          `  the corpus now holds ${summary.documentCount} documents`,
        ];
        if (summary.rejected > 0) lines.push(...showRejections(summary.rejected));
        const conflicts = summary.report.filter((r) => !rejectedLines.has(r.line));
        for (const entry of conflicts.slice(0, SHOWN_REJECTIONS)) lines.push(`  line ${entry.line}: ${entry.reason}`);
        if (summary.conflicts > SHOWN_REJECTIONS) lines.push(`  … ${summary.conflicts - SHOWN_REJECTIONS} more conflicts in the stored import report`);
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    } finally {
      rejectsFile?.close();
    }
  });

  withDatabaseOptions(corpus.command('list').description('List the corpora with their document counts.').option('--json', 'print JSON')).action(
    async (options: Record<string, unknown>) => {
      await withPlatform(configFromOptions(options), async (services) => {
        const corpora = [];
        for (let after = 0; ;) {
          const page = await services.corpora.page(after, 500);
          corpora.push(...page.items);
          if (!page.hasNextPage || page.items.length === 0) break;
          after = page.items[page.items.length - 1]!.id;
        }
        if (options.json) {
          process.stdout.write(`${JSON.stringify(corpora, null, 2)}\n`);
          return;
        }
        if (corpora.length === 0) {
          process.stdout.write('no corpora yet: tracebase corpus import --name NAME FILE.jsonl\n');
          return;
        }
        const rows = [
          ['ID', 'NAME', 'DOCUMENTS', 'CREATED', 'DESCRIPTION'],
          ...corpora.map((c) => [String(c.id), c.name, String(c.documentCount), c.createdAt.toISOString(), c.description]),
        ];
        const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
        process.stdout.write(
          rows
            .map((r) =>
              r
                .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
                .join('  ')
                .trimEnd(),
            )
            .join('\n') + '\n',
        );
      });
    },
  );
}
