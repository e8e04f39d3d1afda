/** Shape of the decay after warm-up. */
export type DecayShape = 'cosine' | 'linear';

/** A learning-rate schedule: linear warm-up from 0, then cosine or linear decay to a floor. */
export interface LearningRateSchedule {
  /** Peak learning rate η_max (reached at the end of warm-up). */
  peak: number;
  /** Warm-up steps W (≥ 0). */
  warmupSteps: number;
  /** Total steps N of the run; the decay ends at step N. */
  totalSteps: number;
  /** Floor η_min as a fraction of the peak (e.g. 0.1). */
  minRatio: number;
  decay: DecayShape;
}

/**
 * Learning rate of optimiser step `step` (1-based: the first update is step 1):
 * - warm-up, step ≤ W: η = η_max · step / W;
 * - decay, progress p = (step − W) / (N − W) clamped to [0, 1]:
 *   cosine η = η_min + (η_max − η_min) · ½(1 + cos πp); linear η = η_max − (η_max − η_min) · p,
 *   with η_min = minRatio · η_max.
 */
export function learningRateAt(s: LearningRateSchedule, step: number): number {
  if (s.warmupSteps > 0 && step <= s.warmupSteps) return (s.peak * step) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const p = Math.min(1, Math.max(0, (step - s.warmupSteps) / span));
  const min = s.minRatio * s.peak;
  return s.decay === 'cosine' ? min + (s.peak - min) * 0.5 * (1 + Math.cos(Math.PI * p)) : s.peak - (s.peak - min) * p;
}
