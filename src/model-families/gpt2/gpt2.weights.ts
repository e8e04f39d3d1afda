import { Gpt2Config } from './gpt2.config';
import { gpt2ParameterSpecs } from './gpt2.parameters';
import { ModelLoadError } from '../../model/model-load.error';
import { SafetensorsFile } from '../../model/safetensors.reader';
import { ModelWeights } from '../model-family';

const IGNORED = /^(h\.\d+\.attn\.(bias|masked_bias))$/;

/**
 * Reads and validates GPT-2 weights from a safetensors file, keyed by canonical HF name (no
 * `transformer.` prefix), in HF layout (Conv1D weights `[in, out]`): every expected tensor present with
 * its exact shape and a floating dtype (F32/F16/BF16); legacy causal-mask buffers ignored;
 * anything else is an error naming the tensor. `lm_head.weight` becomes `lmHead` only when it
 * differs from `wte.weight` (else the head is tied).
 */
export function readGpt2Weights(st: SafetensorsFile, config: Gpt2Config): ModelWeights {
  const specs = gpt2ParameterSpecs(config);
  const byCanonical = new Map<string, string>();
  for (const name of st.names()) {
    const canonical = name.startsWith('transformer.') ? name.slice('transformer.'.length) : name;
    if (IGNORED.test(canonical)) continue;
    if (byCanonical.has(canonical))
      throw new ModelLoadError(`${st.file}: tensor ${canonical} appears twice (with and without "transformer.")`, { file: st.file, tensor: name });
    byCanonical.set(canonical, name);
  }
  const expected = new Set(specs.map((s) => s.name));
  for (const canonical of byCanonical.keys()) {
    if (!expected.has(canonical) && canonical !== 'lm_head.weight') {
      throw new ModelLoadError(`${st.file}: unexpected tensor ${byCanonical.get(canonical)} for a GPT-2 model with ${config.nLayer} layers`, {
        file: st.file,
        tensor: byCanonical.get(canonical),
      });
    }
  }
  const tensors = new Map<string, Float32Array>();
  const fileNames = new Map<string, string>();
  const load = (canonical: string, shape: number[]): Float32Array => {
    const name = byCanonical.get(canonical);
    if (!name) throw new ModelLoadError(`${st.file}: missing tensor ${canonical}`, { file: st.file, tensor: canonical });
    const e = st.entry(name)!;
    if (e.dtype !== 'F32' && e.dtype !== 'F16' && e.dtype !== 'BF16') {
      throw new ModelLoadError(`${st.file}: tensor ${name} has dtype ${e.dtype}; expected F32, F16 or BF16`, { file: st.file, tensor: name });
    }
    if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) {
      throw new ModelLoadError(`${st.file}: tensor ${name} has shape [${e.shape}]; expected [${shape}]`, { file: st.file, tensor: name });
    }
    fileNames.set(canonical, name);
    return st.readFloat32(name).data;
  };
  for (const s of specs) tensors.set(s.name, load(s.name, s.shape));
  let lmHead: Float32Array | undefined;
  if (byCanonical.has('lm_head.weight')) {
    const w = load('lm_head.weight', [config.vocabSize, config.nEmbd]);
    const wte = tensors.get('wte.weight')!;
    if (w.some((v, i) => v !== wte[i])) lmHead = w;
  }
  return { tensors, lmHead, fileNames };
}
