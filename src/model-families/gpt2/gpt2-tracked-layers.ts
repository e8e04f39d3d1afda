import { LayerShape } from '../model-family';
import { Gpt2Config } from './gpt2.config';

const LAYER_PATTERN = /^h\.(\d+)\.(mlp\.c_fc|mlp\.c_proj|attn\.c_attn|attn\.c_proj)$/;

/** Both MLP linear layers of every block (`h.N.mlp.c_fc`, `h.N.mlp.c_proj`): the default tracked layers. */
export function gpt2DefaultTrackedLayers(config: Gpt2Config): string[] {
  const out: string[] = [];
  for (let i = 0; i < config.nLayer; i++) out.push(`h.${i}.mlp.c_fc`, `h.${i}.mlp.c_proj`);
  return out;
}

/**
 * The [in, out] sizes of a trackable GPT-2 linear (HF Conv1D) layer, d = n_embd, f = n_inner:
 * `h.N.mlp.c_fc` d→f, `h.N.mlp.c_proj` f→d, `h.N.attn.c_attn` d→3d, `h.N.attn.c_proj` d→d;
 * undefined for any other name or a block N ≥ n_layer.
 */
export function gpt2LayerShape(config: Gpt2Config, name: string): LayerShape | undefined {
  const m = LAYER_PATTERN.exec(name);
  if (!m || Number(m[1]) >= config.nLayer) return undefined;
  const D = config.nEmbd;
  const [inFeatures, outFeatures] =
    m[2] === 'mlp.c_fc' ? [D, config.nInner] : m[2] === 'mlp.c_proj' ? [config.nInner, D] : m[2] === 'attn.c_attn' ? [D, 3 * D] : [D, D];
  return { name, inFeatures, outFeatures };
}

/** The trackable layer names as a pattern for people. */
export function gpt2TrackableLayers(config: Gpt2Config): string {
  return `h.{0..${config.nLayer - 1}}.(mlp.c_fc|mlp.c_proj|attn.c_attn|attn.c_proj)`;
}
