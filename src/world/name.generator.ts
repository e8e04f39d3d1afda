import { SeededRandom } from '../math/seeded-random';
import { WorldInvariantError } from './world.errors';

/**
 * Invented names for the world's entities and answers. Names are short (at most 8 bytes, which
 * a small byte-level model copies reliably), ASCII, unique in the world (case-insensitively),
 * and never an English word the templates write, so an answer string found in a document
 * means the document states that answer.
 */

/** Styles of invented names. */
export type NameStyle = 'place' | 'person' | 'thing' | 'element';

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z'];
const VOWELS = ['a', 'e', 'i', 'o', 'u'];
const CODAS = ['', '', 'n', 'r', 'l', 's', 'k'];
const SYMBOL_SECOND = ['q', 'x', 'z', 'j', 'v', 'w', 'k', 'b', 'd', 'g'];

/** Common English words (and real element names) that syllable names could spell; never used. */
const COMMON_WORDS = new Set(
  ('a an as at be by do go he if in is it me my no of on or so to up us we ' +
    'bad bag ban bar bed bet big bin bit bob bog bud bus den did dig din dog dot dug fan far fat fed fig fin fit fog fun fur gap gas gel get gin god got gum gun gut kid kin kit lab lad lap led leg let lid lip lit log lot mad man map mat men met mob mod mop mud mug nab nag nap net nod nor not nut pad pal pan par pat peg pen pet pig pin pit pod pot pub pun pup rag ram ran rat red rib rid rim rip rob rod rot rub rug run rut sad sag sat set sin sip sit sob sod son sub sum sun tab tag tan tap tar ten tin tip top tub tug van vat vet zen zip ' +
    'bake bale bane bare base bile bite bode bole bone bore dale dame dare date dine dire dome done dose dune fade fake fame fare fate file fine fire fume fuse gale game gate gene kale kite lake lame lane late life like lime line lobe lode lone lore lose lube lune mane mare mate meme mile mine mire mode mole more mule muse name nine node none nose note pale pane pare pike pile pine pipe poke pole pone pore pose puke pure rake rate ride rife rime ripe robe rode role rope rose rude rule ruse sake sale same sane safe sage side sine sire site sole some sore sure take tale tame tape tide tile time tire tone tore tube tune vale vane vase vile vine vole vote zone ' +
    'diva dona gala kilo lava lima mama menu papa pita polo puma soda sofa solo tuba tuna vita yoga data demo memo item ' +
    'robot begin token tiger baton satin robin motel total metal petal rotor tutor sober debut rebut repel super paper ' +
    'taper piper sugar bagel label rebel vital motor began rigor pagan panel level lemon melon salon talon baker liner ' +
    'timer tuner saber lager luger pupil penal venal regal legal later sinus bonus minus virus focus lotus ' +
    'barium radium sodium kalium medium tedium podium').split(/\s+/),
);

/** Length of the prefix that distinguishes the world's entity names from one another. */
export const DISTINCT_PREFIX_LENGTH = 3;

/**
 * Hands out unique invented names. Names of the world's entities also reserve their first
 * {@link DISTINCT_PREFIX_LENGTH} letters, and no later name starts with a reserved prefix, so a
 * small model can tell two entities apart from their first bytes (the calibration model
 * answered for the wrong entity when names were alike).
 */
export class NameRegistry {
  private readonly used = new Set<string>();
  private readonly prefixes = new Set<string>();
  private readonly forbidden: Set<string>;

  /** @param forbidden words (any case) that must never be used as a name */
  constructor(forbidden: Iterable<string>) {
    this.forbidden = new Set([...forbidden].map((w) => w.toLowerCase()));
    for (const word of COMMON_WORDS) this.forbidden.add(word);
  }

  /** Whether `name` (any case) is already taken or forbidden. */
  isTaken(name: string): boolean {
    const key = name.toLowerCase();
    return this.used.has(key) || this.forbidden.has(key);
  }

  /** Reserves `name`; throws if it is taken. */
  claim(name: string): string {
    if (this.isTaken(name)) throw new WorldInvariantError(`name "${name}" claimed twice`);
    this.used.add(name.toLowerCase());
    return name;
  }

  /**
   * A fresh name of `style` drawn from `rng` whose prefix no entity has reserved.
   * @param reservePrefix reserve the new name's prefix (for the world's entities)
   */
  next(style: NameStyle, rng: SeededRandom, reservePrefix = false): string {
    for (let attempt = 0; attempt < 10_000; attempt += 1) {
      const candidate = candidateName(style, rng);
      const prefix = candidate.slice(0, DISTINCT_PREFIX_LENGTH).toLowerCase();
      if (candidate.length <= 8 && !this.isTaken(candidate) && !this.prefixes.has(prefix)) {
        if (reservePrefix) this.prefixes.add(prefix);
        return this.claim(candidate);
      }
    }
    throw new WorldInvariantError(`ran out of ${style} names`);
  }

  /** A fresh two-letter element symbol starting with the element's initial (e.g. `Vq`). */
  nextSymbol(element: string, rng: SeededRandom): string {
    const initial = element.charAt(0).toUpperCase();
    for (const second of rng.shuffle(SYMBOL_SECOND)) {
      const candidate = `${initial}${second}`;
      if (!this.isTaken(candidate)) return this.claim(candidate);
    }
    for (let attempt = 0; attempt < 1000; attempt += 1) {
      const candidate = `${rng.pick(ONSETS).toUpperCase()}${rng.pick(SYMBOL_SECOND)}`;
      if (!this.isTaken(candidate)) return this.claim(candidate);
    }
    throw new WorldInvariantError(`ran out of symbols for ${element}`);
  }
}

function syllable(rng: SeededRandom): string {
  return `${rng.pick(ONSETS)}${rng.pick(VOWELS)}`;
}

function candidateName(style: NameStyle, rng: SeededRandom): string {
  switch (style) {
    case 'place':
      return capitalise(`${syllable(rng)}${syllable(rng)}${rng.pick(CODAS)}`);
    case 'person':
      return capitalise(`${syllable(rng)}${rng.pick(CODAS)}${syllable(rng)}`);
    case 'thing':
      return `${syllable(rng)}${rng.pick(['b', 'g', 'k', 'p', 't', 'z'])}${rng.pick(VOWELS)}${rng.pick(['n', 'r', 'l', 't'])}`;
    case 'element':
      return `${rng.pick(ONSETS)}${rng.pick(VOWELS)}${rng.pick(ONSETS)}ium`;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
