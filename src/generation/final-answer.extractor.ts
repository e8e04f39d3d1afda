/**
 * The final answer a generation commits to, read the way the reference completion states it:
 * - completions ending `The answer is A.` (reasoning tasks and the largest-number control):
 *   A from the last `The answer is X.` in the generation (X up to a period followed by
 *   whitespace or the end), or null when there is none;
 * - completions starting `A.` (factual queries and the reading control, answer first): the
 *   generation's text before its first period (trimmed), or null when it has no period;
 * - otherwise: the whole generation, trimmed (compared to the whole completion).
 * @param reference the query's reference completion; `answer` its recorded answer
 */
export function extractFinalAnswer(generation: string, reference: string, answer: string): string | null {
  if (reference.trimEnd().endsWith(`The answer is ${answer}.`)) {
    const all = [...generation.matchAll(/The answer is (.+?)\.(?=\s|$)/g)];
    return all.length ? all[all.length - 1]![1]!.trim() : null;
  }
  if (reference.startsWith(`${answer}.`)) {
    const dot = generation.indexOf('.');
    return dot < 0 ? null : generation.slice(0, dot).trim();
  }
  return generation.trim();
}

/** The string {@link extractFinalAnswer} must return for a correct generation. */
export function expectedFinalAnswer(reference: string, answer: string): string {
  return reference.trimEnd().endsWith(`The answer is ${answer}.`) || reference.startsWith(`${answer}.`) ? answer : reference.trim();
}
