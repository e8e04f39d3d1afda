import { YearPool } from './entity.generator';
import { factCompletion, factContext, factPrompt, FactView } from './fact.templates';
import { NameRegistry } from './name.generator';
import { SeededRandom } from '../math/seeded-random';
import { FACT_RELATIONS, FactRelation } from './world.types';

/**
 * The factual-control task ("reading"): a context sentence gives a fact about a throw-away
 * entity, then the factual query's question asks for it. The surface form is a factual query's;
 * the answer comes from the prompt, never from a fact of the world.
 */

/** Invents a throw-away fact of `relation` with fresh names (or a fresh year). */
export function inventReadingFact(relation: FactRelation, rng: SeededRandom, names: NameRegistry, years: YearPool): FactView {
  switch (relation) {
    case 'capital':
      return { relation, subject: names.next('place', rng), answer: names.next('place', rng) };
    case 'founded':
      return { relation, subject: names.next('place', rng), answer: String(years.next(rng)) };
    case 'inventor':
      return { relation, subject: names.next('thing', rng), answer: names.next('person', rng) };
    case 'symbol': {
      const element = names.next('element', rng);
      return { relation, subject: element, answer: names.nextSymbol(element, rng) };
    }
  }
}

/** A random relation for a reading document. */
export function readingRelation(rng: SeededRandom): FactRelation {
  return rng.pick(FACT_RELATIONS);
}

/** The reading prompt: context line, then the factual question. */
export function readingPrompt(fact: FactView): string {
  return `${factContext(fact)}\n${factPrompt(fact)}`;
}

/** The reading completion (the factual query's answer-first completion). */
export function readingCompletion(fact: FactView): string {
  return factCompletion(fact);
}
