import { arithmeticProcedure } from './arithmetic-procedure.generator';
import { documentId } from './document-id';
import { drillPools } from './drill-pools';
import { DrillSchedule } from './drill-schedule';
import { DRILL_FORMAT_SOURCES, renderDrill } from './drill.templates';
import { generateEntities, WorldEntities, YearPool } from './entity.generator';
import { buildFactualControlQuery, buildFactualQuery } from './factual-query.builder';
import { FACT_PHRASING_CYCLE, FactContextLookup, phrasingForSlot, renderFact } from './fact.templates';
import { fillerText, fillerVocabulary } from './filler.templates';
import { World } from './generated-world.types';
import { attachGroundTruth } from './ground-truth.builder';
import { largestNumberProcedure } from './largest-number-procedure.generator';
import { linearEquationProcedure } from './linear-equation-procedure.generator';
import { NameRegistry } from './name.generator';
import { ProcedureGenerator, ProcedureInstance } from './procedure.types';
import { inventReadingFact, readingCompletion, readingPrompt, readingRelation } from './reading-procedure.generator';
import { buildProcedureQuery, REASONING_ID_STEMS, sampleQueryInstances } from './reasoning-query.builder';
import { SeededRandom } from '../math/seeded-random';
import { slopeProcedure } from './slope-procedure.generator';
import { templateVocabulary } from './template-vocabulary';
import { verifyWorld } from './world-invariants';
import { WorldInvariantError } from './world.errors';
import { sourceTargets, WORLD_SHAPE, WORLD_SIZE_PRESETS, WorldSizeName, WorldSizePreset } from './world-size.presets';
import { DRILL_FORMATS, DrillFormat, FACT_RELATIONS, WORLD_SOURCES, WorldDocument, WorldFact, WorldQuery, WorldSource } from './world.types';

/** Version of the generator; bump when the bytes written for a seed change. */
export const WORLD_GENERATOR_VERSION = '1.2.0';

/** The three reasoning procedures, in query order. */
export const REASONING_PROCEDURES: readonly ProcedureGenerator[] = [arithmeticProcedure, slopeProcedure, linearEquationProcedure];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The world's queries (independent of the size) and the instance keys held out of the corpus. */
function buildQueries(
  rng: SeededRandom,
  entities: WorldEntities,
  names: NameRegistry,
  years: YearPool,
): { queries: WorldQuery[]; heldOutKeys: Set<string> } {
  const queries: WorldQuery[] = [];
  entities.facts
    .filter((f) => f.queried)
    .forEach((fact, i) => queries.push(buildFactualQuery(`factual-${pad(i + 1)}`, fact)));
  const heldOutKeys = new Set<string>();
  for (const generator of REASONING_PROCEDURES) {
    const instances = sampleQueryInstances(
      generator,
      WORLD_SHAPE.reasoningQueriesPerTask,
      rng.fork(`queries/${generator.task}`),
      heldOutKeys,
      WORLD_SHAPE.maxQueriesPerAnswer,
    );
    const stem = REASONING_ID_STEMS[generator.task] as string;
    instances.forEach((instance, i) => queries.push(buildProcedureQuery(`${stem}-${pad(i + 1)}`, 'reasoning', generator, instance)));
  }
  const factualControlRng = rng.fork('queries/control-factual');
  for (let i = 0; i < WORLD_SHAPE.factualControls; i += 1) {
    const relation = FACT_RELATIONS[i % FACT_RELATIONS.length] as (typeof FACT_RELATIONS)[number];
    const fact = inventReadingFact(relation, factualControlRng, names, years);
    queries.push(buildFactualControlQuery(`control-factual-${pad(i + 1)}`, fact));
  }
  const reasoningControlRng = rng.fork('queries/control-reasoning');
  const controlInstances: ProcedureInstance[] = [];
  for (let i = 0; controlInstances.length < WORLD_SHAPE.reasoningControls; i += 1) {
    if (i > 100_000) throw new WorldInvariantError('could not draw reasoning controls');
    const surface = REASONING_PROCEDURES[controlInstances.length % REASONING_PROCEDURES.length] as ProcedureGenerator;
    const instance: ProcedureInstance = { ...surface.sample(reasoningControlRng), surface: surface.task as ProcedureInstance['surface'] };
    const key = largestNumberProcedure.key(instance);
    if (heldOutKeys.has(key)) continue;
    heldOutKeys.add(key);
    controlInstances.push(instance);
  }
  controlInstances.forEach((instance, i) =>
    queries.push(buildProcedureQuery(`control-reasoning-${pad(i + 1)}`, 'control', largestNumberProcedure, instance)),
  );
  return { queries, heldOutKeys };
}

function procedureDocument(
  seed: number,
  slot: string,
  generator: ProcedureGenerator,
  format: ProcedureGenerator['formats'][number],
  rng: SeededRandom,
  heldOutKeys: ReadonlySet<string>,
): WorldDocument {
  let instance = generator.sample(rng);
  for (let attempt = 0; heldOutKeys.has(generator.key(instance)); attempt += 1) {
    if (attempt > 10_000) throw new WorldInvariantError(`no corpus instance left for ${generator.task}`);
    instance = generator.sample(rng);
  }
  const { steps, answer } = generator.solve(instance);
  return {
    id: documentId(seed, slot),
    text: generator.render(format.format, instance, rng),
    source: format.source,
    metadata: {
      kind: 'procedure',
      facts: [],
      procedure: {
        task: generator.task,
        format: format.format,
        numbers: { ...instance.numbers },
        ...(instance.operation ? { operation: instance.operation } : {}),
        ...(instance.surface ? { surface: instance.surface } : {}),
        steps,
        answer,
      },
      drill: null,
      template: `procedure/${generator.task}/${format.format}`,
    },
  };
}

/**
 * The drill documents: for each pool, `passes` passes over its operations (see
 * {@link DrillSchedule}); the k-th drill of a pool is written in format k mod 3 (practice,
 * check, code comments) from its own slot stream `drill/<pool>/<k>`.
 */
function drillDocuments(seed: number, root: SeededRandom, passes: number): WorldDocument[] {
  const documents: WorldDocument[] = [];
  for (const pool of drillPools()) {
    const schedule = new DrillSchedule(root, pool);
    const count = schedule.documentCount(passes);
    for (let k = 0; k < count; k += 1) {
      const slot = `drill/${pool.name}/${k}`;
      const format = DRILL_FORMATS[k % DRILL_FORMATS.length] as DrillFormat;
      const operations = schedule.operations(k);
      documents.push({
        id: documentId(seed, slot),
        text: renderDrill(pool.name, format, operations, root.fork(slot)),
        source: DRILL_FORMAT_SOURCES[format],
        metadata: {
          kind: 'drill',
          facts: [],
          procedure: null,
          drill: { pool: pool.name, format, operations: operations.map((o) => ({ ...o })) },
          template: `drill/${pool.name}/${format}`,
        },
      });
    }
  }
  return documents;
}

/**
 * Generates the world for a seed and size: a pure function (no I/O, no clock), byte-for-byte
 * reproducible. Entities, facts and queries depend only on the seed; every document comes from
 * its own slot stream (a drill also from its pool's pass streams), so the `demo` corpus is a
 * subset of the `full` corpus.
 * @throws WorldInvariantError if a generator invariant fails (a bug, not bad input)
 */
export function generateWorld(seed: number, size: WorldSizeName): World {
  const preset: WorldSizePreset = WORLD_SIZE_PRESETS[size];
  const root = new SeededRandom(seed);
  const names = new NameRegistry([...fillerVocabulary(), ...templateVocabulary()]);
  const years = new YearPool();
  const entities = generateEntities(root.fork('entities'), names, years);
  const { queries, heldOutKeys } = buildQueries(root.fork('queries'), entities, names, years);

  const documents: WorldDocument[] = [];
  const lookup: FactContextLookup = { country: (subject) => entities.countryFacts.get(subject) };
  for (const fact of entities.facts) {
    const offset = root.fork(`fact-offset/${fact.id}`).int(0, FACT_PHRASING_CYCLE.length - 1);
    for (let j = 0; j < preset.documentsPerFact; j += 1) {
      const slot = `fact/${fact.id}/${j}`;
      const rendered = renderFact(phrasingForSlot(j, offset, fact.queried), fact, lookup, root.fork(slot));
      const stated = rendered.states.map((view) => entities.facts.find((f) => f.relation === view.relation && f.subject === view.subject));
      documents.push({
        id: documentId(seed, slot),
        text: rendered.text,
        source: rendered.source,
        metadata: { kind: 'fact', facts: stated.map((f) => (f as WorldFact).id), procedure: null, drill: null, template: rendered.template },
      });
    }
  }
  for (const generator of REASONING_PROCEDURES) {
    for (const format of generator.formats) {
      for (let k = 0; k < preset.documentsPerTaskFormat; k += 1) {
        const slot = `procedure/${generator.task}/${format.format}/${k}`;
        documents.push(procedureDocument(seed, slot, generator, format, root.fork(slot), heldOutKeys));
      }
    }
  }
  for (let k = 0; k < preset.documentsPerControlTask; k += 1) {
    const slot = `procedure/largest-number/worked/${k}`;
    documents.push(procedureDocument(seed, slot, largestNumberProcedure, largestNumberProcedure.formats[0]!, root.fork(slot), heldOutKeys));
  }
  for (let k = 0; k < preset.documentsPerControlTask; k += 1) {
    const slot = `procedure/reading/${k}`;
    const rng = root.fork(slot);
    const fact = inventReadingFact(readingRelation(rng), rng, names, years);
    documents.push({
      id: documentId(seed, slot),
      text: `${readingPrompt(fact)}${readingCompletion(fact)}`,
      source: 'general_knowledge',
      metadata: {
        kind: 'procedure',
        facts: [],
        procedure: { task: 'reading', format: 'worked', numbers: {}, steps: [], answer: fact.answer },
        drill: null,
        template: `procedure/reading/${fact.relation}`,
      },
    });
  }
  documents.push(...drillDocuments(seed, root, preset.drillPasses));

  const targets = sourceTargets(preset);
  const structured = countBySource(documents);
  for (const source of WORLD_SOURCES) {
    const fillers = targets[source] - structured[source];
    if (fillers < 0) {
      throw new WorldInvariantError(`preset ${preset.name} gives ${source} ${targets[source]} documents but facts, procedures and drills need ${structured[source]}`);
    }
    for (let k = 0; k < fillers; k += 1) {
      const slot = `filler/${source}/${k}`;
      const filler = fillerText(source, root.fork(slot));
      documents.push({
        id: documentId(seed, slot),
        text: filler.text,
        source,
        metadata: { kind: 'filler', facts: [], procedure: null, drill: null, template: filler.template },
      });
    }
  }
  documents.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const world: World = { seed, size, preset, facts: entities.facts, documents, queries: attachGroundTruth(queries, documents) };
  verifyWorld(world, heldOutKeys);
  return world;
}

/** Number of documents per source. */
export function countBySource(documents: readonly WorldDocument[]): Record<WorldSource, number> {
  const counts = Object.fromEntries(WORLD_SOURCES.map((s) => [s, 0])) as Record<WorldSource, number>;
  for (const doc of documents) counts[doc.source] += 1;
  return counts;
}
