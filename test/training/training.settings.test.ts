import { gpt2ParameterCount } from '../../src/model-families/gpt2';
import { InvalidTrainingOptionError } from '../../src/training/training.errors';
import { parsePositiveNumberOption, referenceModelConfig } from '../../src/training/training.settings';

describe('training options', () => {
  it('accepts positive numbers and refuses anything else with a named error (integers: test/config/integer-option.parser.test.ts)', () => {
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
