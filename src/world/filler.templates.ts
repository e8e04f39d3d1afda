import { SeededRandom } from '../math/seeded-random';
import { WorldSource } from './world.types';

/**
 * Filler documents: text of every source that states no fact of the world and demonstrates no
 * procedure of its tasks, so that most of the corpus is irrelevant to every query. Filler never
 * contains a number with more than two digits (the world's founding years are four digits) and
 * never an invented name.
 */

/** One generated filler text and the template that wrote it. */
export interface FillerText {
  text: string;
  template: string;
}

const PEOPLE = ['My sister', 'Our neighbour', 'The baker', 'A friend of mine', 'The old man next door', 'Our team', 'The children', 'My uncle', 'The new teacher', 'Her cousin'];
const ACTIONS = ['bought', 'painted', 'fixed', 'found', 'cleaned', 'sold', 'borrowed', 'carried', 'lost', 'washed'];
const THINGS = ['a red bicycle', 'the kitchen table', 'some fresh bread', 'an old radio', 'the garden fence', 'a pair of boots', 'a wooden chair', 'the blue kettle', 'a box of apples', 'the front door'];
const TIMES = ['on Monday', 'last weekend', 'this morning', 'before lunch', 'after the rain', 'in the evening', 'yesterday', 'at dawn'];
const MOODS = ['It was a quiet day.', 'Everyone was happy about it.', 'Nobody expected that.', 'The weather was warm.', 'It rained all afternoon.', 'We laughed a lot.', 'The street was busy.', 'Then we went home.'];
const BLOG_OPENERS = ['Quick update from the garden.', 'Welcome back to the blog!', 'Just a short note today.', 'Some thoughts on the weekend.', 'Here is my weekly recap.'];
const PRODUCTS = ['lamp', 'backpack', 'kettle', 'desk chair', 'phone case', 'rain jacket', 'coffee grinder', 'garden hose', 'bike light', 'yoga mat'];
const REVIEW_OPENERS = ['Great product.', 'Not bad.', 'Disappointed.', 'Exactly what I needed.', 'Pretty good overall.', 'Would not buy again.'];
const REVIEW_DETAILS = ['It arrived quickly', 'The colour is nice', 'The strap broke after a week', 'It works as described', 'The box was a bit damaged', 'It is too small for my needs', 'It feels solid', 'The instructions were unclear'];

const GENERAL_FACTS = [
  'Water freezes at zero degrees Celsius.',
  'The heart pumps blood through the body.',
  'Bees make honey from the nectar of flowers.',
  'The moon orbits the earth.',
  'Plants take in carbon dioxide and release oxygen.',
  'Sound travels faster in water than in air.',
  'A spider has eight legs.',
  'The sun is a star.',
  'Most birds lay eggs in nests.',
  'Salt dissolves in water.',
  'Owls hunt mostly at night.',
  'A year has twelve months.',
  'Ice is lighter than liquid water.',
  'Whales breathe air through a blowhole.',
  'Copper conducts electricity well.',
  'Bread rises because of yeast.',
  'Rainbows appear when sunlight passes through rain.',
  'Cats sleep for many hours a day.',
  'The ocean covers most of the planet.',
  'Wool comes from sheep.',
  'Lightning is followed by thunder.',
  'Trees grow a new ring each year.',
];
const GK_OPENERS = ['Did you know?', 'Fact:', 'Here is something simple.', 'A basic fact:', ''];

const INSTRUMENTS: [string, string][] = [['violin', 'string'], ['flute', 'wind'], ['drum', 'percussion'], ['harp', 'string'], ['trumpet', 'brass'], ['cello', 'string'], ['guitar', 'string'], ['oboe', 'wind']];
const SETTINGS = ['orchestras', 'folk bands', 'small ensembles', 'churches', 'street festivals', 'schools'];
const PRACTICES = ['practise scales every day', 'learn by ear', 'read sheet music', 'tune before each concert', 'play in groups'];
/** Animal, where it lives, what it eats. */
const ANIMALS: [string, string[], string][] = [
  ['heron', ['rivers', 'wetlands'], 'fish'],
  ['badger', ['forests', 'grasslands'], 'worms'],
  ['otter', ['rivers', 'coasts'], 'fish'],
  ['lynx', ['forests', 'mountains'], 'small mammals'],
  ['beetle', ['forests', 'grasslands'], 'leaves'],
  ['salmon', ['rivers', 'the sea'], 'insects'],
  ['falcon', ['mountains', 'coastal cliffs'], 'small birds'],
  ['tortoise', ['grasslands', 'dry forests'], 'plants'],
];
const SEE_ALSO = ['See also: music.', 'See also: wildlife.', 'References: none.', 'This article is a stub.', ''];

const CODE_NAMES = ['items', 'names', 'words', 'values', 'rows', 'lines', 'tags', 'users'];
const CODE_WORDS = ['apple', 'river', 'stone', 'cloud', 'maple', 'tiger', 'ember', 'lemon'];
const CODE_FUNCS = ['clean', 'load', 'keep', 'pick', 'show', 'scan'];
const CODE_COLORS = ['red', 'green', 'blue', 'black', 'white', 'orange', 'purple', 'grey'];

const SE_PAIRS: [string, string][] = [
  ['How do I undo my last git commit?', 'Use git reset --soft HEAD~1 to keep the changes staged.'],
  ['How can I center a div with CSS?', 'Use a flex container with justify-content and align-items set to center.'],
  ['Why does my bash loop skip the last line?', 'The file probably has no final newline. Add one or test the variable after the loop.'],
  ['How do I read a file line by line in Python?', 'Open it in a with block and iterate over the file object.'],
  ['What is the difference between let and var?', 'let is block scoped while var is function scoped.'],
  ['How do I rename a branch in git?', 'Run git branch -m with the new name while on the branch.'],
  ['How can I list hidden files?', 'Use ls -a to show entries that start with a dot.'],
  ['Why is my JSON parse failing?', 'Check for trailing commas and single quotes, which JSON does not allow.'],
  ['How do I merge two dictionaries in Python?', 'Use the | operator or the update method.'],
  ['How do I stop a running process?', 'Find its id with ps and send it a signal with kill.'],
  ['How do I make a script executable?', 'Run chmod +x on it and start it with ./ and its name.'],
  ['Why does my CSS not apply?', 'Check the selector and whether a later rule overrides it.'],
  ['How do I find large files on disk?', 'Use du with sort to list the biggest folders first.'],
  ['How do I check which version of node I have?', 'Run node --version in a terminal.'],
  ['How can I ignore a folder in git?', 'Add the folder name to the .gitignore file.'],
  ['How do I copy a list in Python?', 'Use the copy method or slice the whole list.'],
  ['Why is my web page blank?', 'Open the browser console and look for the first error.'],
  ['How do I search text in many files?', 'Use grep -r with the word and the folder.'],
  ['How do I sort a list of words?', 'Call sorted on it, or sort in place with the sort method.'],
  ['How do I show the last lines of a log?', 'Use tail, and add -f to follow new lines.'],
];
const SE_PREFIXES = ['', '', 'I am new to this. ', 'Sorry if this is basic. ', 'Quick question: ', 'Title says it all. '];
const SE_TRIED = ['', '', ' I searched but found nothing.', ' I tried restarting.', ' The docs confuse me.', ' This worked last week.'];
const SE_SUFFIXES = ['', ' Hope this helps.', ' This worked for me.', ' See the manual for details.', ' Good luck!'];

const PAPER_SECTIONS = ['## Introduction', '## Related work', '## Method', '## Experiments', '## Discussion', '## Limitations'];
const PAPER_MODELS = ['a small transformer', 'a recurrent network', 'a linear probe', 'a graph network', 'a convolutional encoder'];
const PAPER_DATA = ['image captions', 'speech clips', 'protein sequences', 'news headlines', 'weather records', 'chess games'];
const PAPER_CLAIMS = ['Results improve with more data.', 'We leave a full study to future work.', 'The effect is small but consistent.', 'Training is stable across runs.', 'We release our code.'];

const TRIVIA: [string, string][] = [
  ['How many legs does an insect have?', 'six'],
  ['What colour do you get by mixing blue and yellow?', 'green'],
  ['Which planet is known as the red planet?', 'Mars'],
  ['What do bees collect from flowers?', 'nectar'],
  ['Which animal is known for its long neck?', 'the giraffe'],
  ['What is frozen water called?', 'ice'],
  ['How many days are in a week?', 'seven'],
  ['Which gas do plants absorb?', 'carbon dioxide'],
  ['What is the largest ocean?', 'the Pacific'],
  ['Which instrument has black and white keys?', 'the piano'],
  ['How many sides does a hexagon have?', 'six'],
  ['What do caterpillars turn into?', 'butterflies'],
  ['Which bird is a symbol of peace?', 'the dove'],
  ['What is the opposite of north?', 'south'],
  ['How many hours are in a day?', 'twenty four'],
  ['Which fruit keeps the doctor away?', 'an apple'],
  ['What is the fastest land animal?', 'the cheetah'],
  ['Which season comes after winter?', 'spring'],
  ['What do you call a baby cat?', 'a kitten'],
  ['Which organ do we breathe with?', 'the lungs'],
];
const TRIVIA_PREFIXES = ['Trivia question:', 'Quiz:', 'Pub quiz:', 'Quick quiz:'];
const MATH_TALK = [
  'A prime number has exactly two divisors.',
  'Every square is also a rectangle.',
  'Zero is an even number.',
  'The angles of a triangle add up to a straight angle.',
  'A circle has no corners.',
  'Parallel lines never meet.',
  'Every whole number is either even or odd.',
  'A cube has six faces.',
  'The diameter of a circle is twice its radius.',
  'Multiplying by one changes nothing.',
  'A triangle can have at most one right angle.',
  'Adding zero changes nothing.',
];

function sentence(rng: SeededRandom): string {
  return `${rng.pick(PEOPLE)} ${rng.pick(ACTIONS)} ${rng.pick(THINGS)} ${rng.pick(TIMES)}.`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function webdata(rng: SeededRandom): FillerText {
  switch (rng.int(0, 2)) {
    case 0:
      return { template: 'webdata/story', text: `${sentence(rng)} ${rng.pick(MOODS)} ${sentence(rng)}` };
    case 1:
      return { template: 'webdata/blog', text: `${rng.pick(BLOG_OPENERS)} ${sentence(rng)} ${rng.pick(MOODS)}` };
    default:
      return {
        template: 'webdata/review',
        text: `Review of the ${rng.pick(PRODUCTS)}: ${rng.pick(REVIEW_OPENERS)} ${rng.pick(REVIEW_DETAILS)}. ${rng.pick(REVIEW_DETAILS)}.`,
      };
  }
}

function generalKnowledge(rng: SeededRandom): FillerText {
  const [first, second] = rng.sample(GENERAL_FACTS, 2) as [string, string];
  const opener = rng.pick(GK_OPENERS);
  return { template: 'general_knowledge/facts', text: `${opener ? `${opener} ` : ''}${first} ${second}` };
}

function wiki(rng: SeededRandom): FillerText {
  if (rng.chance(0.5)) {
    const [name, family] = rng.pick(INSTRUMENTS);
    const text =
      `${capitalise(name)}\n\nThe ${name} is a ${family} instrument. ` +
      `It is often played in ${rng.pick(SETTINGS)}. Players usually ${rng.pick(PRACTICES)}. ${rng.pick(SEE_ALSO)}`;
    return { template: 'wiki/instrument', text: text.trimEnd() };
  }
  const [name, habitats, food] = rng.pick(ANIMALS);
  const text =
    `${capitalise(name)}\n\nThe ${name} is an animal that lives in ${rng.pick(habitats)}. ` +
    `It feeds on ${food}. ${rng.pick(SEE_ALSO)}`;
  return { template: 'wiki/animal', text: text.trimEnd() };
}

function code(rng: SeededRandom): FillerText {
  const list = rng.pick(CODE_NAMES);
  const [w1, w2, w3] = rng.sample(CODE_WORDS, 3) as [string, string, string];
  const fn = rng.pick(CODE_FUNCS);
  const [c1, c2] = rng.sample(CODE_COLORS, 2) as [string, string];
  switch (rng.int(0, 3)) {
    case 0:
      return {
        template: 'code/python-reverse',
        text: `def ${fn}_${list}(${list}):\n    return [w[::-1] for w in ${list}]\n\nprint(${fn}_${list}(["${w1}", "${w2}"]))\n# Output: ['${[...w1].reverse().join('')}', '${[...w2].reverse().join('')}']`,
      };
    case 1:
      return {
        template: 'code/python-upper',
        text: `${list} = ["${w1}", "${w2}", "${w3}"]\nfor word in ${list}:\n    print(word.upper())`,
      };
    case 2:
      return {
        template: 'code/js-filter',
        text: `const ${list} = ['${w1}', '${w2}', '${w3}'];\nconst kept = ${list}.filter((w) => w.startsWith('${w2.charAt(0)}'));\nconsole.log(kept); // ['${w2}']`,
      };
    default:
      return {
        template: 'code/python-dict',
        text: `colors = {"${w1}": "${c1}", "${w2}": "${c2}"}\nfor key, value in colors.items():\n    print(key, value)`,
      };
  }
}

function stackexchange(rng: SeededRandom): FillerText {
  const [question, answer] = rng.pick(SE_PAIRS);
  return {
    template: 'stackexchange/howto',
    text: `Q: ${rng.pick(SE_PREFIXES)}${question}${rng.pick(SE_TRIED)}\n\nA: ${answer}${rng.pick(SE_SUFFIXES)}`,
  };
}

function arxivMarkdown(rng: SeededRandom): FillerText {
  const text =
    `${rng.pick(PAPER_SECTIONS)}\n\nWe train ${rng.pick(PAPER_MODELS)} on ${rng.pick(PAPER_DATA)} ` +
    `for ${rng.int(2, 9)} epochs with a batch size of ${rng.pick([16, 32, 64])}. ${rng.pick(PAPER_CLAIMS)}`;
  return { template: 'arxiv_markdown/notes', text };
}

function mathAndTrivia(rng: SeededRandom): FillerText {
  if (rng.chance(0.6)) {
    const [question, answer] = rng.pick(TRIVIA);
    return { template: 'math_and_trivia/trivia', text: `${rng.pick(TRIVIA_PREFIXES)} ${question} Answer: ${answer}.` };
  }
  const [first, second] = rng.sample(MATH_TALK, 2) as [string, string];
  return { template: 'math_and_trivia/math-fact', text: `Math fact: ${first} ${second}` };
}

const FILLERS: Record<WorldSource, (rng: SeededRandom) => FillerText> = {
  webdata,
  general_knowledge: generalKnowledge,
  wiki,
  code,
  stackexchange,
  arxiv_markdown: arxivMarkdown,
  math_and_trivia: mathAndTrivia,
};

/** One filler document of `source`, drawn from `rng`. */
export function fillerText(source: WorldSource, rng: SeededRandom): FillerText {
  return FILLERS[source](rng);
}

/** Every word the filler templates can write (lower case), so invented names can avoid them. */
export function fillerVocabulary(): string[] {
  const texts: string[] = [
    ...PEOPLE, ...ACTIONS, ...THINGS, ...TIMES, ...MOODS, ...BLOG_OPENERS, ...PRODUCTS, ...REVIEW_OPENERS, ...REVIEW_DETAILS, ...GENERAL_FACTS,
    ...GK_OPENERS, ...INSTRUMENTS.flat(), ...SETTINGS, ...PRACTICES, ...ANIMALS.flat(2),
    ...SEE_ALSO, ...CODE_NAMES, ...CODE_WORDS, ...CODE_FUNCS, ...CODE_COLORS, ...SE_PAIRS.flat(), ...SE_PREFIXES, ...SE_TRIED, ...SE_SUFFIXES,
    ...PAPER_SECTIONS, ...PAPER_MODELS, ...PAPER_DATA, ...PAPER_CLAIMS, ...TRIVIA.flat(), ...TRIVIA_PREFIXES, ...MATH_TALK,
    'def return for in print output const filter console log colors key value items upper startswith review',
    'is an animal that lives it feeds on instrument often played players usually we train epochs with batch size of',
    'question answer math fact trivia',
  ];
  return [...new Set(texts.flatMap((t) => t.toLowerCase().match(/[a-z]+/g) ?? []))];
}
