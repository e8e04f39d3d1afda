import { SeededRandom } from '../math/seeded-random';
import { ProcedureGenerator, ProcedureInstance, step, STEP_BY_STEP_FORMATS, stepByStepCompletion, THINK_SUFFIX } from './procedure.types';

/**
 * Two-step arithmetic `(a + b) * c` or `(a - b) * c`. Ranges: a, b in 1..20 (a > b for `-`),
 * c in 2..9 (a small multiplier range: the calibration model failed on products like 14·18).
 * Steps: `a ± b = s. s * c = r.`
 */
export const ARITHMETIC_RANGES = { a: [1, 20], b: [1, 20], c: [2, 9] } as const;

function parts(instance: ProcedureInstance): { a: number; b: number; c: number; op: '+' | '-' } {
  const { a, b, c } = instance.numbers as { a: number; b: number; c: number };
  return { a, b, c, op: instance.operation ?? '+' };
}

function expression(instance: ProcedureInstance): string {
  const { a, b, c, op } = parts(instance);
  return `(${a} ${op} ${b}) * ${c}`;
}

function solve(instance: ProcedureInstance) {
  const { a, b, c, op } = parts(instance);
  const first = step(a, op, b);
  const second = step(first.result, '*', c);
  return { steps: [first, second], answer: String(second.result) };
}

function prompt(instance: ProcedureInstance): string {
  return `Calculate the answer: ${expression(instance)}${THINK_SUFFIX}`;
}

function completion(instance: ProcedureInstance): string {
  return stepByStepCompletion(solve(instance));
}

/** The two-step arithmetic procedure. */
export const arithmeticProcedure: ProcedureGenerator = {
  task: 'two-step-arithmetic',
  formats: STEP_BY_STEP_FORMATS,
  sample(rng: SeededRandom): ProcedureInstance {
    const operation = rng.chance(0.5) ? '+' : '-';
    let a = rng.int(ARITHMETIC_RANGES.a[0], ARITHMETIC_RANGES.a[1]);
    let b = rng.int(ARITHMETIC_RANGES.b[0], ARITHMETIC_RANGES.b[1]);
    if (operation === '-') {
      while (a === b) b = rng.int(ARITHMETIC_RANGES.b[0], ARITHMETIC_RANGES.b[1]);
      if (a < b) [a, b] = [b, a];
    }
    return { operation, numbers: { a, b, c: rng.int(ARITHMETIC_RANGES.c[0], ARITHMETIC_RANGES.c[1]) } };
  },
  key(instance) {
    const { a, b, c } = parts(instance);
    return `bracket:${a},${b},${c}`;
  },
  solve,
  prompt,
  completion,
  render(format, instance, rng) {
    const { a, b, c, op } = parts(instance);
    const { steps, answer } = solve(instance);
    const [first, second] = steps as [(typeof steps)[0], (typeof steps)[0]];
    switch (format) {
      case 'worked':
        return `${prompt(instance)}${completion(instance)}`;
      case 'problem':
        return `Problem: Compute ${expression(instance)}.\nSolution: First the brackets: ${first.left} ${op} ${first.right} = ${first.result}. Then ${second.left} * ${second.right} = ${second.result}. The result is ${answer}.`;
      case 'qa':
        return `Q: How do I compute ${expression(instance)}? ${rng.pick(['I keep getting the wrong result.', 'Which part comes first?', 'My calculator disagrees with me.'])}\n\nA: Do the brackets first. ${first.left} ${op} ${first.right} = ${first.result}. Then ${second.left} * ${second.right} = ${second.result}. So the result is ${answer}.`;
      case 'code-function':
        return rng.chance(0.5)
          ? `def calc(a, b, c):\n    return (a ${op} b) * c\n\nprint(calc(${a}, ${b}, ${c}))\n# Output: ${answer}`
          : `function calc(a, b, c) {\n  return (a ${op} b) * c;\n}\n\nconsole.log(calc(${a}, ${b}, ${c}));\n// Output: ${answer}`;
      case 'code-steps':
        return `s = ${a} ${op} ${b}  # ${first.result}\nresult = ${first.result} * ${c}  # ${answer}\nprint(result)  # ${answer}`;
      case 'notes':
        return `### Example\n\nWe evaluate $(${a} ${op} ${b}) \\cdot ${c}$. First $${a} ${op} ${b} = ${first.result}$, then $${first.result} \\cdot ${c} = ${answer}$. Hence the value is $${answer}$.`;
    }
  },
};
