import { formatStep, formatSteps } from './procedure.types';
import { SeededRandom } from '../math/seeded-random';
import { DrillFormat, DrillPoolName, ProcedureStep, WorldSource } from './world.types';

/**
 * How drill documents are written: a heading, then the operations, each exactly in the surface
 * form of a completion's step (`19 - 8 = 11.`; `# 19 - 8 = 11` in a code comment). A drill
 * never writes brackets, points or an equation with x, so it cannot contain a query expression.
 */

/** The source each drill format belongs to. */
export const DRILL_FORMAT_SOURCES: Record<DrillFormat, WorldSource> = {
  practice: 'math_and_trivia',
  check: 'math_and_trivia',
  'code-comments': 'code',
};

/** The multiplier of a times table (every operation of a multiplication drill shares it). */
function multiplier(operations: readonly ProcedureStep[]): number {
  return (operations[0] as ProcedureStep).right;
}

function practiceHeading(pool: DrillPoolName, operations: readonly ProcedureStep[], rng: SeededRandom): string {
  switch (pool) {
    case 'addition':
      return rng.pick(['Addition practice:', 'Practice sums:', 'Sums to learn:']);
    case 'subtraction':
    case 'equation-subtraction':
      return rng.pick(['Subtraction practice:', 'Practice differences:', 'Take-away practice:']);
    case 'multiplication': {
      const c = multiplier(operations);
      return rng.pick([`Multiples of ${c}:`, `Times table of ${c}:`, `Counting in ${c}s:`]);
    }
    case 'division':
      return rng.pick(['Division practice:', 'Exact divisions:', 'Sharing practice:']);
  }
}

function codeTitle(pool: DrillPoolName, operations: readonly ProcedureStep[], rng: SeededRandom): string {
  switch (pool) {
    case 'addition':
      return rng.pick(['addition facts', 'sums']);
    case 'subtraction':
    case 'equation-subtraction':
      return rng.pick(['subtraction facts', 'differences']);
    case 'multiplication': {
      const c = multiplier(operations);
      return rng.pick([`multiples of ${c}`, `${c} times table`]);
    }
    case 'division':
      return rng.pick(['exact divisions', 'division facts']);
  }
}

/**
 * The text of a drill of `pool` in `format` listing `operations` in order, e.g.
 * `Addition practice: 7 + 5 = 12. 14 + 3 = 17.`, `Check: 36 / 4 = 9. 12 / 3 = 4.` or a
 * `# multiples of 7` comment block with one `# 11 * 7 = 77` line per operation.
 */
export function renderDrill(pool: DrillPoolName, format: DrillFormat, operations: readonly ProcedureStep[], rng: SeededRandom): string {
  switch (format) {
    case 'practice':
      return `${practiceHeading(pool, operations, rng)} ${formatSteps(operations)}`;
    case 'check':
      return `${rng.pick(['Check:', 'Quick check:', 'Worksheet answers:', 'Answers to check:'])} ${formatSteps(operations)}`;
    case 'code-comments': {
      const mark = rng.pick(['#', '//']);
      return [`${mark} ${codeTitle(pool, operations, rng)}`, ...operations.map((s) => `${mark} ${formatStep(s)}`)].join('\n');
    }
  }
}
