import { REASONING_TASKS, FACT_RELATIONS, WorldQuery } from '../../src/world/world.types';
import { worldFor } from './world.fixture';

/** The shape of a reasoning prompt's expression, per task. */
const SURFACE: Record<string, RegExp> = {
  'two-step-arithmetic': /^[A-Z][a-z]+ the [a-z ]+: \(\d+ [+-] \d+\) \* \d+\n\nThink step-by-step\.\n$/,
  slope: /^What is the [a-z ]+ the points \(\d+, \d+\) and \(\d+, \d+\)\?\n\nThink step-by-step\.\n$/,
  'linear-equation': /^Solve for [a-z ]+: \d+x \+ \d+ = \d+\n\nThink step-by-step\.\n$/,
};

/** The question line of a factual query, per relation, with the subject abstracted. */
function questionShape(prompt: string): string {
  const lines = prompt.trimEnd().split('\n');
  return (lines[lines.length - 1] as string).replace(/(capital of|was|the|symbol of) [A-Za-z]+(\?| founded\?)/, '$1 X$2');
}

describe('control queries', () => {
  const world = worldFor(7, 'demo');
  const controls = world.queries.filter((q) => q.kind === 'control');
  const reasoning = world.queries.filter((q) => q.kind === 'reasoning');
  const factual = world.queries.filter((q) => q.kind === 'factual');

  it('mirror each reasoning task and each fact relation', () => {
    const mirrored = controls.map((q) => `${q.groundTruth.mirrors?.kind}/${q.groundTruth.mirrors?.task}`);
    for (const task of REASONING_TASKS) expect(mirrored.filter((m) => m === `reasoning/${task}`).length).toBeGreaterThanOrEqual(3);
    for (const relation of FACT_RELATIONS) expect(mirrored.filter((m) => m === `factual/${relation}`).length).toBeGreaterThanOrEqual(2);
  });

  it('share the surface form of the queries they mirror', () => {
    for (const control of controls) {
      const { kind, task } = control.groundTruth.mirrors as { kind: string; task: string };
      if (kind === 'reasoning') {
        expect(control.prompt).toMatch(SURFACE[task] as RegExp);
        expect(reasoning.filter((q) => q.task === task).every((q) => (SURFACE[task] as RegExp).test(q.prompt))).toBe(true);
      } else {
        const shapes = new Set(factual.filter((q) => q.task === task).map((q) => questionShape(q.prompt)));
        expect(shapes.size).toBe(1);
        expect(shapes.has(questionShape(control.prompt))).toBe(true);
      }
    }
  });

  it('share no task with the queries: their answers are in the prompt and no query procedure is theirs', () => {
    const queryTasks = new Set([...reasoning, ...factual].map((q) => q.task));
    const reasoningDocs = new Set(reasoning.flatMap((q) => q.groundTruth.procedureDocumentIds));
    const answerDocs = new Set(factual.flatMap((q) => q.groundTruth.answerDocumentIds));
    for (const control of controls) {
      expect(queryTasks.has(control.task)).toBe(false);
      expect(control.prompt).toContain(control.answer);
      expect(control.groundTruth.answerDocumentIds).toEqual([]);
      expect(control.groundTruth.procedureDocumentIds.length).toBeGreaterThan(0);
      for (const id of control.groundTruth.procedureDocumentIds) {
        expect(reasoningDocs.has(id)).toBe(false);
        expect(answerDocs.has(id)).toBe(false);
      }
    }
  });

  it('answer correctly: the largest written number, or the fact given in the context', () => {
    for (const control of controls as WorldQuery[]) {
      if (control.task === 'largest-number') {
        const numbers = (control.prompt.match(/\d+/g) ?? []).map(Number);
        expect(control.answer).toBe(String(Math.max(...numbers)));
      } else {
        const context = control.prompt.split('\n')[0] as string;
        expect(context).toContain(control.answer);
        expect(world.documents.some((d) => d.text.includes(control.answer))).toBe(false);
      }
      expect(control.completion.startsWith(control.answer) || control.completion.endsWith(`The answer is ${control.answer}.`)).toBe(true);
    }
  });
});
