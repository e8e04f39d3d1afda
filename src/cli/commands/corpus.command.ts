import type { Command } from 'commander';

import { parseIntegerOption } from '../../config/integer-option.parser';
import { configFromOptions, withDatabaseOptions } from '../config-options';
import { withPlatform } from '../open-platform';
import { ProgressLine } from '../progress-line';

/** `tracebase corpus import --name NAME FILE.jsonl`. */
export function registerCorpusCommands(program: Command): void {
  const corpus = program.command('corpus').description('Corpora of pretraining documents.');
  withDatabaseOptions(
    corpus
      .command('import')
      .description(
        'Import a JSONL file (one document per line: id, text, optional source and metadata; other fields go to metadata). ' +
          'Re-importing changes nothing; a changed text for a stored id is reported, never overwritten.',
      )
      .argument('<file>', 'JSONL file')
      .requiredOption('--name <name>', 'corpus name (created if new)')
      .option('--description <text>', 'description of a new corpus')
      .option('--max-text-bytes <n>', 'longest accepted text in UTF-8 bytes', '1048576')
      .option('--batch-size <n>', 'documents per transaction', '500')
      .option('--json', 'print the summary as JSON'),
  ).action(async (file: string, options: Record<string, unknown>) => {
    const maxTextBytes = parseIntegerOption('max-text-bytes', String(options.maxTextBytes), 1);
    const batchSize = parseIntegerOption('batch-size', String(options.batchSize), 1, 10_000);
    const config = configFromOptions(options);
    await withPlatform(config, async (services) => {
      const progress = new ProgressLine(`import ${String(options.name)}`, 'lines');
      const summary = await services.corpusImport.importFile(String(options.name), file, {
        maxTextBytes,
        batchSize,
        description: typeof options.description === 'string' ? options.description : undefined,
        onProgress: (p) => progress.update(p.lines, undefined, `${((100 * p.bytesRead) / Math.max(p.totalBytes, 1)).toFixed(0)}% of the file`),
      });
      progress.finish(summary.lines, undefined);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      const lines = [
        `corpus ${String(options.name)} (id ${summary.corpusId}), import ${summary.importId} of ${summary.file}`,
        `  ${summary.lines} lines: ${summary.accepted} new, ${summary.unchanged} unchanged, ${summary.conflicts} conflicting, ${summary.rejected} rejected`,
        `  the corpus now holds ${summary.documentCount} documents`,
      ];
      for (const entry of summary.report.slice(0, 20)) lines.push(`  line ${entry.line}: ${entry.reason}`);
      if (summary.report.length > 20) lines.push(`  … ${summary.report.length - 20} more in the stored import report`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  });
}
