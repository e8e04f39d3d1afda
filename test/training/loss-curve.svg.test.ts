import { ema, niceTicks, renderLossCurveSvg } from '../../src/training/loss-curve.svg';

describe('loss curve SVG', () => {
  it('chooses 1-2-5 ticks inside the range', () => {
    expect(niceTicks(0, 1000)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(1, 6)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(niceTicks(0.3, 0.95)).toEqual([0.4, 0.6, 0.8]);
  });

  it('ema is bias-corrected: a constant series stays constant', () => {
    expect(ema([2, 2, 2], 0.1).map((x) => Number(x.toFixed(12)))).toEqual([2, 2, 2]);
    expect(ema([0, 1], 0.5)[1]).toBeCloseTo(2 / 3, 12);
  });

  it('draws one point per step for the raw and the smoothed curve, first step at the left axis', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({
      step: i + 1,
      tokens: 100 * (i + 1),
      loss: 5 - i * 0.3,
      lr: 1e-3,
      gradNorm: 1,
      elapsedSeconds: i,
      tokensPerSecond: 100,
    }));
    const svg = renderLossCurveSvg(rows, { title: 'a < b' });
    const lines = [...svg.matchAll(/<polyline[^>]*points="([^"]*)"/g)].map((m) => m[1]!.split(' '));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toHaveLength(10);
    expect(lines[0]![0]!.startsWith('60.0,')).toBe(true);
    expect(svg).toContain('a &lt; b');
  });
});
