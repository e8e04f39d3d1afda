import { formatStep, ProcedureGenerator, ProcedureInstance } from './procedure.types';
import { SeededRandom } from '../math/seeded-random';
import { WorldInvariantError } from './world.errors';
import { WorldQuery } from './world.types';

/** Short query-id stems per reasoning task. */
export const REASONING_ID_STEMS: Record<string, string> = {
  'two-step-arithmetic': 'arithmetic',
  slope: 'slope',
  'linear-equation': 'linear',
};

/**
 * Draws `count` distinct query instances whose keys are not in `usedKeys` (which it extends)
 * and whose answers are spread: no answer value serves more than `maxPerAnswer` of them, so one
 * constant answer cannot score well.
 */
export function sampleQueryInstances(
  generator: ProcedureGenerator,
  count: number,
  rng: SeededRandom,
  usedKeys: Set<string>,
  maxPerAnswer: number,
): ProcedureInstance[] {
  const out: ProcedureInstance[] = [];
  const perAnswer = new Map<string, number>();
  for (let attempt = 0; out.length < count; attempt += 1) {
    if (attempt > 100_000) throw new WorldInvariantError(`could not draw ${count} ${generator.task} queries`);
    const instance = generator.sample(rng);
    const key = generator.key(instance);
    const { answer } = generator.solve(instance);
    if (usedKeys.has(key) || (perAnswer.get(answer) ?? 0) >= maxPerAnswer) continue;
    usedKeys.add(key);
    perAnswer.set(answer, (perAnswer.get(answer) ?? 0) + 1);
    out.push(instance);
  }
  return out;
}

/** A reasoning query (or a reasoning control, when `kind` is `control`) for an instance. */
export function buildProcedureQuery(
  id: string,
  kind: 'reasoning' | 'control',
  generator: ProcedureGenerator,
  instance: ProcedureInstance,
): WorldQuery {
  const { steps, answer } = generator.solve(instance);
  return {
    id,
    kind,
    task: generator.task,
    prompt: generator.prompt(instance),
    completion: generator.completion(instance),
    answer,
    answerKeywords: [...steps.map(formatStep), answer],
    groundTruth: {
      factId: null,
      answerDocumentIds: [],
      procedureDocumentIds: [],
      stepDocumentIds: [],
      numbers: { ...instance.numbers },
      mirrors: kind === 'control' && instance.surface ? { kind: 'reasoning', task: instance.surface } : null,
    },
  };
}
