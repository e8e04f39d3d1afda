import { Gpt2Config } from './gpt2.config';
import { gpt2ParameterSpecs } from './gpt2.parameters';
import { Mulberry32, deriveSeed } from '../../math/seeded-random';

/**
 * GPT-2 initialisation as in Hugging Face `GPT2PreTrainedModel._init_weights`, deterministic
 * for a seed: embeddings (`wte [V,d]`, `wpe [n_positions,d]`) and Conv1D weights ~ N(0, σ²)
 * with σ = 0.02, except the residual projections (`attn.c_proj.weight`, `mlp.c_proj.weight`)
 * with σ = 0.02 / √(2·n_layer); biases 0; LayerNorm gains 1 and biases 0. Each tensor draws
 * from its own stream (seed, name), so the values do not depend on tensor order.
 * @returns canonical HF name → float32 tensor in HF layout
 */
export function initGpt2Parameters(config: Gpt2Config, seed: number, std = 0.02): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const spec of gpt2ParameterSpecs(config)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const t = new Float32Array(n);
    if (/ln_(\d|f)\.weight$/.test(spec.name)) t.fill(1);
    else if (!spec.name.endsWith('.bias')) {
      const sigma = /c_proj\.weight$/.test(spec.name) ? std / Math.sqrt(2 * config.nLayer) : std;
      const rng = new Mulberry32(deriveSeed(seed, `init/${spec.name}`));
      for (let i = 0; i < n; i++) t[i] = sigma * rng.normal();
    }
    out.set(spec.name, t);
  }
  return out;
}
