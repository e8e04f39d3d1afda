import { WorldInvariantError } from '../../src/world/world.errors';
import { World } from '../../src/world/generated-world.types';
import { generateWorld } from '../../src/world/world.generator';
import { verifyWorld } from '../../src/world/world-invariants';
import { sourceTargets, WORLD_SIZE_PRESETS } from '../../src/world/world-size.presets';

function copy(world: World): World {
  return JSON.parse(JSON.stringify(world)) as World;
}

describe('verifyWorld', () => {
  const world = generateWorld(21, 'demo');
  const heldOut = new Set(
    world.queries.filter((q) => q.groundTruth.numbers).map((q) => {
      const n = q.groundTruth.numbers as Record<string, number>;
      const surface = q.groundTruth.mirrors?.task ?? q.task;
      if (surface === 'slope') return `points:${n.x1},${n.y1},${n.x2},${n.y2}`;
      return `${surface === 'linear-equation' ? 'equation' : 'bracket'}:${n.a},${n.b},${n.c}`;
    }),
  );

  it('accepts a generated world', () => {
    expect(() => verifyWorld(world, heldOut)).not.toThrow();
  });

  it('rejects an answer leaking into a document that does not state it', () => {
    const broken = copy(world);
    const answer = broken.queries.find((q) => q.kind === 'factual')?.answer as string;
    const filler = broken.documents.find((d) => d.metadata.kind === 'filler');
    if (!filler) throw new Error('no filler');
    filler.text = `${filler.text.slice(0, 100)} ${answer}`;
    expect(() => verifyWorld(broken, heldOut)).toThrow(WorldInvariantError);
    expect(() => verifyWorld(broken, heldOut)).toThrow(new RegExp(`answer "${answer}"`));
  });

  it('rejects a corpus procedure on a held-out query instance', () => {
    const broken = copy(world);
    const query = broken.queries.find((q) => q.task === 'linear-equation') as World['queries'][number];
    const doc = broken.documents.find((d) => d.metadata.procedure?.task === 'linear-equation');
    if (!doc?.metadata.procedure) throw new Error('no procedure');
    doc.metadata.procedure.numbers = { ...(query.groundTruth.numbers as Record<string, number>) };
    expect(() => verifyWorld(broken, heldOut)).toThrow(/held-out instance equation:/);
  });

  it('rejects over-long, non-ASCII and duplicate documents', () => {
    const long = copy(world);
    (long.documents[0] as { text: string }).text = 'x'.repeat(251);
    expect(() => verifyWorld(long, heldOut)).toThrow(/251 bytes/);
    const accented = copy(world);
    (accented.documents[0] as { text: string }).text = 'caf\u00e9';
    expect(() => verifyWorld(accented, heldOut)).toThrow(/not printable ASCII/);
    const duplicated = copy(world);
    duplicated.documents.push({ ...(duplicated.documents[0] as World['documents'][number]) });
    expect(() => verifyWorld(duplicated, heldOut)).toThrow(/duplicate document id/);
  });
});

describe('sourceTargets', () => {
  it('rounds shares to counts that sum to the document total', () => {
    for (const documents of [7, 99, 2500, 20001]) {
      const targets = sourceTargets({ ...WORLD_SIZE_PRESETS.demo, documents });
      expect(Object.values(targets).reduce((a, b) => a + b, 0)).toBe(documents);
      for (const [source, count] of Object.entries(targets)) {
        const share = WORLD_SIZE_PRESETS.demo.sourceShares[source as keyof typeof targets];
        expect(Math.abs(count - share * documents)).toBeLessThan(1);
      }
    }
  });
});
