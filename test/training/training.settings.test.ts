import { gpt2ParameterCount } from '../../src/model-families/gpt2';
import { InvalidTrainingOptionError } from '../../src/training/training.errors';
import { parseIntegerOption, parsePositiveNumberOption, referenceModelConfig } from '../../src/training/training.settings';

describe('training options', () => {
  it('accepts integers in range and refuses anything else with a named error', () => {
    expect(parseIntegerOption('steps', '600', 1)).toBe(600);
    expect(parseIntegerOption('seed', ' 0 ', 0)).toBe(0);
    for (const bad of ['1.5', '1e3', 'abc', '', '0x10', '-1']) {
      expect(() => parseIntegerOption('steps', bad, 1)).toThrow(InvalidTrainingOptionError);
    }
    expect(() => parseIntegerOption('steps', '12x', 1)).toThrow(/--steps must be an integer from 1/);
    expect(parsePositiveNumberOption('lr', '3e-3')).toBeCloseTo(0.003, 12);
    expect(() => parsePositiveNumberOption('lr', '-1')).toThrow(InvalidTrainingOptionError);
  });

  it('the reference model is the calibration size: d = 128, 4 layers, ≈ 0.86 M parameters, 257 tokens', () => {
    const c = referenceModelConfig();
    expect(c.vocabSize).toBe(257);
    const n = gpt2ParameterCount(c);
    expect(n).toBeGreaterThan(0.8e6);
    expect(n).toBeLessThan(0.9e6);
  });
});
