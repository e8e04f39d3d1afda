import { SeededRandom } from '../math/seeded-random';
import { formatSteps, ProcedureGenerator, ProcedureInstance, pythonFloat, step, STEP_BY_STEP_FORMATS, stepByStepCompletion, THINK_SUFFIX } from './procedure.types';

/**
 * The slope of the line through two points (x1, y1), (x2, y2). Ranges: coordinates 0..20,
 * x2 > x1, and an integer slope (y2 − y1 is a multiple of x2 − x1), so every step is exact.
 * Steps, one operation each: `y2 - y1 = dy. x2 - x1 = dx. dy / dx = m.`
 */
export const SLOPE_RANGES = { coordinate: [0, 20], run: [1, 10] } as const;

function parts(instance: ProcedureInstance): { x1: number; y1: number; x2: number; y2: number } {
  return instance.numbers as { x1: number; y1: number; x2: number; y2: number };
}

function points(instance: ProcedureInstance): string {
  const { x1, y1, x2, y2 } = parts(instance);
  return `(${x1}, ${y1}) and (${x2}, ${y2})`;
}

function solve(instance: ProcedureInstance) {
  const { x1, y1, x2, y2 } = parts(instance);
  const rise = step(y2, '-', y1);
  const run = step(x2, '-', x1);
  const slope = step(rise.result, '/', run.result);
  return { steps: [rise, run, slope], answer: String(slope.result) };
}

function prompt(instance: ProcedureInstance): string {
  return `What is the slope of the line passing through the points ${points(instance)}?${THINK_SUFFIX}`;
}

function completion(instance: ProcedureInstance): string {
  return stepByStepCompletion(solve(instance));
}

/** The slope procedure. */
export const slopeProcedure: ProcedureGenerator = {
  task: 'slope',
  formats: STEP_BY_STEP_FORMATS,
  sample(rng: SeededRandom): ProcedureInstance {
    const [lo, hi] = SLOPE_RANGES.coordinate;
    const run = rng.int(SLOPE_RANGES.run[0], SLOPE_RANGES.run[1]);
    const maxSlope = Math.floor((hi - lo) / run);
    const slope = rng.int(-maxSlope, maxSlope);
    const rise = slope * run;
    const x1 = rng.int(lo, hi - run);
    const y1 = rng.int(Math.max(lo, lo - rise), Math.min(hi, hi - rise));
    return { numbers: { x1, y1, x2: x1 + run, y2: y1 + rise } };
  },
  key(instance) {
    const { x1, y1, x2, y2 } = parts(instance);
    return `points:${x1},${y1},${x2},${y2}`;
  },
  solve,
  prompt,
  completion,
  render(format, instance, rng) {
    const { x1, y1, x2, y2 } = parts(instance);
    const { steps, answer } = solve(instance);
    const [rise, run, slope] = steps as [(typeof steps)[0], (typeof steps)[0], (typeof steps)[0]];
    switch (format) {
      case 'worked':
        return `${prompt(instance)}${completion(instance)}`;
      case 'problem':
        return `Problem: Find the slope of the line through ${points(instance)}.\nSolution: ${formatSteps(steps)} The result is ${answer}.`;
      case 'qa':
        return `Q: How do I get the slope from two points like ${points(instance)}? ${rng.pick(['I always mix up the order.', 'Is there a simple rule?', 'This is for homework.'])}\n\nA: Divide the change in y by the change in x. ${formatSteps(steps)} So the slope is ${answer}.`;
      case 'code-function':
        return `def slope(x1, y1, x2, y2):\n    return (y2 - y1) / (x2 - x1)\n\nprint(slope(${x1}, ${y1}, ${x2}, ${y2}))\n# Output: ${pythonFloat(slope.result)}`;
      case 'code-steps':
        return `dy = ${y2} - ${y1}  # ${rise.result}\ndx = ${x2} - ${x1}  # ${run.result}\nprint(dy / dx)  # ${pythonFloat(slope.result)}`;
      case 'notes':
        return `## Worked example\n\nThe slope through $(${x1}, ${y1})$ and $(${x2}, ${y2})$ is $m = (y_2 - y_1) / (x_2 - x_1)$. Here $${formatStepPlain(rise)}$ and $${formatStepPlain(run)}$, so $m = ${slope.left} / ${slope.right} = ${answer}$. Hence the slope is $${answer}$.`;
    }
  },
};

function formatStepPlain(s: { left: number; op: string; right: number; result: number }): string {
  return `${s.left} ${s.op} ${s.right} = ${s.result}`;
}
