import { WorldDocument } from '../../src/world/world.types';
import { worldFor } from './world.fixture';

/** Independent reference answers of the tasks, from the metadata's numbers. */
function referenceAnswer(doc: WorldDocument): number {
  const p = doc.metadata.procedure;
  if (!p) throw new Error('not a procedure');
  const n = p.numbers as Record<string, number>;
  switch (p.task) {
    case 'two-step-arithmetic':
      return (p.operation === '-' ? n.a! - n.b! : n.a! + n.b!) * n.c!;
    case 'slope':
      return (n.y2! - n.y1!) / (n.x2! - n.x1!);
    case 'linear-equation':
      return (n.c! - n.b!) / n.a!;
    case 'largest-number':
      return Math.max(...Object.values(n));
    default:
      throw new Error(`no reference for ${p.task}`);
  }
}

function compute(left: number, op: string, right: number): number {
  switch (op) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    default:
      throw new Error(op);
  }
}

const NUM = '-?\\d+(?:\\.\\d+)?';
/** Written equations `a op b = c` (LaTeX \cdot read as *), and code lines `a op b  # c`. */
function writtenSteps(text: string): { left: number; op: string; right: number; result: number; raw: string }[] {
  const normal = text.replace(/ \\cdot /g, ' * ');
  const patterns = [
    new RegExp(`(?<![\\w.])(${NUM}) ([-+*/]) (${NUM}) = (${NUM})(?![\\d])`, 'g'),
    new RegExp(`(?<![\\w.])(${NUM}) ([-+*/]) (${NUM})  # (${NUM})`, 'g'),
  ];
  return patterns.flatMap((re) =>
    [...normal.matchAll(re)].map((m) => ({ left: Number(m[1]), op: m[2] as string, right: Number(m[3]), result: Number(m[4]), raw: m[0] })),
  );
}

describe.each([
  [7, 'demo'],
  [7, 'full'],
] as const)('procedure documents of world seed %i, %s', (seed, size) => {
  const world = worldFor(seed, size);
  const procedures = world.documents.filter((d) => d.metadata.procedure && d.metadata.procedure.task !== 'reading');

  it('write only correct arithmetic steps, and every reasoning document writes its steps', () => {
    const wrong: string[] = [];
    const missing: string[] = [];
    for (const doc of procedures) {
      const steps = writtenSteps(doc.text);
      for (const s of steps) if (compute(s.left, s.op, s.right) !== s.result) wrong.push(`${doc.id}: ${s.raw}`);
      const format = doc.metadata.procedure?.format;
      if (doc.metadata.procedure?.task !== 'largest-number' && format !== 'code-function' && steps.length < 2) missing.push(doc.id);
    }
    expect(wrong).toEqual([]);
    expect(missing).toEqual([]);
  });

  it('state the answer that an independent computation from the numbers gives', () => {
    const bad: string[] = [];
    for (const doc of procedures) {
      const expected = referenceAnswer(doc);
      const p = doc.metadata.procedure!;
      if (!Number.isInteger(expected) || Number(p.answer) !== expected) bad.push(`${doc.id}: metadata ${p.answer} vs ${expected}`);
      const finals = [...doc.text.matchAll(/(?:answer is |result is (?:x = )?|slope is |So x = |value is \$|slope is \$|Hence \$x = |Output: |# )(-?\d+(?:\.0)?)(?!\d)/g)].map((m) => Number(m[1]));
      if (!finals.includes(expected)) bad.push(`${doc.id}: text lacks ${expected}: ${doc.text}`);
    }
    expect(bad).toEqual([]);
  });

  it('call the function with the instance numbers in code documents', () => {
    const bad: string[] = [];
    for (const doc of procedures.filter((d) => d.metadata.procedure?.format === 'code-function')) {
      const call = /(?:calc|slope|solve)\(([-\d, ]+)\)\)/.exec(doc.text);
      const args = call ? (call[1] as string).split(',').map((s) => Number(s.trim())) : [];
      const p = doc.metadata.procedure!;
      const n = p.numbers;
      const expected = p.task === 'slope' ? [n.x1, n.y1, n.x2, n.y2] : [n.a, n.b, n.c];
      if (args.join() !== expected.join()) bad.push(`${doc.id}: ${doc.text}`);
    }
    expect(bad).toEqual([]);
  });

  it('cover every task in every format', () => {
    const pairs = new Set(procedures.map((d) => `${d.metadata.procedure?.task}/${d.metadata.procedure?.format}`));
    for (const task of ['two-step-arithmetic', 'slope', 'linear-equation']) {
      for (const format of ['worked', 'problem', 'qa', 'code-function', 'code-steps', 'notes']) expect(pairs.has(`${task}/${format}`)).toBe(true);
    }
  });
});

describe('query completions', () => {
  it('are step-by-step and arithmetically correct', () => {
    const world = worldFor(7, 'demo');
    for (const q of world.queries.filter((x) => x.kind === 'reasoning')) {
      const steps = writtenSteps(q.completion);
      expect(steps.length).toBeGreaterThanOrEqual(2);
      for (const s of steps) expect(compute(s.left, s.op, s.right)).toBe(s.result);
      expect(q.completion.endsWith(`The answer is ${q.answer}.`)).toBe(true);
      expect(q.prompt.endsWith('\n\nThink step-by-step.\n')).toBe(true);
    }
  });
});
