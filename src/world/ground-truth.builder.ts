import { formatStep } from './procedure.types';
import { WorldDocument, WorldQuery } from './world.types';

/**
 * Links each query to the corpus: `answerDocumentIds` are the documents whose metadata states
 * the query's fact; `procedureDocumentIds` are the documents demonstrating the query's task
 * (reasoning and control tasks; never drills); `stepDocumentIds` are the procedure and drill
 * documents performing one of a reasoning query's steps. Reasoning queries have no answer
 * documents, because their numbers are held out of the corpus. Returns new query objects; ids
 * are sorted.
 */
export function attachGroundTruth(queries: readonly WorldQuery[], documents: readonly WorldDocument[]): WorldQuery[] {
  const byFact = new Map<string, string[]>();
  const byTask = new Map<string, string[]>();
  const byStep = new Map<string, string[]>();
  for (const doc of documents) {
    for (const factId of doc.metadata.facts) push(byFact, factId, doc.id);
    if (doc.metadata.procedure) push(byTask, doc.metadata.procedure.task, doc.id);
    const steps = doc.metadata.procedure?.steps ?? doc.metadata.drill?.operations ?? [];
    for (const step of new Set(steps.map(formatStep))) push(byStep, step, doc.id);
  }
  return queries.map((query) => {
    const answerDocumentIds = query.groundTruth.factId ? (byFact.get(query.groundTruth.factId) ?? []) : [];
    const procedureDocumentIds = query.kind === 'factual' ? [] : (byTask.get(query.task) ?? []);
    const stepKeys = query.kind === 'reasoning' ? query.answerKeywords.filter((k) => k.includes(' = ')) : [];
    const stepDocumentIds = new Set(stepKeys.flatMap((k) => byStep.get(k) ?? []));
    return {
      ...query,
      groundTruth: {
        ...query.groundTruth,
        answerDocumentIds: [...answerDocumentIds].sort(),
        procedureDocumentIds: [...procedureDocumentIds].sort(),
        stepDocumentIds: [...stepDocumentIds].sort(),
      },
    };
  });
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
