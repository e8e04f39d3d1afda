import { SeededRandom } from '../math/seeded-random';
import { formatSteps, ProcedureGenerator, ProcedureInstance, pythonFloat, step, STEP_BY_STEP_FORMATS, stepByStepCompletion, THINK_SUFFIX } from './procedure.types';

/**
 * Solving `ax + b = c` for x. Ranges: a in 2..9, b in 1..20, x in 1..12 (c = a·x + b), the
 * ranges the calibration model learned to 90 %. Steps: `c - b = r. r / a = x.`
 */
export const LINEAR_RANGES = { a: [2, 9], b: [1, 20], x: [1, 12] } as const;

function parts(instance: ProcedureInstance): { a: number; b: number; c: number } {
  return instance.numbers as { a: number; b: number; c: number };
}

function equation(instance: ProcedureInstance): string {
  const { a, b, c } = parts(instance);
  return `${a}x + ${b} = ${c}`;
}

function solve(instance: ProcedureInstance) {
  const { a, b, c } = parts(instance);
  const rest = step(c, '-', b);
  const x = step(rest.result, '/', a);
  return { steps: [rest, x], answer: String(x.result) };
}

function prompt(instance: ProcedureInstance): string {
  return `Solve for x: ${equation(instance)}${THINK_SUFFIX}`;
}

function completion(instance: ProcedureInstance): string {
  return stepByStepCompletion(solve(instance));
}

/** The linear-equation procedure. */
export const linearEquationProcedure: ProcedureGenerator = {
  task: 'linear-equation',
  formats: STEP_BY_STEP_FORMATS,
  sample(rng: SeededRandom): ProcedureInstance {
    const a = rng.int(LINEAR_RANGES.a[0], LINEAR_RANGES.a[1]);
    const b = rng.int(LINEAR_RANGES.b[0], LINEAR_RANGES.b[1]);
    const x = rng.int(LINEAR_RANGES.x[0], LINEAR_RANGES.x[1]);
    return { numbers: { a, b, c: a * x + b } };
  },
  key(instance) {
    const { a, b, c } = parts(instance);
    return `equation:${a},${b},${c}`;
  },
  solve,
  prompt,
  completion,
  render(format, instance, rng) {
    const { a, b, c } = parts(instance);
    const { steps, answer } = solve(instance);
    const [rest, x] = steps as [(typeof steps)[0], (typeof steps)[0]];
    switch (format) {
      case 'worked':
        return `${prompt(instance)}${completion(instance)}`;
      case 'problem':
        return `Problem: Find x if ${equation(instance)}.\nSolution: ${formatSteps(steps)} The result is x = ${answer}.`;
      case 'qa':
        return `Q: How do I solve ${equation(instance)} for x? ${rng.pick(['I am stuck.', 'What is the first step?', 'Please explain slowly.'])}\n\nA: Subtract ${b} from both sides, then divide by ${a}. ${formatSteps(steps)} So x = ${answer}.`;
      case 'code-function':
        return `def solve(a, b, c):\n    return (c - b) / a\n\nprint(solve(${a}, ${b}, ${c}))  # ${equation(instance)}\n# Output: ${pythonFloat(x.result)}`;
      case 'code-steps':
        return `# solve ${equation(instance)}\nrest = ${c} - ${b}  # ${rest.result}\nx = ${rest.result} / ${a}  # ${pythonFloat(x.result)}\nprint(x)  # ${pythonFloat(x.result)}`;
      case 'notes':
        return `## Solving a linear equation\n\nFrom $${equation(instance)}$ we get $${a}x = ${c} - ${b} = ${rest.result}$, so $x = ${rest.result} / ${a} = ${answer}$. Hence $x = ${answer}$.`;
    }
  },
};
