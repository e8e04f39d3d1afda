import { InvalidInputError } from '../../errors/tracebase.error';

/** Object types that have global IDs. */
export type NodeTypeName = 'Corpus' | 'Document' | 'Model' | 'ApiToken' | 'InfluenceQuery';
const NODE_TYPES: readonly NodeTypeName[] = ['Corpus', 'Document', 'Model', 'ApiToken', 'InfluenceQuery'];

/** Global ID of an object: base64url of `Type:id` (opaque to clients, stable). */
export function toGlobalId(type: NodeTypeName, id: number): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

/**
 * Decodes a global ID; with `expected`, it must be of that type. Throws
 * {@link InvalidInputError} (BAD_USER_INPUT) for a malformed ID or one of another type.
 */
export function fromGlobalId(globalId: string, expected?: NodeTypeName): { type: NodeTypeName; id: number } {
  const decoded = /^[A-Za-z0-9_-]{1,64}$/.test(globalId) ? Buffer.from(globalId, 'base64url').toString('utf8') : '';
  const match = /^([A-Za-z]+):(\d{1,10})$/.exec(decoded);
  const type = match?.[1] as NodeTypeName | undefined;
  const id = Number(match?.[2]);
  if (!match || !NODE_TYPES.includes(type!) || !Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) {
    throw new InvalidInputError(`"${globalId.slice(0, 80)}" is not a valid ID`, { id: globalId.slice(0, 80) });
  }
  if (expected && type !== expected) {
    throw new InvalidInputError(`ID "${globalId}" is a ${type}, not a ${expected}`, { id: globalId });
  }
  return { type: type!, id };
}
