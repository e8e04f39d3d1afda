/**
 * Text tables of the retrieval benchmark (Markdown, so they can be pasted into
 * docs/benchmarks.md) and the verdict on the target.
 */
import type { HttpLoadResult } from './http-load';
import type { SpaceMeasurement, SweepRow } from './retrieval-measurement';

/** The target: at N = 100k, RERANKED recall@100 ≥ 0.99 at ≥ 20× the brute-force speed. */
export const TARGET = { documents: 100_000, rerankedRecall: 0.99, speedup: 20 } as const;

const f = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const msText = (x: number) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) : '—');

/** Whether one sweep row meets the target's recall and speed-up (at whatever N it was measured). */
export function meetsTarget(row: SweepRow): boolean {
  return row.rerankedRecall.mean >= TARGET.rerankedRecall && row.speedup >= TARGET.speedup;
}

export function spaceTable(m: SpaceMeasurement, label: string): string {
  const lines = [
    `### ${label}: N = ${m.documents}, full ${m.fullDims} dims, sketch ${m.sketchDims} dims, ${m.queries} queries, k = ${m.k}`,
    '',
    `- brute force, exact scan of the full vectors: p50 ${msText(m.bruteForceFullMs.p50)} ms, p95 ${msText(m.bruteForceFullMs.p95)} ms` +
      ` (${m.bruteForceParallel ? 'parallel plan' : 'serial plan'}); exact scan of the sketches: p50 ${msText(m.bruteForceSketchMs.p50)} ms, p95 ${msText(m.bruteForceSketchMs.p95)} ms`,
    `- exact sketch top-${m.k} vs the truth (ceiling of the ANN stage): recall ${f(m.sketchExactRecall.mean)} (min ${f(m.sketchExactRecall.min)})`,
    `- ‖x_d‖: median ${m.norms.median.toPrecision(3)}, p90 ${m.norms.p90.toPrecision(3)}, p99 ${m.norms.p99.toPrecision(3)}, max/median ${f(m.norms.maxOverMedian, 1)};` +
      ` share of the truth's top-${m.k} from the 10 % largest norms: ${f(m.truthShareFromTopDecileNorms, 2)}`,
    '',
    `| ef_search | ANN recall@${m.k} (mean / min) | ANN vs exact sketch | RERANKED recall@${m.k} (mean / min) | ANN p50 / p95 ms | RERANKED p50 / p95 ms | candidates | brute force p50 / RERANKED p50 | recall ≥ ${TARGET.rerankedRecall} and ≥ ${TARGET.speedup}× |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...m.sweep.map(
      (r) =>
        `| ${r.efSearch ?? 'default'} | ${f(r.annRecall.mean)} / ${f(r.annRecall.min)} | ${f(r.annRecallVsSketchExact.mean)} | ${f(r.rerankedRecall.mean)} / ${f(r.rerankedRecall.min)} | ` +
        `${msText(r.annLatencyMs.p50)} / ${msText(r.annLatencyMs.p95)} | ${msText(r.rerankedLatencyMs.p50)} / ${msText(r.rerankedLatencyMs.p95)} | ${r.rerankedCandidates.toFixed(0)} | ${f(r.speedup, 1)}× | ${meetsTarget(r) ? 'yes' : 'no'} |`,
    ),
  ];
  return lines.join('\n');
}

/** One line on the target: judged on the N = 100k space when it was measured. */
export function targetVerdict(measurements: readonly SpaceMeasurement[]): string {
  const at = measurements.find((m) => m.documents === TARGET.documents);
  if (!at)
    return `Target (N = ${TARGET.documents}: RERANKED recall@100 >= ${TARGET.rerankedRecall} at >= ${TARGET.speedup}x brute force): not judged, N = ${TARGET.documents} was not measured in this run.`;
  const meeting = at.sweep.filter(meetsTarget);
  return meeting.length > 0
    ? `Target at N = ${TARGET.documents}: MET at ef_search ${meeting.map((r) => r.efSearch ?? 'default').join(', ')}.`
    : `Target at N = ${TARGET.documents}: NOT MET at any ef_search of the sweep (best recall ${f(Math.max(...at.sweep.map((r) => r.rerankedRecall.mean)))}, best speed-up ${f(Math.max(...at.sweep.map((r) => r.speedup)), 1)}x).`;
}

export function loadTable(load: HttpLoadResult): string {
  return [
    `### HTTP load: topInfluences (RERANKED, k = 100) on ${load.space}, ${load.connections} connections, ${load.seconds.toFixed(0)} s`,
    '',
    '| requests | requests/s | p50 ms | p99 ms | connection errors | timeouts | non-2xx | GraphQL errors |',
    '|---|---|---|---|---|---|---|---|',
    load.requests > 0
      ? `| ${load.requests} | ${load.requestsPerSecond.toFixed(1)} | ${load.latencyP50Ms} | ${load.latencyP99Ms} | ${load.errors} | ${load.timeouts} | ${load.non2xx} | ${load.graphqlErrors} |`
      : `| 0 (no request completed within the run) | — | — | — | ${load.errors} | ${load.timeouts} | ${load.non2xx} | ${load.graphqlErrors} |`,
  ].join('\n');
}
