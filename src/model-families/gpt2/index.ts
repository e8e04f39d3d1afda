/**
 * The GPT-2 model family: its {@link gpt2Family} implementation of the model-family seam, and
 * the GPT-2 pieces the reference-model trainer builds on (config, parameter list, initialiser).
 */
export * from './gpt2.family';
export * from './gpt2.config';
export * from './gpt2.parameters';
export * from './gpt2.weights';
export * from './gpt2-forward.graph';
export * from './gpt2-decode-step.graph';
export * from './gpt2-tracked-layers';
export * from './gpt2-parameter.initializer';
