/** Adam hyper-parameters (Kingma & Ba 2015), with optional decoupled weight decay (AdamW). */
export interface AdamSettings {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Decoupled weight decay λ applied to tensors for which `decays(name)` is true (0 = plain Adam). */
  weightDecay: number;
}

/** Defaults for small byte-level models: β₁ 0.9, β₂ 0.99, ε 1e-8, no weight decay. */
export const DEFAULT_ADAM: AdamSettings = { beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0 };

/** Weight decay applies to matrices (2-D weights and embeddings), not to biases or LayerNorm gains. */
export function decaysByDefault(name: string): boolean {
  return !/(\.bias|ln_\d\.weight|ln_f\.weight)$/.test(name);
}

/**
 * Adam over named float32 tensors. Moments m, v are float32 like the parameters. One step t
 * (1-based) with learning rate η, per element:
 *   m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;
 *   m̂ = m / (1 − β₁ᵗ);  v̂ = v / (1 − β₂ᵗ);
 *   θ ← θ − η (m̂ / (√v̂ + ε) + λ θ)   (λ only where decoupled weight decay applies).
 */
export class AdamOptimizer {
  readonly m = new Map<string, Float32Array>();
  readonly v = new Map<string, Float32Array>();
  /** Number of updates applied so far (t of the last step). */
  step = 0;

  constructor(
    readonly settings: AdamSettings = DEFAULT_ADAM,
    private readonly decays: (name: string) => boolean = decaysByDefault,
  ) {}

  /** Applies one update in place to `params` with `grads` (same names and lengths). */
  update(params: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float32Array>, lr: number): void {
    const { beta1: b1, beta2: b2, epsilon: eps, weightDecay } = this.settings;
    this.step += 1;
    const c1 = 1 - b1 ** this.step;
    const c2 = 1 - b2 ** this.step;
    for (const [name, theta] of params) {
      const g = grads.get(name);
      if (!g || g.length !== theta.length) throw new Error(`Adam: gradient for ${name} is missing or has ${g?.length} elements, expected ${theta.length}`);
      let m = this.m.get(name);
      let v = this.v.get(name);
      if (!m || !v) {
        this.m.set(name, (m = new Float32Array(theta.length)));
        this.v.set(name, (v = new Float32Array(theta.length)));
      }
      const wd = this.decays(name) ? weightDecay : 0;
      for (let i = 0; i < theta.length; i++) {
        const gi = g[i]!;
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * gi);
        const vi = (v[i] = b2 * v[i]! + (1 - b2) * gi * gi);
        theta[i] = theta[i]! - lr * (mi / c1 / (Math.sqrt(vi / c2) + eps) + wd * theta[i]!);
      }
    }
  }
}
