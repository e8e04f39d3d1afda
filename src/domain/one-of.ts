import { InvalidInputError } from '../errors/tracebase.error';

/** Whether `value` is one of `allowed` (exact match). */
export function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return allowed.some((a) => a === value);
}

/**
 * `value` as one of `allowed` (exact match), or an InvalidInputError naming the argument and
 * the allowed values: how every service refuses an unknown enum-like argument.
 */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], argument: string): T {
  if (isOneOf(value, allowed)) return value;
  throw new InvalidInputError(`${argument} must be one of ${allowed.join(', ')}, got ${String(value)}`, { argument });
}
