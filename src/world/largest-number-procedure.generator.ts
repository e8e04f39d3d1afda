import { arithmeticProcedure } from './arithmetic-procedure.generator';
import { linearEquationProcedure } from './linear-equation-procedure.generator';
import { ProcedureGenerator, ProcedureInstance, THINK_SUFFIX } from './procedure.types';
import { SeededRandom } from '../math/seeded-random';
import { slopeProcedure } from './slope-procedure.generator';
import { REASONING_TASKS, ReasoningTask } from './world.types';

/**
 * The reasoning-control task: name the largest number written in a prompt that has the surface
 * form of a reasoning query (brackets, two points, or an equation) but asks for no arithmetic.
 * Steps are listing and comparing, never one of the reasoning tasks' operations.
 */
const SURFACE_GENERATORS: Record<ReasoningTask, ProcedureGenerator> = {
  'two-step-arithmetic': arithmeticProcedure,
  slope: slopeProcedure,
  'linear-equation': linearEquationProcedure,
};

function surfaceOf(instance: ProcedureInstance): ReasoningTask {
  if (!instance.surface) throw new RangeError('largest-number instance without a surface');
  return instance.surface;
}

/** The numbers of an instance in the order the prompt writes them. */
export function writtenNumbers(instance: ProcedureInstance): number[] {
  const n = instance.numbers;
  switch (surfaceOf(instance)) {
    case 'two-step-arithmetic':
    case 'linear-equation':
      return [n.a, n.b, n.c] as number[];
    case 'slope':
      return [n.x1, n.y1, n.x2, n.y2] as number[];
  }
}

function question(instance: ProcedureInstance): string {
  const n = instance.numbers;
  switch (surfaceOf(instance)) {
    case 'two-step-arithmetic':
      return `Calculate the largest number: (${n.a} ${instance.operation ?? '+'} ${n.b}) * ${n.c}`;
    case 'slope':
      return `What is the largest number in the points (${n.x1}, ${n.y1}) and (${n.x2}, ${n.y2})?`;
    case 'linear-equation':
      return `Solve for the largest number: ${n.a}x + ${n.b} = ${n.c}`;
  }
}

function answerOf(instance: ProcedureInstance): string {
  return String(Math.max(...writtenNumbers(instance)));
}

function listing(numbers: number[]): string {
  return `${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`;
}

function prompt(instance: ProcedureInstance): string {
  return `${question(instance)}${THINK_SUFFIX}`;
}

function completion(instance: ProcedureInstance): string {
  const answer = answerOf(instance);
  return `The numbers are ${listing(writtenNumbers(instance))}. The largest is ${answer}. The answer is ${answer}.`;
}

/** The largest-number control procedure (written only in the `worked` format). */
export const largestNumberProcedure: ProcedureGenerator = {
  task: 'largest-number',
  formats: [{ format: 'worked', source: 'math_and_trivia' }],
  sample(rng: SeededRandom): ProcedureInstance {
    const surface = rng.pick(REASONING_TASKS);
    return { ...SURFACE_GENERATORS[surface].sample(rng), surface };
  },
  key(instance) {
    return SURFACE_GENERATORS[surfaceOf(instance)].key(instance);
  },
  solve: (instance) => ({ steps: [], answer: answerOf(instance) }),
  prompt,
  completion,
  render(format, instance) {
    if (format !== 'worked') throw new RangeError(`largest-number is written only as worked, not ${format}`);
    return `${prompt(instance)}${completion(instance)}`;
  },
};
