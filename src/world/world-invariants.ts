import { largestNumberProcedure } from './largest-number-procedure.generator';
import { arithmeticProcedure } from './arithmetic-procedure.generator';
import { linearEquationProcedure } from './linear-equation-procedure.generator';
import { ProcedureGenerator } from './procedure.types';
import { slopeProcedure } from './slope-procedure.generator';
import { WorldInvariantError } from './world.errors';
import type { World } from './generated-world.types';
import { ProcedureTask, WorldDocument } from './world.types';

/** Largest document (and query prompt + completion) in bytes: within a 256-token byte context. */
export const MAX_DOCUMENT_BYTES = 250;

const KEYED_PROCEDURES: Partial<Record<ProcedureTask, ProcedureGenerator>> = {
  'two-step-arithmetic': arithmeticProcedure,
  slope: slopeProcedure,
  'linear-equation': linearEquationProcedure,
  'largest-number': largestNumberProcedure,
};

/** The distinct words (runs of ASCII letters and digits) of a text. */
export function wordsOf(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z0-9]+/g) ?? []);
}

/** The surface key of a procedure document's numbers, or null for tasks without numbers. */
export function procedureKey(doc: WorldDocument): string | null {
  const procedure = doc.metadata.procedure;
  if (!procedure) return null;
  const generator = KEYED_PROCEDURES[procedure.task];
  if (!generator) return null;
  return generator.key({ numbers: procedure.numbers, operation: procedure.operation, surface: procedure.surface });
}

/**
 * Checks what the generator promises and throws {@link WorldInvariantError} at the first
 * breach: unique ids; ASCII documents of at most {@link MAX_DOCUMENT_BYTES}; each fact's
 * answer occurs (as a whole word) in exactly the documents that state the fact; no corpus
 * procedure uses a held-out query instance; no factual query's question is in the corpus.
 */
export function verifyWorld(world: World, heldOutKeys: ReadonlySet<string>): void {
  const ids = new Set<string>();
  const answerWords = new Map(world.facts.map((f) => [f.answer, f.id]));
  const found = new Map<string, Set<string>>(world.facts.map((f) => [f.id, new Set<string>()]));
  for (const doc of world.documents) {
    if (ids.has(doc.id)) throw new WorldInvariantError(`duplicate document id ${doc.id}`);
    ids.add(doc.id);
    if (!/^[\x0a\x20-\x7e]*$/.test(doc.text)) throw new WorldInvariantError(`document ${doc.id} is not printable ASCII`);
    if (doc.text.length > MAX_DOCUMENT_BYTES) throw new WorldInvariantError(`document ${doc.id} has ${doc.text.length} bytes`);
    for (const word of wordsOf(doc.text)) {
      const factId = answerWords.get(word);
      if (factId) found.get(factId)?.add(doc.id);
    }
    const key = procedureKey(doc);
    if (key && heldOutKeys.has(key)) throw new WorldInvariantError(`document ${doc.id} uses held-out instance ${key}`);
  }
  for (const query of world.queries) {
    if (query.prompt.length + query.completion.length > MAX_DOCUMENT_BYTES) {
      throw new WorldInvariantError(`query ${query.id} is longer than ${MAX_DOCUMENT_BYTES} bytes`);
    }
    if (query.kind === 'factual') {
      const factId = query.groundTruth.factId as string;
      const stated = query.groundTruth.answerDocumentIds;
      const containing = [...(found.get(factId) ?? [])].sort();
      if (stated.length === 0 || stated.join() !== containing.join()) {
        throw new WorldInvariantError(`answer "${query.answer}" of ${query.id} is in ${containing.length} documents but ${stated.length} state it`);
      }
      const question = query.prompt.trimEnd();
      const leak = world.documents.find((d) => d.text.includes(question));
      if (leak) throw new WorldInvariantError(`question of ${query.id} appears in document ${leak.id}`);
    }
  }
}
