import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { dampedSolve, StrategyAccuracy } from './fisher-reference.experiment';

describe('strategy accuracy against the explicit damped Fisher (n_embd 8, 3000 fitting sequences)', () => {
  it('the Cholesky reference solves (F + λI) x = b', () => {
    const F = Float64Array.from([4, 1, 0, 1, 3, 1, 0, 1, 2]);
    const x = dampedSolve(F, 3, 0.5, [1, 2, 3]);
    const back = [0, 1, 2].map((i) => [0, 1, 2].reduce((s, j) => s + (F[i * 3 + j]! + (i === j ? 0.5 : 0)) * x[j]!, 0));
    back.forEach((v, i) => expect(v).toBeCloseTo([1, 2, 3][i]!, 12));
  });

  it('EK-FAC ≥ 0.8 Pearson with Σ_ℓ g_qᵀ (F_ℓ + λ_ℓ I)⁻¹ g_d, and K-FAC, EK-FAC and diagonal all better than identity', () => {
    // a child process: jest's VM context runs the reference's typed-array loops several times slower
    const out = execFileSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'fisher-reference.experiment.ts'), '3000', '80', '4'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const r = Object.fromEntries((JSON.parse(out) as StrategyAccuracy[]).map((x) => [x.strategy, x]));
    expect(r.ekfac!.pearson).toBeGreaterThanOrEqual(0.8);
    expect(r.ekfac!.spearman).toBeGreaterThanOrEqual(0.8);
    for (const s of ['ekfac', 'kfac', 'diagonal']) expect(r[s]!.pearson).toBeGreaterThan(r.identity!.pearson);
    expect(r.ekfac!.pearson).toBeGreaterThan(r.kfac!.pearson - 0.05);
  }, 240_000);
});
