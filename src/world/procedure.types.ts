import { SeededRandom } from '../math/seeded-random';
import { ProcedureFormat, ProcedureStep, ProcedureTask, ReasoningTask, WorldSource } from './world.types';

/** One instance of a procedure: its numbers (and, for arithmetic, the bracket operation). */
export interface ProcedureInstance {
  numbers: Record<string, number>;
  operation?: '+' | '-';
  /** For control procedures: the reasoning task whose surface form the instance copies. */
  surface?: ReasoningTask;
}

/** The worked solution of an instance. */
export interface ProcedureSolution {
  steps: ProcedureStep[];
  /** The final answer as written (an integer in decimal). */
  answer: string;
}

/**
 * A procedure the world demonstrates: how to draw instances, solve them one operation per
 * step, and write them in each format. Implementations are pure.
 */
export interface ProcedureGenerator {
  task: ProcedureTask;
  /** Formats this procedure is written in, with the source each format belongs to. */
  formats: readonly { format: ProcedureFormat; source: WorldSource }[];
  /** A random instance within the task's documented ranges. */
  sample(rng: SeededRandom): ProcedureInstance;
  /**
   * Key of the instance's numbers in its surface shape (`bracket:4,2,15`, `points:...`,
   * `equation:...`); instances of two tasks with the same key write the same numbers.
   */
  key(instance: ProcedureInstance): string;
  solve(instance: ProcedureInstance): ProcedureSolution;
  /** The query-style prompt (`...\n\nThink step-by-step.\n`). */
  prompt(instance: ProcedureInstance): string;
  /** The step-by-step completion that follows the prompt. */
  completion(instance: ProcedureInstance): string;
  /** The instance written as a document in `format`. */
  render(format: ProcedureFormat, instance: ProcedureInstance, rng: SeededRandom): string;
}

/** Suffix of every reasoning prompt, as in the paper. */
export const THINK_SUFFIX = '\n\nThink step-by-step.\n';

/** A step as written: `9 - 3 = 6`. */
export function formatStep(step: ProcedureStep): string {
  return `${step.left} ${step.op} ${step.right} = ${step.result}`;
}

/** Steps as sentences: `9 - 3 = 6. 5 - 2 = 3. 6 / 3 = 2.` */
export function formatSteps(steps: readonly ProcedureStep[]): string {
  return steps.map((s) => `${formatStep(s)}.`).join(' ');
}

/** The six formats every step-by-step reasoning task is written in, with their sources. */
export const STEP_BY_STEP_FORMATS: ProcedureGenerator['formats'] = [
  { format: 'worked', source: 'math_and_trivia' },
  { format: 'problem', source: 'math_and_trivia' },
  { format: 'qa', source: 'stackexchange' },
  { format: 'code-function', source: 'code' },
  { format: 'code-steps', source: 'code' },
  { format: 'notes', source: 'arxiv_markdown' },
];

/** A step-by-step completion: the steps as sentences, then `The answer is N.` */
export function stepByStepCompletion(solution: { steps: readonly ProcedureStep[]; answer: string }): string {
  return `${formatSteps(solution.steps)} The answer is ${solution.answer}.`;
}

/** Applies one operation exactly; division must be exact. */
export function applyOp(left: number, op: ProcedureStep['op'], right: number): number {
  switch (op) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/': {
      if (right === 0 || left % right !== 0) throw new RangeError(`inexact division ${left} / ${right}`);
      return left / right;
    }
  }
}

/** Builds a step, computing its result. */
export function step(left: number, op: ProcedureStep['op'], right: number): ProcedureStep {
  return { left, op, right, result: applyOp(left, op, right) };
}

/** Python's printing of an exact quotient from `/` (`2.0`, `-3.0`). */
export function pythonFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}
