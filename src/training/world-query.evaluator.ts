import type { ModelFamily } from '../model-families/model-family';
import { SessionSettings } from '../onnx/ort.runner';
import { WorldQuery } from '../world/world.types';
import { END_OF_TEXT } from '../generation/byte-level.vocabulary';
import { expectedFinalAnswer, extractFinalAnswer } from '../generation/final-answer.extractor';
import { GreedyDecoder } from '../generation/greedy.decoder';

/** A model to evaluate: family and config, parameters, and its tokenizer's encode/decode. */
export interface EvaluatedModel {
  family: ModelFamily;
  config: unknown;
  params: ReadonlyMap<string, Float32Array>;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

/** The outcome of one query. */
export interface QueryOutcome {
  id: string;
  kind: string;
  task: string;
  answer: string;
  generated: string;
  /** Final answer read from the generation ({@link extractFinalAnswer}), or null. */
  predicted: string | null;
  /** The full final answer is correct. */
  correct: boolean;
  /** The generation equals the reference completion exactly. */
  exact: boolean;
}

/** Correct / total and their ratio. */
export interface Tally {
  correct: number;
  total: number;
  accuracy: number;
}

/** The bars: ≥ 80 % factual and ≥ 50 % of each reasoning task; at least 20 factual and 10 per task correct. */
export interface BarCheck {
  factualAccuracy: boolean;
  reasoningAccuracy: Record<string, boolean>;
  minimumCounts: boolean;
  /** All of the above. */
  pass: boolean;
}

/** Accuracies by kind and by task. */
export interface EvaluationReport {
  outcomes: QueryOutcome[];
  byKind: Record<string, Tally>;
  byTask: Record<string, Tally>;
  bars: BarCheck;
  seconds: number;
}

function tally(outcomes: readonly QueryOutcome[], key: (o: QueryOutcome) => string): Record<string, Tally> {
  const out: Record<string, Tally> = {};
  for (const o of outcomes) {
    const t = (out[key(o)] ??= { correct: 0, total: 0, accuracy: 0 });
    t.total += 1;
    if (o.correct) t.correct += 1;
  }
  for (const t of Object.values(out)) t.accuracy = t.total ? t.correct / t.total : 0;
  return out;
}

/** Checks the bars on a report's tallies. */
export function checkBars(byKind: Record<string, Tally>, byTask: Record<string, Tally>): BarCheck {
  const tasks = ['two-step-arithmetic', 'slope', 'linear-equation'];
  const factual = byKind.factual ?? { correct: 0, total: 0, accuracy: 0 };
  const reasoningAccuracy = Object.fromEntries(tasks.map((t) => [t, (byTask[t]?.accuracy ?? 0) >= 0.5]));
  const minimumCounts = factual.correct >= 20 && tasks.every((t) => (byTask[t]?.correct ?? 0) >= 10);
  const factualAccuracy = factual.accuracy >= 0.8;
  return { factualAccuracy, reasoningAccuracy, minimumCounts, pass: factualAccuracy && Object.values(reasoningAccuracy).every(Boolean) && minimumCounts };
}

/**
 * Runs the world's queries through greedy decoding and scores the full final answer: the
 * prompt is fed after an end-of-text token (as every training document starts), the model
 * generates until end-of-text, a newline, or (reference completion bytes + `slack`) tokens,
 * and {@link extractFinalAnswer} must return exactly the query's answer.
 */
export async function evaluateWorldQueries(
  model: EvaluatedModel,
  queries: readonly WorldQuery[],
  opts: { session?: Partial<SessionSettings>; slack?: number; batchSize?: number } = {},
): Promise<EvaluationReport> {
  const started = Date.now();
  const eot = model.encode(END_OF_TEXT);
  const newline = model.encode('\n');
  const decoder = new GreedyDecoder(model.family, model.config, model.params, { device: 'cpu', intraOpThreads: 1, interOpThreads: 1, ...opts.session });
  try {
    const prompts = queries.map((q) => [...eot, ...model.encode(q.prompt)]);
    const budgets = queries.map((q) => model.encode(q.completion).length + (opts.slack ?? 24));
    const gens = await decoder.generate(prompts, { maxNewTokens: budgets, stopIds: [...eot, ...newline], batchSize: opts.batchSize });
    const outcomes = queries.map((q, i): QueryOutcome => {
      const generated = model.decode(gens[i]!);
      const predicted = extractFinalAnswer(generated, q.completion, q.answer);
      return {
        id: q.id,
        kind: q.kind,
        task: q.task,
        answer: q.answer,
        generated,
        predicted,
        correct: predicted === expectedFinalAnswer(q.completion, q.answer),
        exact: generated === q.completion,
      };
    });
    const byKind = tally(outcomes, (o) => o.kind);
    const byTask = tally(outcomes, (o) => o.task);
    return { outcomes, byKind, byTask, bars: checkBars(byKind, byTask), seconds: (Date.now() - started) / 1000 };
  } finally {
    await decoder.release();
  }
}

/** A plain-text table of a report: accuracy per kind, then per task, then the bars. */
export function formatEvaluationReport(r: EvaluationReport): string {
  const pct = (t: Tally) => `${t.correct}/${t.total} (${(100 * t.accuracy).toFixed(1)} %)`;
  const lines = [
    'kind        correct',
    ...Object.entries(r.byKind).map(([k, t]) => `${k.padEnd(12)}${pct(t)}`),
    '',
    'task                 correct',
    ...Object.entries(r.byTask).map(([k, t]) => `${k.padEnd(21)}${pct(t)}`),
    '',
  ];
  const b = r.bars;
  lines.push(
    `bars: factual ≥ 80 % ${b.factualAccuracy ? 'met' : 'NOT met'}; ` +
      Object.entries(b.reasoningAccuracy)
        .map(([t, ok]) => `${t} ≥ 50 % ${ok ? 'met' : 'NOT met'}`)
        .join('; ') +
      `; minimum counts (20 factual, 10 per task) ${b.minimumCounts ? 'met' : 'NOT met'} → ${b.pass ? 'PASS' : 'FAIL'}`,
  );
  lines.push(`(${r.outcomes.length} queries, greedy, ${r.seconds.toFixed(0)} s)`);
  return lines.join('\n') + '\n';
}
