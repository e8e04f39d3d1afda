import { arithmeticProcedure } from './arithmetic-procedure.generator';
import { drillPools } from './drill-pools';
import { renderDrill } from './drill.templates';
import { FACT_PHRASING_CYCLE, factContext, factPrompt, FactView, renderFact } from './fact.templates';
import { largestNumberProcedure } from './largest-number-procedure.generator';
import { linearEquationProcedure } from './linear-equation-procedure.generator';
import { SeededRandom } from '../math/seeded-random';
import { slopeProcedure } from './slope-procedure.generator';
import { DRILL_FORMATS, FACT_RELATIONS } from './world.types';

const RENDERS_PER_TEMPLATE = 256;
let cached: string[] | null = null;

/**
 * Every word (lower case) the fact, procedure and drill templates write around the names they are
 * given, found by rendering each template many times with a placeholder name. Invented names
 * avoid these words. Independent of the world's seed.
 */
export function templateVocabulary(): string[] {
  if (cached) return cached;
  const rng = new SeededRandom(0, 'template-vocabulary');
  const texts: string[] = [];
  for (const relation of FACT_RELATIONS) {
    const fact: FactView = { relation, subject: 'Qqqq', answer: 'Qqqq' };
    const lookup = { country: () => ({ capital: { ...fact, relation: 'capital' as const }, founded: { ...fact, relation: 'founded' as const } }) };
    texts.push(factContext(fact), factPrompt(fact));
    for (const phrasing of [...new Set([...FACT_PHRASING_CYCLE, 'qa-alt' as const])]) {
      for (let i = 0; i < RENDERS_PER_TEMPLATE; i += 1) texts.push(renderFact(phrasing, fact, lookup, rng).text);
    }
  }
  for (const generator of [arithmeticProcedure, slopeProcedure, linearEquationProcedure, largestNumberProcedure]) {
    for (const { format } of generator.formats) {
      for (let i = 0; i < RENDERS_PER_TEMPLATE; i += 1) texts.push(generator.render(format, generator.sample(rng), rng));
    }
  }
  for (const pool of drillPools()) {
    for (const format of DRILL_FORMATS) {
      for (let i = 0; i < RENDERS_PER_TEMPLATE; i += 1) texts.push(renderDrill(pool.name, format, (pool.groups[0] ?? []).slice(0, 6), rng));
    }
  }
  cached = [...new Set(texts.flatMap((t) => t.toLowerCase().match(/[a-z]+/g) ?? []))].filter((w) => w !== 'qqqq').sort();
  return cached;
}
