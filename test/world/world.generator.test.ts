import { countBySource, generateWorld } from '../../src/world/world.generator';
import { serializeWorld, WORLD_FILES } from '../../src/world/world.serializer';
import { sourceTargets, WORLD_SIZE_PRESETS } from '../../src/world/world-size.presets';
import { WORLD_SOURCES } from '../../src/world/world.types';
import { worldFor } from './world.fixture';

describe('generateWorld', () => {
  it('is byte-for-byte deterministic for a seed, and different seeds give different worlds', () => {
    const a = serializeWorld(generateWorld(11, 'demo'));
    const b = serializeWorld(generateWorld(11, 'demo'));
    expect(Object.keys(a)).toEqual([WORLD_FILES.corpus, WORLD_FILES.queries, WORLD_FILES.manifest]);
    for (const name of Object.keys(a)) expect(Buffer.from(b[name] as string).equals(Buffer.from(a[name] as string))).toBe(true);
    const c = serializeWorld(generateWorld(12, 'demo'));
    expect(c[WORLD_FILES.corpus]).not.toBe(a[WORLD_FILES.corpus]);
    expect(c[WORLD_FILES.queries]).not.toBe(a[WORLD_FILES.queries]);
  });

  it('has the paper-like query counts per kind and task', () => {
    const world = worldFor(7, 'demo');
    const count = (pred: (q: (typeof world.queries)[number]) => boolean) => world.queries.filter(pred).length;
    expect(world.queries).toHaveLength(120);
    expect(count((q) => q.kind === 'factual')).toBe(40);
    for (const relation of ['capital', 'founded', 'inventor', 'symbol']) expect(count((q) => q.kind === 'factual' && q.task === relation)).toBe(10);
    for (const task of ['two-step-arithmetic', 'slope', 'linear-equation']) expect(count((q) => q.kind === 'reasoning' && q.task === task)).toBe(20);
    expect(count((q) => q.kind === 'control' && q.groundTruth.mirrors?.kind === 'factual')).toBe(10);
    expect(count((q) => q.kind === 'control' && q.groundTruth.mirrors?.kind === 'reasoning')).toBe(10);
    expect(new Set(world.queries.map((q) => q.id)).size).toBe(120);
    expect(count((q) => q.task === 'two-step-arithmetic' && q.prompt.includes(' + '))).toBeGreaterThan(0);
    expect(count((q) => q.task === 'two-step-arithmetic' && / - \d+\) \*/.test(q.prompt))).toBeGreaterThan(0);
  });

  it.each(['demo', 'full'] as const)('matches the %s preset: document count and source mix', (size) => {
    const world = worldFor(7, size);
    const preset = WORLD_SIZE_PRESETS[size];
    expect(world.documents).toHaveLength(preset.documents);
    const counts = countBySource(world.documents);
    expect(counts).toEqual(sourceTargets(preset));
    for (const source of WORLD_SOURCES) {
      expect(Math.abs(counts[source] / preset.documents - preset.sourceShares[source])).toBeLessThanOrEqual(1 / preset.documents);
    }
    const manifest = JSON.parse(serializeWorld(world)[WORLD_FILES.manifest] as string);
    for (const source of WORLD_SOURCES) expect(manifest.sourceMix[source].documents).toBe(counts[source]);
    expect(manifest.counts.documents).toBe(preset.documents);
  });

  it.each(['demo', 'full'] as const)('%s: facts are 25-31 %% of the text, most documents are irrelevant to every query', (size) => {
    const world = worldFor(7, size);
    const total = world.documents.reduce((s, d) => s + d.text.length, 0);
    const factBytes = world.documents.filter((d) => d.metadata.kind === 'fact').reduce((s, d) => s + d.text.length, 0);
    expect(factBytes / total).toBeGreaterThanOrEqual(0.25);
    expect(factBytes / total).toBeLessThanOrEqual(0.31);
    const relevant = new Set(world.queries.flatMap((q) => [...q.groundTruth.answerDocumentIds, ...q.groundTruth.procedureDocumentIds]));
    expect(relevant.size / world.documents.length).toBeLessThan(0.5);
    const withSteps = new Set([...relevant, ...world.queries.flatMap((q) => q.groundTruth.stepDocumentIds)]);
    expect(withSteps.size / world.documents.length).toBeLessThan(0.5);
    expect(world.documents.filter((d) => d.metadata.kind === 'filler').length).toBeGreaterThan(0.3 * world.documents.length);
  });

  it('keeps documents short, printable ASCII and within a 256-byte context', () => {
    const world = worldFor(7, 'full');
    const offenders = world.documents.filter((d) => !/^[\x0a\x20-\x7e]+$/.test(d.text) || d.text.length > 250);
    expect(offenders).toEqual([]);
    const short = world.documents.filter((d) => d.text.length <= 200).length;
    expect(short / world.documents.length).toBeGreaterThan(0.95);
    for (const q of world.queries) expect((q.prompt + q.completion).length).toBeLessThanOrEqual(250);
  });

  it('uses short invented names (at most 8 bytes), unique across the world', () => {
    const world = worldFor(7, 'demo');
    const names = world.facts.flatMap((f) => (f.relation === 'founded' ? [f.subject] : [f.subject, f.answer]));
    for (const name of names) expect(name.length).toBeLessThanOrEqual(8);
    const distinctNames = [...new Set(names)];
    expect(new Set(distinctNames.map((n) => n.slice(0, 3).toLowerCase())).size).toBe(distinctNames.length);
    const distinctSubjects = new Set(world.facts.map((f) => f.subject));
    expect(distinctSubjects.size).toBe(60); // 20 countries (two facts each), 20 inventions, 20 elements
    const answers = world.facts.map((f) => f.answer);
    expect(new Set(answers).size).toBe(answers.length);
    for (const f of world.facts.filter((x) => x.relation === 'founded')) expect(f.answer).toMatch(/^1[1-8]\d\d$/);
  });

  it('makes the demo corpus a subset of the full corpus, with the same facts and queries', () => {
    const demo = worldFor(7, 'demo');
    const full = worldFor(7, 'full');
    const fullById = new Map(full.documents.map((d) => [d.id, d]));
    for (const doc of demo.documents) expect(fullById.get(doc.id)).toEqual(doc);
    expect(demo.facts).toEqual(full.facts);
    const strip = (w: typeof demo) => w.queries.map((q) => [q.id, q.prompt, q.completion, q.answer]);
    expect(strip(demo)).toEqual(strip(full));
  });

  it('gives every document its ground truth', () => {
    const world = worldFor(7, 'demo');
    expect(world.documents.some((d) => d.metadata.kind === 'drill')).toBe(true);
    const offenders = world.documents.filter(
      (doc) =>
        !/^doc-[0-9a-f]{16}$/.test(doc.id) ||
        (doc.metadata.kind === 'fact') !== doc.metadata.facts.length > 0 ||
        (doc.metadata.procedure !== null) !== (doc.metadata.kind === 'procedure') ||
        (doc.metadata.drill !== null) !== (doc.metadata.kind === 'drill'),
    );
    expect(offenders).toEqual([]);
    expect(world.documents.map((d) => d.id)).toEqual([...world.documents.map((d) => d.id)].sort());
  });
});
