import { InvalidInputError } from '../errors/tracebase.error';

const DECIMAL_INTEGER = /^-?[0-9]+$/;

/**
 * Parses an integer option (a command-line flag such as `--batch`, `--seed`, `--threads`) within
 * [min, max]. The one rule: the value is a decimal integer written as digits only, with an
 * optional leading `-`, and nothing else. `"1e3"`, `"1.5"`, `"0x10"`, `"+7"`, `""` and `" 7"` are
 * refused (no exponent, fraction, radix prefix, sign `+` or surrounding blanks), as is a value
 * outside [min, max] or beyond `Number.MAX_SAFE_INTEGER`.
 * @param name the option's name without dashes (`"max-docs"`), used in the message and as `field`
 * @throws InvalidInputError naming the option, the value given and the allowed range
 */
export function parseIntegerOption(name: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = DECIMAL_INTEGER.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    throw new InvalidInputError(`--${name} must be ${range} (decimal digits only), got ${JSON.stringify(raw)}`, { field: name, value: raw, min, max });
  }
  return n;
}
