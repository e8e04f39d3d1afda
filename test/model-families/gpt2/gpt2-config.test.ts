import { gpt2ParameterCount, parseGpt2Config } from '../../../src/model-families/gpt2';

const base = {
  n_embd: 768,
  n_layer: 12,
  n_head: 12,
  n_positions: 1024,
  vocab_size: 50257,
  layer_norm_epsilon: 1e-5,
  activation_function: 'gelu_new',
  model_type: 'gpt2',
  architectures: ['GPT2LMHeadModel'],
};

describe('GPT-2 config', () => {
  it('reads the HF keys and counts the 124M parameters of GPT-2 small', () => {
    const c = parseGpt2Config({ ...base, n_inner: null });
    expect(c).toMatchObject({ nEmbd: 768, nLayer: 12, nHead: 12, nPositions: 1024, vocabSize: 50257, nInner: 3072 });
    expect(gpt2ParameterCount(c)).toBe(124_439_808);
  });

  it('names the field in every error', () => {
    const { n_embd: _drop, ...noEmbd } = base;
    expect(() => parseGpt2Config(noEmbd, 'm/config.json')).toThrow(/m\/config\.json: field n_embd/);
    expect(() => parseGpt2Config({ ...base, activation_function: 'relu' })).toThrow(/field activation_function: unknown activation "relu"/);
    expect(() => parseGpt2Config({ ...base, model_type: 'llama' })).toThrow(/field model_type: unsupported architecture/);
    expect(() => parseGpt2Config({ ...base, architectures: ['LlamaForCausalLM'] })).toThrow(/field architectures/);
    expect(() => parseGpt2Config({ ...base, n_head: 5 })).toThrow(/field n_head/);
    expect(() => parseGpt2Config({ ...base, n_layer: 1.5 })).toThrow(/field n_layer/);
  });
});
