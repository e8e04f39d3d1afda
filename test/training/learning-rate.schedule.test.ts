import { learningRateAt } from '../../src/training/learning-rate.schedule';

describe('learningRateAt', () => {
  const base = { peak: 1e-3, warmupSteps: 10, totalSteps: 110, minRatio: 0.1 };

  it('warms up linearly from 0 to the peak', () => {
    const s = { ...base, decay: 'cosine' as const };
    expect(learningRateAt(s, 1)).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(s, 5)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(s, 10)).toBeCloseTo(1e-3, 12);
  });

  it('cosine: half-way between peak and floor at mid-decay, the floor at the end and after', () => {
    const s = { ...base, decay: 'cosine' as const };
    expect(learningRateAt(s, 60)).toBeCloseTo((1e-3 + 1e-4) / 2, 12);
    expect(learningRateAt(s, 35)).toBeCloseTo(1e-4 + 0.9e-3 * 0.5 * (1 + Math.cos(Math.PI / 4)), 12);
    expect(learningRateAt(s, 110)).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(s, 500)).toBeCloseTo(1e-4, 12);
  });

  it('linear: straight line from the peak to the floor', () => {
    const s = { ...base, decay: 'linear' as const };
    expect(learningRateAt(s, 35)).toBeCloseTo(1e-3 - 0.9e-3 * 0.25, 12);
    expect(learningRateAt(s, 110)).toBeCloseTo(1e-4, 12);
  });

  it('without warm-up starts at the peak', () => {
    expect(learningRateAt({ ...base, warmupSteps: 0, decay: 'cosine' }, 0)).toBeCloseTo(1e-3, 12);
  });
});
