/**
 * Batching benchmark of the worker's projection head (a script, not a test):
 * `npx tsx bench/ingest-batching.bench.ts [options]`. No database.
 *
 * On the reference model (models/reference/, else its architecture with random weights: the
 * rates do not depend on the weights) and the first N documents of the synthetic world, cuts the
 * documents into job-sized chunks and projects each chunk (Gaussian space, r = 8 on the default
 * tracked layers, as `bench:ingest`) with the fixed batches of 8 windows in document order used
 * before, and with token-budget batches at each budget. Every batching runs every chunk once to
 * compile its shapes; then the timed rounds run the batchings of a chunk back to back (their
 * order rotating), so that load changes on the machine hit all alike. Reports per batching:
 * documents/s, the ratio to the fixed batches, the padding share 1 − window tokens / padded
 * positions, the compiled shapes, and how much the process's resident memory grew in the
 * batching's warm-up (its sessions keep their activation memory).
 *
 * Options: --documents N (default 128), --batch-size N (documents per job, default 32),
 * --budgets a,b,... (default 256,512,1024,2048,4096), --rounds N (default 2), --threads N
 * (default: all cores), --model DIR, --world DIR (an existing world directory; default: generate
 * seed 1, full), --json FILE.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';

import { defaultEngineSettings, GradientEngine } from '../src/engine/gradient.engine';
import { SessionCache } from '../src/engine/session.cache';
import { planPadding, planTokenBudgetBatches } from '../src/engine/token-budget.planner';
import { projectDocuments } from '../src/influence/document-projection.pipeline';
import { trackedLayers } from '../src/influence/layer-tensors.adapter';
import { gaussianProjectionSpace, uniformRanks } from '../src/influence/projection-space';
import { isScorable, sequenceBatches } from '../src/influence/sequence-batches';
import type { TokenizedSequence } from '../src/influence/tokenized-sequence';
import { loadModelDirectory } from '../src/model/model-directory.loader';
import { gpt2ConfigOf, initGpt2Parameters } from '../src/model-families/gpt2';
import { writeModelDirectory } from '../src/training/model-directory.writer';
import { referenceModelConfig } from '../src/training/training.settings';
import { generateWorld } from '../src/world/world.generator';
import { serializeWorld } from '../src/world/world.serializer';
import { writeWorldFiles } from '../src/world/world.writer';
import { flag, intFlag } from './bench-flags';

const ROOT = path.resolve(__dirname, '..');

const documents = intFlag('documents', 128);
const batchSize = intFlag('batch-size', 32);
const rounds = intFlag('rounds', 2);
const threads = intFlag('threads', cpus().length);
const budgets = (flag('budgets') ?? '256,512,1024,2048,4096').split(',').map((x) => {
  const n = Number(x);
  if (!Number.isInteger(n) || n < 16) throw new Error(`--budgets takes integers of at least 16, got ${x}`);
  return n;
});

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const round = (x: number, digits = 3) => Number(x.toPrecision(digits));
const log = (line: string) => process.stderr.write(`bench:ingest-batching: ${line}\n`);

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'tb-bench-batching-'));
  let worldDir = flag('world');
  if (!worldDir) {
    worldDir = path.join(work, 'world');
    await writeWorldFiles(worldDir, serializeWorld(generateWorld(1, 'full')));
  }
  let modelDir = flag('model');
  let modelNote = 'given with --model';
  if (!modelDir && existsSync(path.join(ROOT, 'models', 'reference', 'config.json'))) {
    modelDir = path.join(ROOT, 'models', 'reference');
    modelNote = 'models/reference';
  }
  if (!modelDir) {
    modelDir = path.join(work, 'model');
    writeModelDirectory(modelDir, referenceModelConfig(), initGpt2Parameters(referenceModelConfig(), 1));
    modelNote = 'random initial weights of the reference size';
  }
  const model = loadModelDirectory(modelDir);
  const config = gpt2ConfigOf(model);
  const context = model.dimensions.contextLength;
  const texts = readFileSync(path.join(worldDir, 'corpus.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, documents);
  const sequences: TokenizedSequence[] = texts
    .map((line, i) => ({ id: String(i), tokens: model.tokenizer.encode((JSON.parse(line) as { text: string }).text), scoreFrom: 0 }))
    .filter(isScorable);
  const tokens = sequences.reduce((s, q) => s + q.tokens.length, 0);
  const chunks: TokenizedSequence[][] = [];
  for (let i = 0; i < sequences.length; i += batchSize) chunks.push(sequences.slice(i, i + batchSize));
  const layers = trackedLayers(model, model.family.defaultTrackedLayers(model.config));
  const space = gaussianProjectionSpace(layers, uniformRanks(layers, 8, 8), 0);

  type Batching = { name: string; budget?: number };
  const batchings: Batching[] = [{ name: 'fixed batches of 8 windows' }, ...budgets.map((b) => ({ name: `token budget ${b}`, budget: b }))];
  // one engine (and session cache) per batching: each keeps exactly the graphs its shapes need
  const engines = batchings.map(
    () =>
      new GradientEngine(
        { family: model.family, config: model.config, weights: model.weights, hash: model.hash },
        defaultEngineSettings({ intraOpThreads: threads }),
        new SessionCache(256),
      ),
  );
  const run = (k: number, chunk: TokenizedSequence[]) =>
    projectDocuments(engines[k]!, space, chunk, batchings[k]!.budget === undefined ? {} : { tokenBudget: batchings[k]!.budget });
  const padding = batchings.map((b) => {
    let windowTokens = 0;
    let positions = 0;
    for (const chunk of chunks) {
      if (b.budget === undefined) {
        for (const x of sequenceBatches(chunk, { context })) {
          positions += x.batch.batch * x.batch.seqLen;
          windowTokens += planPadding([{ windows: x.windows, seqLen: x.batch.seqLen }]).tokens;
        }
      } else {
        const p = planPadding(planTokenBudgetBatches(chunk, { context, tokenBudget: b.budget }));
        positions += p.positions;
        windowTokens += p.tokens;
      }
    }
    return { positions, paddingShare: 1 - windowTokens / positions };
  });
  const warm: { compileSeconds: number; rssGrowthMiB: number }[] = [];
  for (let k = 0; k < batchings.length; k++) {
    const t = process.hrtime.bigint();
    const rss = process.memoryUsage().rss;
    for (const chunk of chunks) await run(k, chunk);
    warm.push({ compileSeconds: seconds(t), rssGrowthMiB: (process.memoryUsage().rss - rss) / 2 ** 20 });
    log(`warmed ${batchings[k]!.name}: ${JSON.stringify(warm[k])}`);
  }
  const spent = batchings.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    for (let c = 0; c < chunks.length; c++) {
      for (let j = 0; j < batchings.length; j++) {
        const k = (j + c + r) % batchings.length;
        const t = process.hrtime.bigint();
        await run(k, chunks[c]!);
        spent[k] += seconds(t);
      }
    }
    log(`round ${r + 1} of ${rounds} done`);
  }
  const rate = (k: number) => (rounds * sequences.length) / spent[k]!;
  const report = {
    model: { note: modelNote, ...config },
    documents: sequences.length,
    tokens,
    batchSize,
    threads,
    rounds,
    loadAverage: loadavg().map((x) => round(x)),
    batchings: batchings.map((b, k) => ({
      batching: b.name,
      documentsPerSecond: round(rate(k)),
      overFixedBatches: round(rate(k) / rate(0)),
      paddingShare: round(padding[k]!.paddingShare, 2),
      paddedPositions: padding[k]!.positions,
      compiledShapes: engines[k]!.cache.size,
      warmUpSeconds: round(warm[k]!.compileSeconds),
      rssGrowthMiBInWarmUp: Math.round(warm[k]!.rssGrowthMiB),
    })),
  };
  const text = `${JSON.stringify(report, null, 2)}\n`;
  process.stdout.write(text);
  const out = flag('json');
  if (out) writeFileSync(out, text);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:ingest-batching failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
