import { appendFileSync, existsSync, readFileSync } from 'node:fs';

import { writeFileAtomic } from './model-directory.writer';
import { EvaluationReport } from './world-query.evaluator';

/** Columns of the evaluation log: accuracy per task after a step, plus kind totals. */
export const EVALUATION_TASKS = [
  'capital',
  'founded',
  'inventor',
  'symbol',
  'two-step-arithmetic',
  'slope',
  'linear-equation',
  'reading',
  'largest-number',
] as const;

const HEADER = ['step', 'elapsed_s', 'tokens', 'factual', 'reasoning', 'control', ...EVALUATION_TASKS].join(',');

/**
 * Appends one row (accuracies in [0, 1], 3 decimals) to the evaluation CSV `file`, writing the
 * header first when the file is new; rows with a step ≥ this one (left by an interrupted run
 * that is being resumed) are dropped first.
 */
export function appendEvaluationRow(file: string, step: number, elapsedSeconds: number, tokens: number, r: EvaluationReport): void {
  const acc = (t?: { accuracy: number }) => (t ? t.accuracy.toFixed(3) : '');
  const row = [
    step,
    elapsedSeconds.toFixed(1),
    tokens,
    acc(r.byKind.factual),
    acc(r.byKind.reasoning),
    acc(r.byKind.control),
    ...EVALUATION_TASKS.map((t) => acc(r.byTask[t])),
  ].join(',');
  if (!existsSync(file)) {
    writeFileAtomic(file, `${HEADER}\n${row}\n`);
    return;
  }
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const kept = lines.filter((l, i) => i === 0 || Number(l.split(',')[0]) < step);
  if (kept.length !== lines.length) writeFileAtomic(file, `${[...kept, row].join('\n')}\n`);
  else appendFileSync(file, `${row}\n`);
}
