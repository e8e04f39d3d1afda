import { parseIntegerOption } from '../../src/config/integer-option.parser';
import { InvalidInputError } from '../../src/errors/tracebase.error';

describe('parseIntegerOption: decimal digits (optional leading -) within [min, max], nothing else', () => {
  it('accepts decimal integers in range, bounds included', () => {
    expect(parseIntegerOption('batch', '8', 1, 4096)).toBe(8);
    expect(parseIntegerOption('batch', '1', 1, 4096)).toBe(1);
    expect(parseIntegerOption('batch', '4096', 1, 4096)).toBe(4096);
    expect(parseIntegerOption('seed', '0', 0)).toBe(0);
    expect(parseIntegerOption('seed', '007', 0)).toBe(7);
    expect(parseIntegerOption('offset', '-3', -5, 5)).toBe(-3);
    expect(parseIntegerOption('seed', '4294967295', 0, 2 ** 32 - 1)).toBe(4294967295);
  });

  it.each(['1e3', '1.5', '1.0', '', ' 7', '7 ', '+7', '0x10', 'abc', '12x', 'Infinity', 'NaN', '١٢'])(
    'refuses %j with an InvalidInputError naming the option, the value and the range',
    (bad) => {
      const err = (() => {
        try {
          parseIntegerOption('batch', bad, 1, 4096);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as Error).message).toBe(`--batch must be an integer from 1 to 4096 (decimal digits only), got ${JSON.stringify(bad)}`);
      expect((err as InvalidInputError).details).toEqual({ field: 'batch', value: bad, min: 1, max: 4096 });
    },
  );

  it('refuses values out of range, and beyond the safe integers; an open range reads "≥ min"', () => {
    expect(() => parseIntegerOption('batch', '0', 1, 4096)).toThrow('--batch must be an integer from 1 to 4096 (decimal digits only), got "0"');
    expect(() => parseIntegerOption('batch', '4097', 1, 4096)).toThrow(/got "4097"/);
    expect(() => parseIntegerOption('max-docs', '-1', 1)).toThrow('--max-docs must be an integer ≥ 1 (decimal digits only), got "-1"');
    expect(() => parseIntegerOption('max-docs', '9007199254740993', 1)).toThrow(/--max-docs must be an integer ≥ 1/);
  });
});
