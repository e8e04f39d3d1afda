import { SeededRandom } from '../math/seeded-random';
import { FactRelation, WorldFact, WorldSource } from './world.types';

/**
 * How facts are written: the factual query phrasing (question, then an answer-first
 * completion), and the corpus phrasings of each relation across sources. Every phrasing names
 * the answer only where it states the fact, so a document containing an answer states it.
 */

/** Minimal view of a fact that templates need. */
export type FactView = Pick<WorldFact, 'relation' | 'subject' | 'answer'>;

function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The declarative statement of a fact, subject before answer ("The capital of Velor is Danu."). */
export function factStatement(fact: FactView): string {
  switch (fact.relation) {
    case 'capital':
      return `The capital of ${fact.subject} is ${fact.answer}.`;
    case 'founded':
      return `${fact.subject} was founded in ${fact.answer}.`;
    case 'inventor':
      return `The ${fact.subject} was invented by ${fact.answer}.`;
    case 'symbol':
      return `The symbol of ${fact.subject} is ${fact.answer}.`;
  }
}

/** The factual query's question line ("What is the capital of Velor?"). */
export function factQuestion(fact: Pick<FactView, 'relation' | 'subject'>): string {
  switch (fact.relation) {
    case 'capital':
      return `What is the capital of ${fact.subject}?`;
    case 'founded':
      return `In what year was ${fact.subject} founded?`;
    case 'inventor':
      return `Who invented the ${fact.subject}?`;
    case 'symbol':
      return `What is the symbol of ${fact.subject}?`;
  }
}

/** The factual query's prompt: the question and a newline. */
export function factPrompt(fact: Pick<FactView, 'relation' | 'subject'>): string {
  return `${factQuestion(fact)}\n`;
}

/** The answer-first completion ("Danu. The capital of Velor is Danu."). */
export function factCompletion(fact: FactView): string {
  return `${fact.answer}. ${factStatement(fact)}`;
}

/** A sentence giving the fact as context for a reading (control) question. */
export function factContext(fact: FactView): string {
  switch (fact.relation) {
    case 'capital':
      return `${fact.subject} is a small country. Its capital is ${fact.answer}.`;
    case 'founded':
      return `${fact.subject} is an old town. People built it in ${fact.answer}.`;
    case 'inventor':
      return `${fact.answer} built the first ${fact.subject} in a small shed.`;
    case 'symbol':
      return `${sentenceCase(fact.subject)} is a new element. Chemists write it as ${fact.answer}.`;
  }
}

/** Text of one fact document and the ids of the facts it states. */
export interface FactText {
  text: string;
  source: WorldSource;
  template: string;
  /** The facts stated (the view's own fact, plus the sibling for a country's wiki entry). */
  states: FactView[];
}

/** The world knowledge a phrasing may need beyond its own fact. */
export interface FactContextLookup {
  /** For a country fact: its capital and founding facts. */
  country(subject: string): { capital: FactView; founded: FactView } | undefined;
}

/** Names of the phrasings; `qa` is the query's own phrasing, `qa-alt` replaces it for queried facts. */
export type FactPhrasing = 'statement' | 'answer-first' | 'qa' | 'qa-alt' | 'wiki' | 'web-a' | 'web-b' | 'trivia';

/**
 * The cycle of phrasings each fact's documents go through (8 slots): three general-knowledge
 * sentences, two wiki entries, two web texts, one trivia line.
 */
export const FACT_PHRASING_CYCLE: readonly FactPhrasing[] = ['statement', 'answer-first', 'qa', 'wiki', 'wiki', 'web-a', 'web-b', 'trivia'];

const OPENERS = ['', '', 'Did you know? ', 'Fact: ', 'Remember: ', 'Note: '];
const CITY_TAILS = ['', '', ' It is a busy city.', ' Many people live there.', ' It lies near the coast.', ' It has a large market.'];
const YEAR_TAILS = ['', '', ' It is an old country.', ' Its people are proud of it.', ' The date is a holiday there.'];
const THING_TAILS = ['', '', ' It is still in use today.', ' It made daily work easier.', ' Many homes have one.'];
const ELEMENT_TAILS = ['', '', ' It is rare.', ' It is found in rocks.', ' It reacts slowly with air.'];
const COUNTRY_EXTRAS = ['', 'The country has many rivers.', 'It is known for its hills.', 'Most people there are farmers.', 'It has a mild climate.'];
const DEVICE_KINDS = ['household device', 'farm tool', 'kitchen tool', 'small machine', 'workshop tool'];
const DEVICE_USES = ['keep bread fresh', 'measure rain', 'sort letters', 'warm water', 'mend fishing nets', 'grind grain'];
const ELEMENT_STATES = ['a grey solid', 'a pale gas', 'a heavy liquid', 'a soft metal', 'a brittle solid'];
const MOODS = ['It was a lovely trip.', 'We want to go back.', 'The food was great.', 'The people were kind.', 'The hotel was cheap.', 'It rained a lot.', ''];
const FLAG_COLOURS = ['red', 'green', 'blue', 'white', 'yellow', 'black', 'orange'];
const ELEMENT_USES = ['', 'It is used in glass.', 'It is used in paint.', 'It is used in batteries.', 'It is used in lamps.', 'It is used in alloys.', 'It is used in medicine.'];
const TRIVIA_PREFIXES = ['Trivia question:', 'Quiz:', 'Pub quiz:', 'Quick quiz:'];
const BUILDINGS = ['market', 'library', 'bridge', 'school', 'museum', 'park', 'hospital'];
const GUIDES = ['Our guide told us', 'We learned', 'A local man told us', 'The museum sign says'];
const HOLDERS = ['grandfather', 'grandmother', 'aunt', 'uncle', 'neighbour'];
const PRAISES = ['works well', 'saves me time', 'is easy to clean', 'looks great', 'is very handy'];
const PLACES_LEARNED = ['In class today', 'Yesterday', 'In our lab course', 'From an old book'];

function prefixSpace(text: string): string {
  return text ? ` ${text}` : '';
}

function tail(relation: FactRelation, rng: SeededRandom): string {
  switch (relation) {
    case 'capital':
      return rng.pick(CITY_TAILS);
    case 'founded':
      return rng.pick(YEAR_TAILS);
    case 'inventor':
      return rng.pick(THING_TAILS);
    case 'symbol':
      return rng.pick(ELEMENT_TAILS);
  }
}

function answerFirst(fact: FactView): string {
  switch (fact.relation) {
    case 'capital':
      return `${fact.answer} is the capital of ${fact.subject}.`;
    case 'founded':
      return `In ${fact.answer} the country of ${fact.subject} was founded.`;
    case 'inventor':
      return `${fact.answer} invented the ${fact.subject}.`;
    case 'symbol':
      return `${fact.answer} is the symbol of ${fact.subject}.`;
  }
}

function qaAlt(fact: FactView): string {
  switch (fact.relation) {
    case 'capital':
      return `Q: Which city is the capital of ${fact.subject}?\nA: ${fact.answer} is the capital of ${fact.subject}.`;
    case 'founded':
      return `Q: When was ${fact.subject} founded?\nA: In ${fact.answer}.`;
    case 'inventor':
      return `Q: Who made the first ${fact.subject}?\nA: ${fact.answer} made the first ${fact.subject}.`;
    case 'symbol':
      return `Q: Which symbol stands for ${fact.subject}?\nA: ${fact.answer} stands for ${fact.subject}.`;
  }
}

function countryWiki(capital: FactView, founded: FactView, rng: SeededRandom): string {
  const country = capital.subject;
  const sentences = [`Its capital is ${capital.answer}.`, `${country} was founded in ${founded.answer}.`];
  const body = rng.chance(0.5) ? sentences : sentences.reverse();
  const extra = rng.pick(COUNTRY_EXTRAS);
  const [c1, c2] = rng.sample(FLAG_COLOURS, 2) as [string, string];
  const flag = rng.chance(0.5) ? ` Its flag is ${c1} and ${c2}.` : '';
  return `${country}\n\n${country} is a country. ${body.join(' ')}${extra ? ` ${extra}` : ''}${flag}`;
}

function wiki(fact: FactView, lookup: FactContextLookup, rng: SeededRandom): { text: string; states: FactView[] } {
  switch (fact.relation) {
    case 'capital':
    case 'founded': {
      const country = lookup.country(fact.subject);
      if (!country) throw new RangeError(`no country facts for ${fact.subject}`);
      return { text: countryWiki(country.capital, country.founded, rng), states: [country.capital, country.founded] };
    }
    case 'inventor':
      return {
        text:
          `${sentenceCase(fact.subject)} (device)\n\nThe ${fact.subject} is a ${rng.pick(DEVICE_KINDS)}. ` +
          `It was invented by ${fact.answer}. It is used to ${rng.pick(DEVICE_USES)}.`,
        states: [fact],
      };
    case 'symbol':
      return {
        text: `${sentenceCase(fact.subject)}\n\n${sentenceCase(fact.subject)} is a chemical element with the symbol ${fact.answer}. It is ${rng.pick(ELEMENT_STATES)} at room temperature.${prefixSpace(rng.pick(ELEMENT_USES))}`,
        states: [fact],
      };
  }
}

function webA(fact: FactView, rng: SeededRandom): { text: string; source: WorldSource } {
  const mood = rng.pick(MOODS);
  switch (fact.relation) {
    case 'capital':
      return { source: 'webdata', text: `Last spring we travelled to ${fact.subject}. We stayed in ${fact.answer}, the capital of ${fact.subject}, for a week.${mood ? ` ${mood}` : ''}` };
    case 'founded':
      return { source: 'webdata', text: `${rng.pick(GUIDES)} that ${fact.subject} was founded in ${fact.answer}.${mood ? ` ${mood}` : ''}` };
    case 'inventor':
      return { source: 'webdata', text: `My ${rng.pick(HOLDERS)} still keeps an old ${fact.subject}, and says ${fact.answer}, who invented the ${fact.subject}, was a genius.` };
    case 'symbol':
      return { source: 'arxiv_markdown', text: `## Materials\n\nSamples of ${fact.subject} (symbol ${fact.answer}) were heated for ${rng.int(2, 9)} hours.` };
  }
}

function webB(fact: FactView, rng: SeededRandom): string {
  switch (fact.relation) {
    case 'capital':
      return `News from ${fact.subject}: the council of ${fact.answer}, the capital of ${fact.subject}, opened a new ${rng.pick(BUILDINGS)}.`;
    case 'founded':
      return `Every year the people of ${fact.subject} remember ${fact.answer}, the year ${fact.subject} was founded.${prefixSpace(rng.pick(MOODS))}`;
    case 'inventor':
      return `Review: this ${fact.subject} ${rng.pick(PRAISES)}. Thanks to ${fact.answer} for inventing the ${fact.subject}!`;
    case 'symbol':
      return `${rng.pick(PLACES_LEARNED)} we learned that the symbol of ${fact.subject} is ${fact.answer}.`;
  }
}

function trivia(fact: FactView, rng: SeededRandom): string {
  const prefix = rng.pick(TRIVIA_PREFIXES);
  switch (fact.relation) {
    case 'capital':
      return `${prefix} What is the capital city of ${fact.subject}? Answer: ${fact.answer}.`;
    case 'founded':
      return `${prefix} In which year was ${fact.subject} founded? Answer: ${fact.answer}.`;
    case 'inventor':
      return `${prefix} Who was the inventor of the ${fact.subject}? Answer: ${fact.answer}.`;
    case 'symbol':
      return `${prefix} What symbol does ${fact.subject} have? Answer: ${fact.answer}.`;
  }
}

/** Writes one fact document in `phrasing`. */
export function renderFact(phrasing: FactPhrasing, fact: FactView, lookup: FactContextLookup, rng: SeededRandom): FactText {
  const template = `fact/${fact.relation}/${phrasing}`;
  switch (phrasing) {
    case 'statement':
      return { template, source: 'general_knowledge', states: [fact], text: `${rng.pick(OPENERS)}${factStatement(fact)}${tail(fact.relation, rng)}` };
    case 'answer-first':
      return { template, source: 'general_knowledge', states: [fact], text: `${rng.pick(OPENERS)}${answerFirst(fact)}${tail(fact.relation, rng)}` };
    case 'qa':
      return { template, source: 'general_knowledge', states: [fact], text: `${factPrompt(fact)}${factCompletion(fact)}` };
    case 'qa-alt':
      return { template, source: 'general_knowledge', states: [fact], text: qaAlt(fact) };
    case 'wiki': {
      const { text, states } = wiki(fact, lookup, rng);
      return { template, source: 'wiki', states, text };
    }
    case 'web-a': {
      const { text, source } = webA(fact, rng);
      return { template, source, states: [fact], text };
    }
    case 'web-b':
      return { template, source: 'webdata', states: [fact], text: webB(fact, rng) };
    case 'trivia':
      return { template, source: 'math_and_trivia', states: [fact], text: trivia(fact, rng) };
  }
}

/** The phrasing of a fact's `slot`-th document; queried facts never use the query's own phrasing. */
export function phrasingForSlot(slot: number, offset: number, queried: boolean): FactPhrasing {
  const phrasing = FACT_PHRASING_CYCLE[(slot + offset) % FACT_PHRASING_CYCLE.length] as FactPhrasing;
  return phrasing === 'qa' && queried ? 'qa-alt' : phrasing;
}
