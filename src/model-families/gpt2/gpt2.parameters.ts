import { ParameterSpec } from '../model-family';
import { Gpt2Config } from './gpt2.config';

/**
 * The parameter tensors of a GPT-2 model (canonical HF names, no `transformer.` prefix) in HF order and layout (Conv1D weights `[in, out]`):
 * `wte.weight [V,d]`, `wpe.weight [n_positions,d]`, per block `ln_1.{weight,bias} [d]`,
 * `attn.c_attn.weight [d,3d]`, `attn.c_attn.bias [3d]`, `attn.c_proj.weight [d,d]`, `attn.c_proj.bias [d]`,
 * `ln_2.*`, `mlp.c_fc.weight [d,n_inner]`, `mlp.c_fc.bias [n_inner]`, `mlp.c_proj.weight [n_inner,d]`,
 * `mlp.c_proj.bias [d]`, then `ln_f.{weight,bias} [d]`. The LM head is tied to `wte`.
 */
export function gpt2ParameterSpecs(c: Gpt2Config): ParameterSpec[] {
  const d = c.nEmbd;
  const f = c.nInner;
  const specs: ParameterSpec[] = [
    { name: 'wte.weight', shape: [c.vocabSize, d] },
    { name: 'wpe.weight', shape: [c.nPositions, d] },
  ];
  for (let i = 0; i < c.nLayer; i++) {
    const p = `h.${i}.`;
    specs.push(
      { name: `${p}ln_1.weight`, shape: [d] },
      { name: `${p}ln_1.bias`, shape: [d] },
      { name: `${p}attn.c_attn.weight`, shape: [d, 3 * d] },
      { name: `${p}attn.c_attn.bias`, shape: [3 * d] },
      { name: `${p}attn.c_proj.weight`, shape: [d, d] },
      { name: `${p}attn.c_proj.bias`, shape: [d] },
      { name: `${p}ln_2.weight`, shape: [d] },
      { name: `${p}ln_2.bias`, shape: [d] },
      { name: `${p}mlp.c_fc.weight`, shape: [d, f] },
      { name: `${p}mlp.c_fc.bias`, shape: [f] },
      { name: `${p}mlp.c_proj.weight`, shape: [f, d] },
      { name: `${p}mlp.c_proj.bias`, shape: [d] },
    );
  }
  specs.push({ name: 'ln_f.weight', shape: [d] }, { name: 'ln_f.bias', shape: [d] });
  return specs;
}

/** Total number of trainable parameters (tied LM head counted once). */
export function gpt2ParameterCount(c: Gpt2Config): number {
  return gpt2ParameterSpecs(c).reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
}
