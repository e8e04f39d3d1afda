import { InvalidInputError } from '../../src/errors/tracebase.error';
import { DEFAULT_SCORE_ARGUMENTS, dampingKey, parseDampingKey, relativeDamping, scoreArgumentsKey } from '../../src/influence/score-arguments';

describe('score arguments', () => {
  it('keys a damping canonically and reads the key back', () => {
    expect(dampingKey({ mode: 'relative', factor: 0.1 })).toBe('relative:0.1');
    expect(dampingKey({ mode: 'absolute', value: 0.0025 })).toBe('absolute:0.0025');
    expect(parseDampingKey('relative:0.05')).toEqual({ mode: 'relative', factor: 0.05 });
    expect(parseDampingKey('absolute:1e-3')).toEqual({ mode: 'absolute', value: 0.001 });
    for (const bad of ['relative:', 'relative:-1', 'other:1', 'relative:abc', '0.1']) expect(() => parseDampingKey(bad)).toThrow(InvalidInputError);
  });

  it('takes the API damping as a relative factor, the default when absent, and refuses non-positive values', () => {
    expect(relativeDamping(undefined)).toEqual(DEFAULT_SCORE_ARGUMENTS.damping);
    expect(relativeDamping(null)).toEqual({ mode: 'relative', factor: 0.1 });
    expect(relativeDamping(0.01)).toEqual({ mode: 'relative', factor: 0.01 });
    for (const bad of [0, -0.1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => relativeDamping(bad)).toThrow(/damping must be a positive number/);
  });

  it('keys all score arguments, so caches keyed by them tell dampings and ranks apart', () => {
    expect(scoreArgumentsKey(DEFAULT_SCORE_ARGUMENTS)).toBe('damping=relative:0.1;rank=auto');
    expect(scoreArgumentsKey({ damping: { mode: 'relative', factor: 0.01 }, rank: 32 })).toBe('damping=relative:0.01;rank=32');
  });
});
