import { LoadedModel, loadModelDirectory } from '../model/model-directory.loader';
import { EvaluatedModel } from './world-query.evaluator';

/** A loaded model directory as an {@link EvaluatedModel} (its own tokenizer; tied LM head required). */
export function toEvaluatedModel(m: LoadedModel): EvaluatedModel {
  if (m.weights.lmHead) throw new Error(`${m.dir}: models with an untied lm_head are not supported by the greedy decoder`);
  return { family: m.family, config: m.config, params: m.weights.tensors, encode: (t) => m.tokenizer.encode(t), decode: (ids) => m.tokenizer.decode(ids) };
}

/** Loads a model directory for generation and evaluation. */
export function loadEvaluatedModel(dir: string): EvaluatedModel {
  return toEvaluatedModel(loadModelDirectory(dir));
}
