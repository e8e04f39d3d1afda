import { ARITHMETIC_RANGES } from './arithmetic-procedure.generator';
import { LINEAR_RANGES } from './linear-equation-procedure.generator';
import { formatStep, step } from './procedure.types';
import { SLOPE_RANGES } from './slope-procedure.generator';
import { DrillPoolName, ProcedureStep } from './world.types';

/**
 * The single operations the three reasoning tasks perform, enumerated from their ranges and
 * split into drill pools. Every step any reasoning instance (query or corpus procedure) writes
 * is in exactly one pool:
 *
 * - `addition`: a + b, a and b in 1..20 (two-step arithmetic brackets), 400 operations;
 * - `subtraction`: l − r for l, r in 0..20 (brackets a − b; the slopes' y2 − y1, negative and
 *   zero results included, and x2 − x1), 441 operations;
 * - `equation-subtraction`: c − b of a linear equation ax + b = c (a 2..9, x 1..12, b 1..20)
 *   not already in `subtraction`, 869 operations;
 * - `multiplication`: s * c, s in 1..40 (every bracket result a ± b) and c in 2..9, 320
 *   operations, grouped by the multiplier c (a drill lists one group: a times table);
 * - `division`: the exact divisions dy / dx of the slopes (dx 1..10, |dy| ≤ 20) and a·x / a of
 *   the equations, 184 operations.
 */

/** One pool: its operations, in groups that a drill never mixes. */
export interface DrillPool {
  name: DrillPoolName;
  /** Sorted by left then right operand; the union of the groups has no duplicates. */
  groups: ProcedureStep[][];
  /** Whether a drill lists its operations in increasing order (a times table) or shuffled. */
  ordered: boolean;
}

function sorted(steps: Iterable<ProcedureStep>): ProcedureStep[] {
  return [...steps].sort((x, y) => x.left - y.left || x.right - y.right);
}

/** Adds `s` to `into` (keyed by its written form) unless `exclude` has it. */
function collect(into: Map<string, ProcedureStep>, s: ProcedureStep, exclude?: ReadonlyMap<string, ProcedureStep>): void {
  const key = formatStep(s);
  if (!exclude?.has(key)) into.set(key, s);
}

function range([lo, hi]: readonly [number, number]): number[] {
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

function buildPools(): readonly DrillPool[] {
  const [A, B, C] = [range(ARITHMETIC_RANGES.a), range(ARITHMETIC_RANGES.b), range(ARITHMETIC_RANGES.c)];
  const coordinates = range(SLOPE_RANGES.coordinate);
  const addition = new Map<string, ProcedureStep>();
  const subtraction = new Map<string, ProcedureStep>();
  const brackets = new Set<number>();
  for (const a of A) {
    for (const b of B) {
      collect(addition, step(a, '+', b));
      brackets.add(a + b);
      if (a > b) {
        collect(subtraction, step(a, '-', b));
        brackets.add(a - b);
      }
    }
  }
  for (const left of coordinates) for (const right of coordinates) collect(subtraction, step(left, '-', right));

  const equationSubtraction = new Map<string, ProcedureStep>();
  const division = new Map<string, ProcedureStep>();
  for (const a of range(LINEAR_RANGES.a)) {
    for (const x of range(LINEAR_RANGES.x)) {
      collect(division, step(a * x, '/', a));
      for (const b of range(LINEAR_RANGES.b)) collect(equationSubtraction, step(a * x + b, '-', b), subtraction);
    }
  }
  const span = SLOPE_RANGES.coordinate[1] - SLOPE_RANGES.coordinate[0];
  for (const run of range(SLOPE_RANGES.run)) {
    for (let rise = -span; rise <= span; rise += 1) if (rise % run === 0) collect(division, step(rise, '/', run));
  }

  const multiplication = C.map((c) => sorted([...brackets].map((s) => step(s, '*', c))));
  return [
    { name: 'addition', groups: [sorted(addition.values())], ordered: false },
    { name: 'subtraction', groups: [sorted(subtraction.values())], ordered: false },
    { name: 'equation-subtraction', groups: [sorted(equationSubtraction.values())], ordered: false },
    { name: 'multiplication', groups: multiplication, ordered: true },
    { name: 'division', groups: [sorted(division.values())], ordered: false },
  ];
}

let cached: readonly DrillPool[] | null = null;

/** The drill pools, in {@link DRILL_POOLS} order (independent of the seed). */
export function drillPools(): readonly DrillPool[] {
  cached ??= buildPools();
  return cached;
}

/** Every operation of a pool, group after group. */
export function poolOperations(pool: DrillPool): ProcedureStep[] {
  return pool.groups.flat();
}
