import { AdamOptimizer, decaysByDefault } from '../../src/training/adam.optimizer';

/** Adam written out per element in float64 from Kingma & Ba, Algorithm 1. */
function handAdam(theta: number, grads: number[], lrs: number[], b1: number, b2: number, eps: number, wd = 0): number {
  let m = 0;
  let v = 0;
  grads.forEach((g, k) => {
    const t = k + 1;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const mHat = m / (1 - Math.pow(b1, t));
    const vHat = v / (1 - Math.pow(b2, t));
    theta = theta - lrs[k]! * (mHat / (Math.sqrt(vHat) + eps) + wd * theta);
  });
  return theta;
}

describe('AdamOptimizer', () => {
  it('first step moves each parameter by −lr·sign(g) (bias correction makes m̂/√v̂ = g/|g|)', () => {
    const theta = new Float32Array([1, -2, 0.5]);
    const adam = new AdamOptimizer({ beta1: 0.9, beta2: 0.999, epsilon: 0, weightDecay: 0 });
    adam.update(new Map([['w', theta]]), new Map([['w', new Float32Array([0.3, -4, 1e-3])]]), 0.01);
    expect(Array.from(theta)).toEqual([1 - 0.01, -2 + 0.01, 0.5 - 0.01].map(Math.fround));
    expect(adam.step).toBe(1);
  });

  it('three steps with changing gradients and learning rates match a hand-written float64 Adam', () => {
    const g = [
      [0.5, -1.5, 2.0, 0],
      [0.25, 1.0, -2.0, 0.1],
      [-0.75, 0.5, 1.0, -0.2],
    ];
    const lrs = [0.1, 0.05, 0.02];
    const start = [0.3, -0.7, 1.2, 0];
    const theta = Float32Array.from(start);
    const adam = new AdamOptimizer({ beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0 });
    for (let k = 0; k < 3; k++) adam.update(new Map([['w', theta]]), new Map([['w', Float32Array.from(g[k]!)]]), lrs[k]!);
    start.forEach((x, i) =>
      expect(theta[i]).toBeCloseTo(
        handAdam(
          x,
          g.map((r) => r[i]!),
          lrs,
          0.9,
          0.99,
          1e-8,
        ),
        5,
      ),
    );
  });

  it('applies decoupled weight decay to matrices but not to biases or LayerNorm gains', () => {
    const w = new Float32Array([2]);
    const bias = new Float32Array([2]);
    const adam = new AdamOptimizer({ beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.1 });
    adam.update(
      new Map([
        ['h.0.mlp.c_fc.weight', w],
        ['h.0.mlp.c_fc.bias', bias],
      ]),
      new Map([
        ['h.0.mlp.c_fc.weight', new Float32Array([1])],
        ['h.0.mlp.c_fc.bias', new Float32Array([1])],
      ]),
      0.1,
    );
    expect(w[0]).toBeCloseTo(handAdam(2, [1], [0.1], 0.9, 0.99, 1e-8, 0.1), 6);
    expect(bias[0]).toBeCloseTo(handAdam(2, [1], [0.1], 0.9, 0.99, 1e-8, 0), 6);
    expect(decaysByDefault('h.1.ln_2.weight')).toBe(false);
    expect(decaysByDefault('wte.weight')).toBe(true);
  });

  it('refuses a missing or mis-sized gradient', () => {
    const adam = new AdamOptimizer();
    expect(() => adam.update(new Map([['w', new Float32Array(2)]]), new Map([['w', new Float32Array(3)]]), 0.1)).toThrow(/gradient for w/);
  });
});
