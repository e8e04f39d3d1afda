/**
 * The influence pipelines (issue 5, docs/design.md "Mathematics"): factor fitting, factor storage, query side,
 * projections, exact influence. Each wires the gradient engine (src/engine) to the pure
 * mathematics (src/math); file I/O lives only in the store and readers.
 */
export * from './influence.errors';
export * from './tokenizer.port';
export * from './tokenized-sequence';
export * from './sequence-batches';
export * from './layer-tensors.adapter';
export * from './corpus-jsonl.reader';
export * from './query-jsonl.reader';
export * from './corpus.hash';
export * from './factor-set';
export * from './factor-fit.pipeline';
export * from './float64-safetensors.codec';
export * from './factor-set.store';
export * from './query-gradient.pipeline';
export * from './projection-space';
export * from './document-projection.pipeline';
export * from './exact-influence.pipeline';
export * from './influence-output.writer';
export * from './influence-options.parser';
