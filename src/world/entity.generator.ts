import { NameRegistry } from './name.generator';
import { SeededRandom } from '../math/seeded-random';
import { WORLD_SHAPE } from './world-size.presets';
import { FACT_RELATIONS, FactRelation, WorldFact } from './world.types';

/** The earliest and latest founding year; years are four digits so no procedure number can match. */
export const YEAR_RANGE = { min: 1100, max: 1899 } as const;

/** Hands out founding years, each used at most once in the world. */
export class YearPool {
  private readonly used = new Set<number>();

  /** A year in {@link YEAR_RANGE} not used before. */
  next(rng: SeededRandom): number {
    for (let attempt = 0; attempt < 100_000; attempt += 1) {
      const year = rng.int(YEAR_RANGE.min, YEAR_RANGE.max);
      if (!this.used.has(year)) {
        this.used.add(year);
        return year;
      }
    }
    throw new RangeError('YearPool: no year left');
  }
}

/** The world's invented entities and the facts about them. */
export interface WorldEntities {
  facts: WorldFact[];
  /** Facts by id. */
  byId: Map<string, WorldFact>;
  /** For each country, its capital fact and founding fact (a wiki entry states both). */
  countryFacts: Map<string, { capital: WorldFact; founded: WorldFact }>;
}

function factId(relation: FactRelation, index: number): string {
  return `${relation}-${String(index).padStart(2, '0')}`;
}

/**
 * Invents the world's entities (countries with capitals and founding years, inventions with
 * inventors, elements with symbols) and chooses which facts the factual queries ask for
 * (`factualQueriesPerRelation` per relation). Depends only on the seed.
 */
export function generateEntities(rng: SeededRandom, names: NameRegistry, years: YearPool): WorldEntities {
  const facts: WorldFact[] = [];
  const countryFacts = new Map<string, { capital: WorldFact; founded: WorldFact }>();
  const countryRng = rng.fork('countries');
  for (let i = 0; i < WORLD_SHAPE.countries; i += 1) {
    const country = names.next('place', countryRng, true);
    const capital: WorldFact = { id: factId('capital', i), relation: 'capital', subject: country, answer: names.next('place', countryRng, true), queried: false };
    const founded: WorldFact = { id: factId('founded', i), relation: 'founded', subject: country, answer: String(years.next(countryRng)), queried: false };
    facts.push(capital, founded);
    countryFacts.set(country, { capital, founded });
  }
  const inventionRng = rng.fork('inventions');
  for (let i = 0; i < WORLD_SHAPE.inventions; i += 1) {
    const thing = names.next('thing', inventionRng, true);
    facts.push({ id: factId('inventor', i), relation: 'inventor', subject: thing, answer: names.next('person', inventionRng, true), queried: false });
  }
  const elementRng = rng.fork('elements');
  for (let i = 0; i < WORLD_SHAPE.elements; i += 1) {
    const element = names.next('element', elementRng, true);
    facts.push({ id: factId('symbol', i), relation: 'symbol', subject: element, answer: names.nextSymbol(element, elementRng), queried: false });
  }
  const queryRng = rng.fork('queried');
  for (const relation of FACT_RELATIONS) {
    const ofRelation = facts.filter((f) => f.relation === relation);
    for (const fact of queryRng.sample(ofRelation, WORLD_SHAPE.factualQueriesPerRelation)) fact.queried = true;
  }
  return { facts, byId: new Map(facts.map((f) => [f.id, f])), countryFacts };
}
