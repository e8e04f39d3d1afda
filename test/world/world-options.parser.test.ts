import { InvalidInputError } from '../../src/errors/tracebase.error';
import { InvalidWorldSeedError, UnknownWorldSizeError } from '../../src/world/world.errors';
import { parseWorldOptions, parseWorldSeed, parseWorldSize } from '../../src/world/world-options.parser';

describe('world options', () => {
  it('accepts non-negative integer seeds and the known sizes', () => {
    expect(parseWorldSeed('0')).toBe(0);
    expect(parseWorldSeed(' 42 ')).toBe(42);
    expect(parseWorldSeed(9007199254740991)).toBe(9007199254740991);
    expect(parseWorldOptions({ seed: '3' })).toEqual({ seed: 3, size: 'demo' });
    expect(parseWorldSize('full')).toBe('full');
  });

  it.each(['7.5', '-1', 'abc', '1e3', '', '0x10', '9007199254740992'])('rejects the seed %p, naming it', (raw) => {
    expect(() => parseWorldSeed(raw)).toThrow(InvalidWorldSeedError);
    expect(() => parseWorldSeed(raw)).toThrow(`Invalid world seed "${raw}"`);
  });

  it('rejects an unknown size, naming it and the known ones', () => {
    expect(() => parseWorldSize('huge')).toThrow(UnknownWorldSizeError);
    expect(() => parseWorldSize('huge')).toThrow('Unknown world size "huge": expected one of demo, full.');
    try {
      parseWorldSize('Demo');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).code).toBe('BAD_USER_INPUT');
    }
    expect.assertions(4);
  });
});
