import { serializeWorld, WORLD_FILES } from '../../src/world/world.serializer';
import { WORLD_SIZE_PRESETS } from '../../src/world/world-size.presets';
import { WorldDocument, WorldQuery } from '../../src/world/world.types';
import { escapeRegExp, worldFor } from './world.fixture';

interface WrittenOperation {
  left: number;
  op: string;
  right: number;
  result: number;
}

const OPERATION = '(-?\\d+) ([-+*/]) (-?\\d+) = (-?\\d+)';
const written = (s: WrittenOperation) => `${s.left} ${s.op} ${s.right} = ${s.result}`;

function operation(m: RegExpMatchArray | RegExpExecArray): WrittenOperation {
  return { left: Number(m[1]), op: m[2] as string, right: Number(m[3]), result: Number(m[4]) };
}

/**
 * Reads a drill's text independently of its metadata: a heading and `a op b = c.` sentences, or
 * a comment block whose lines after the title are `# a op b = c` (or `//`). Null if the text has
 * neither shape.
 */
function parseDrill(text: string): { heading: string; operations: WrittenOperation[] } | null {
  const prose = new RegExp(`^([A-Z][A-Za-z -]*(?: \\d+s?)?): (${OPERATION}\\.(?: ${OPERATION}\\.)*)$`).exec(text);
  if (prose) {
    const operations = [...(prose[2] as string).matchAll(new RegExp(OPERATION, 'g'))].map(operation);
    return { heading: prose[1] as string, operations };
  }
  const [title, ...lines] = text.split('\n');
  const head = /^(#|\/\/) ([a-z0-9 ]+)$/.exec(title ?? '');
  if (!head) return null;
  const line = new RegExp(`^${escapeRegExp(head[1] as string)} ${OPERATION}$`);
  const operations: WrittenOperation[] = [];
  for (const l of lines) {
    const m = line.exec(l);
    if (!m) return null;
    operations.push(operation(m));
  }
  return { heading: head[2] as string, operations };
}

function compute(s: WrittenOperation): number {
  switch (s.op) {
    case '+':
      return s.left + s.right;
    case '-':
      return s.left - s.right;
    case '*':
      return s.left * s.right;
    default:
      return s.left / s.right;
  }
}

const between = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;

/** Whether an operation is in the range a task needs, judged per pool from the task ranges. */
function inTaskRange(pool: string, s: WrittenOperation): boolean {
  switch (pool) {
    case 'addition':
      return s.op === '+' && between(s.left, 1, 20) && between(s.right, 1, 20);
    case 'subtraction':
      return s.op === '-' && between(s.left, 0, 20) && between(s.right, 0, 20);
    case 'equation-subtraction': {
      const factors = [2, 3, 4, 5, 6, 7, 8, 9].filter((a) => s.result % a === 0 && between(s.result / a, 1, 12));
      return s.op === '-' && between(s.right, 1, 20) && factors.length > 0 && s.left > 20;
    }
    case 'multiplication':
      return s.op === '*' && between(s.left, 1, 40) && between(s.right, 2, 9);
    case 'division':
      return s.op === '/' && ((between(s.right, 1, 10) && between(s.left, -20, 20)) || (between(s.right, 2, 9) && between(s.result, 1, 12)));
    default:
      return false;
  }
}

describe.each([
  [7, 'demo'],
  [7, 'full'],
] as const)('drill documents of world seed %i, %s', (seed, size) => {
  const world = worldFor(seed, size);
  const drills = world.documents.filter((d) => d.metadata.kind === 'drill');
  const reasoning = world.queries.filter((q) => q.kind === 'reasoning');

  it('list 6 to 12 right operations in the surface form of the steps, exactly as the metadata says', () => {
    expect(drills.length).toBeGreaterThan(size === 'demo' ? 80 : 2000);
    const bad: string[] = [];
    for (const doc of drills) {
      const drill = doc.metadata.drill;
      const parsed = parseDrill(doc.text);
      if (!drill || !parsed) {
        bad.push(`${doc.id}: unparsed ${JSON.stringify(doc.text)}`);
        continue;
      }
      if (parsed.operations.map(written).join('|') !== drill.operations.map(written).join('|')) bad.push(`${doc.id}: text and metadata differ`);
      if (parsed.operations.length < 6 || parsed.operations.length > 12) bad.push(`${doc.id}: ${parsed.operations.length} operations`);
      for (const s of parsed.operations) {
        if (compute(s) !== s.result) bad.push(`${doc.id}: wrong ${written(s)}`);
        if (!inTaskRange(drill.pool, s)) bad.push(`${doc.id}: out of range for ${drill.pool}: ${written(s)}`);
      }
      if (new Set(parsed.operations.map(written)).size !== parsed.operations.length) bad.push(`${doc.id}: repeats an operation`);
      if (drill.pool === 'multiplication' && new Set(parsed.operations.map((s) => s.right)).size !== 1) bad.push(`${doc.id}: mixes multipliers`);
      const source = drill.format === 'code-comments' ? 'code' : 'math_and_trivia';
      if (doc.source !== source || doc.metadata.template !== `drill/${drill.pool}/${drill.format}`) bad.push(`${doc.id}: source or template`);
      if (doc.metadata.procedure !== null || doc.metadata.facts.length > 0) bad.push(`${doc.id}: not only a drill`);
    }
    expect(bad).toEqual([]);
    const kinds = new Set(drills.map((d) => d.metadata.template));
    expect(kinds.size).toBe(15); // 5 pools x 3 formats
  });

  it('list each operation a reasoning task needs as many times as the preset has passes', () => {
    const counts = new Map<string, number>();
    for (const doc of drills) for (const s of parseDrill(doc.text)?.operations ?? []) counts.set(written(s), (counts.get(written(s)) ?? 0) + 1);
    const needed = new Set<string>();
    for (const q of reasoning) for (const k of q.answerKeywords.filter((x) => x.includes(' = '))) needed.add(k);
    for (const doc of world.documents) {
      const p = doc.metadata.procedure;
      if (p && ['two-step-arithmetic', 'slope', 'linear-equation'].includes(p.task)) for (const s of p.steps) needed.add(written(s));
    }
    const passes = WORLD_SIZE_PRESETS[size].drillPasses;
    if (size === 'full') {
      expect(counts.size).toBe(2214);
      expect(new Set(counts.values())).toEqual(new Set([passes]));
      for (const step of needed) expect({ step, count: counts.get(step) }).toEqual({ step, count: passes });
    } else {
      expect(Math.max(...counts.values())).toBe(1);
      expect(counts.size / 2214).toBeGreaterThan(0.4);
      expect(counts.size / 2214).toBeLessThan(0.6);
    }
  });

  it('link to exactly the reasoning queries whose steps they write, never as task or answer documents', () => {
    const drillIds = new Set(drills.map((d) => d.id));
    const misplaced = world.queries.flatMap((query) =>
      [
        ...query.groundTruth.procedureDocumentIds,
        ...query.groundTruth.answerDocumentIds,
        ...(query.kind === 'reasoning' ? [] : query.groundTruth.stepDocumentIds),
      ]
        .filter((id) => drillIds.has(id))
        .map((id) => `${query.id}: ${id}`),
    );
    expect(misplaced).toEqual([]);
    for (const query of reasoning as WorldQuery[]) {
      const steps = query.answerKeywords.filter((k) => k.includes(' = '));
      const patterns = steps.map((t) => new RegExp(`(?<![\\d.])${escapeRegExp(t)}(?![\\d])`));
      const writing = drills.filter((d: WorldDocument) => patterns.some((p) => p.test(d.text))).map((d) => d.id).sort();
      expect({ id: query.id, drills: query.groundTruth.stepDocumentIds.filter((id) => drillIds.has(id)) }).toEqual({ id: query.id, drills: writing });
      if (size === 'full') expect(writing.length).toBeGreaterThanOrEqual(WORLD_SIZE_PRESETS.full.drillPasses * 2);
      const all = drills.filter((d) => writing.includes(d.id) && steps.every((t) => d.text.includes(t))).map((d) => d.id);
      expect({ id: query.id, all }).toEqual({ id: query.id, all: [] });
    }
  });

  it('report the drill share of the text in the manifest', () => {
    const manifest = JSON.parse(serializeWorld(world)[WORLD_FILES.manifest] as string);
    const total = world.documents.reduce((s, d) => s + d.text.length, 0);
    const share = drills.reduce((s, d) => s + d.text.length, 0) / total;
    expect(manifest.tokenShares.drill).toBeCloseTo(share, 5);
    expect(manifest.counts.documentsByKind.drill).toBe(drills.length);
    expect(manifest.shape.drillPools).toEqual({ addition: 400, subtraction: 441, 'equation-subtraction': 869, multiplication: 320, division: 184 });
    if (size === 'full') {
      expect(share).toBeGreaterThanOrEqual(0.1);
      expect(share).toBeLessThanOrEqual(0.15);
    } else {
      expect(share).toBeLessThan(0.1);
    }
  });
});
