import { InvalidInputError } from '../../errors/tracebase.error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Global ID of a job: base64url of `Job:<pg-boss job id>` (the other types' IDs carry integer
 * row ids; a job's id is pg-boss's UUID).
 */
export function toJobGlobalId(jobId: string): string {
  return Buffer.from(`Job:${jobId.toLowerCase()}`, 'utf8').toString('base64url');
}

/** The pg-boss job id of a job's global ID; BAD_USER_INPUT for a malformed ID or one of another type. */
export function fromJobGlobalId(globalId: string): string {
  const decoded = /^[A-Za-z0-9_-]{1,80}$/.test(globalId) ? Buffer.from(globalId, 'base64url').toString('utf8') : '';
  const match = /^([A-Za-z]+):(.+)$/.exec(decoded);
  if (match && match[1] !== 'Job' && /^\d{1,10}$/.test(match[2]!)) {
    throw new InvalidInputError(`ID "${globalId}" is a ${match[1]}, not a Job`, { id: globalId });
  }
  if (!match || match[1] !== 'Job' || !UUID.test(match[2]!)) {
    throw new InvalidInputError(`"${globalId.slice(0, 80)}" is not a valid job ID`, { id: globalId.slice(0, 80) });
  }
  return match[2]!;
}
