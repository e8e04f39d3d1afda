import { factCompletion, factPrompt, FactView } from './fact.templates';
import { readingCompletion, readingPrompt } from './reading-procedure.generator';
import { WorldFact, WorldQuery } from './world.types';

/** The factual query asking for `fact`, in the query phrasing with an answer-first completion. */
export function buildFactualQuery(id: string, fact: WorldFact): WorldQuery {
  return {
    id,
    kind: 'factual',
    task: fact.relation,
    prompt: factPrompt(fact),
    completion: factCompletion(fact),
    answer: fact.answer,
    answerKeywords: [fact.answer],
    groundTruth: { factId: fact.id, answerDocumentIds: [], procedureDocumentIds: [], stepDocumentIds: [], numbers: null, mirrors: null },
  };
}

/**
 * A factual control: the same question as a factual query of `fact.relation`, preceded by a
 * context sentence that gives the answer about an entity that is not in the corpus.
 */
export function buildFactualControlQuery(id: string, fact: FactView): WorldQuery {
  return {
    id,
    kind: 'control',
    task: 'reading',
    prompt: readingPrompt(fact),
    completion: readingCompletion(fact),
    answer: fact.answer,
    answerKeywords: [fact.answer],
    groundTruth: {
      factId: null,
      answerDocumentIds: [],
      procedureDocumentIds: [],
      stepDocumentIds: [],
      numbers: null,
      mirrors: { kind: 'factual', task: fact.relation },
    },
  };
}
