import { WorldDocument, WorldQuery } from '../../src/world/world.types';
import { escapeRegExp, wordMatcher, worldFor } from './world.fixture';

/** The numbers a procedure document's metadata says it uses, in the order a prompt writes them. */
function numberTuple(doc: WorldDocument): string | null {
  const p = doc.metadata.procedure;
  if (!p || Object.keys(p.numbers).length === 0) return null;
  const n = p.numbers;
  return 'x1' in n ? `${n.x1},${n.y1},${n.x2},${n.y2}` : `${n.a},${n.b},${n.c}`;
}

function queryTuple(q: WorldQuery): string {
  const n = q.groundTruth.numbers as Record<string, number>;
  return 'x1' in n ? `${n.x1},${n.y1},${n.x2},${n.y2}` : `${n.a},${n.b},${n.c}`;
}

/** The expression a reasoning prompt asks about, as written. */
function expressionOf(q: WorldQuery): string {
  const m = /\(\d+ [+-] \d+\) \* \d+|\(\d+, \d+\) and \(\d+, \d+\)|\d+x \+ \d+ = \d+/.exec(q.prompt);
  if (!m) throw new Error(`no expression in ${q.prompt}`);
  return m[0];
}

describe.each([
  [7, 'demo'],
  [8, 'demo'],
  [7, 'full'],
] as const)('ground truth of world seed %i, %s', (seed, size) => {
  const world = worldFor(seed, size);
  const factual = world.queries.filter((q) => q.kind === 'factual');
  const reasoning = world.queries.filter((q) => q.kind === 'reasoning');
  const byId = new Map(world.documents.map((d) => [d.id, d]));

  it('names, for each factual query, exactly the documents that contain its answer', () => {
    for (const query of factual) {
      const matches = wordMatcher(query.answer);
      const containing = world.documents.filter((d) => matches(d.text)).map((d) => d.id).sort();
      expect({ id: query.id, docs: containing }).toEqual({ id: query.id, docs: query.groundTruth.answerDocumentIds });
      expect(containing.length).toBeGreaterThanOrEqual(size === 'demo' ? 10 : 80);
    }
  });

  it('states each factual answer in several sources and phrasings', () => {
    for (const query of factual) {
      const docs = query.groundTruth.answerDocumentIds.map((id) => byId.get(id) as WorldDocument);
      expect(new Set(docs.map((d) => d.source)).size).toBeGreaterThanOrEqual(3);
      expect(new Set(docs.map((d) => d.metadata.template)).size).toBeGreaterThanOrEqual(5);
      const fact = world.facts.find((f) => f.id === query.groundTruth.factId);
      expect(fact?.answer).toBe(query.answer);
      for (const doc of docs) expect(doc.text.toLowerCase()).toContain(fact?.subject.toLowerCase());
    }
  });

  it('keeps the queries verbatim out of the corpus but has their phrasing for other entities', () => {
    for (const query of factual) {
      const question = query.prompt.trimEnd();
      expect(world.documents.some((d) => d.text.includes(question))).toBe(false);
    }
    const qaDocs = world.documents.filter((d) => d.metadata.template.endsWith('/qa') && d.metadata.kind === 'fact');
    expect(qaDocs.length).toBeGreaterThan(0);
    for (const relation of ['capital', 'founded', 'inventor', 'symbol']) {
      const example = factual.find((q) => q.task === relation) as WorldQuery;
      const stem = example.prompt.slice(0, 12);
      expect(qaDocs.some((d) => d.text.startsWith(stem))).toBe(true);
    }
  });

  it('never uses a query instance in a corpus procedure, nor writes a query expression anywhere', () => {
    const queryTuples = new Set(world.queries.filter((q) => q.groundTruth.numbers && Object.keys(q.groundTruth.numbers).length > 0).map(queryTuple));
    expect(queryTuples.size).toBe(70);
    for (const doc of world.documents) {
      const tuple = numberTuple(doc);
      if (tuple) expect(queryTuples.has(tuple)).toBe(false);
    }
    const corpus = world.documents.map((d) => d.text).join('\n\u0000\n');
    for (const query of [...reasoning, ...world.queries.filter((q) => q.groundTruth.mirrors?.kind === 'reasoning')]) {
      const pattern = new RegExp(`(?<![0-9])${escapeRegExp(expressionOf(query))}(?![0-9])`);
      expect(pattern.test(corpus)).toBe(false);
    }
  });

  it('links each reasoning query to every document demonstrating its task, in every format', () => {
    for (const query of reasoning) {
      const expected = world.documents.filter((d) => d.metadata.procedure?.task === query.task).map((d) => d.id).sort();
      expect(query.groundTruth.procedureDocumentIds).toEqual(expected);
      expect(query.groundTruth.answerDocumentIds).toEqual([]);
      const formats = new Set(expected.map((id) => byId.get(id)?.metadata.procedure?.format));
      expect([...formats].sort()).toEqual(['code-function', 'code-steps', 'notes', 'problem', 'qa', 'worked']);
    }
  });

  it('lists the procedure and drill documents that perform one of a reasoning query\'s steps, and none performs all', () => {
    for (const query of reasoning) {
      const stepTexts = query.answerKeywords.filter((k) => k.includes(' = '));
      expect(stepTexts.length).toBeGreaterThanOrEqual(2);
      const codeForms = stepTexts.map((t) => t.replace(/ = (-?\d+)$/, '  # $1'));
      const listed = new Set(query.groundTruth.stepDocumentIds);
      const patterns = [...stepTexts, ...codeForms].map((t) => new RegExp(`(?<![\\d.])${escapeRegExp(t)}(?![\\d])`));
      for (const doc of world.documents) {
        if (doc.metadata.kind !== 'procedure' && doc.metadata.kind !== 'drill') continue;
        const text = doc.text.replace(/ \\cdot /g, ' * ');
        const writes = patterns.some((p) => p.test(text));
        if (writes && !listed.has(doc.id)) expect({ doc: doc.id, listed: listed.has(doc.id) }).toEqual({ doc: doc.id, listed: true });
        if (doc.metadata.kind === 'drill' && !writes && listed.has(doc.id)) expect({ doc: doc.id, writes }).toEqual({ doc: doc.id, writes: true });
      }
      for (const id of listed) {
        const metadata = byId.get(id)?.metadata;
        const steps = (metadata?.procedure?.steps ?? metadata?.drill?.operations ?? []).map((s) => `${s.left} ${s.op} ${s.right} = ${s.result}`);
        expect(steps.some((s) => stepTexts.includes(s))).toBe(true);
        if (metadata?.procedure?.task === query.task || metadata?.kind === 'drill') expect(stepTexts.every((s) => steps.includes(s))).toBe(false);
      }
    }
    expect(reasoning.filter((q) => q.groundTruth.stepDocumentIds.length > 0).length).toBeGreaterThan(30);
  });

  it('spreads the held-out answers of each reasoning task', () => {
    for (const task of ['two-step-arithmetic', 'slope', 'linear-equation']) {
      const answers = reasoning.filter((q) => q.task === task).map((q) => q.answer);
      const counts = new Map<string, number>();
      for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
      expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
      expect(counts.size).toBeGreaterThanOrEqual(10);
    }
  });
});
