import type { EngineSettings, Gpt2GradientEngine } from '../engine/gpt2-gradient.engine';
import type { LoadedModel } from '../model/model-directory.loader';

/**
 * One gradient engine per model (by content hash) for the process: onnxruntime sessions are
 * expensive to create and are reused by every service that computes gradients. The engine
 * module (onnxruntime) is loaded on first use only.
 */
export class EngineCache {
  private readonly engines = new Map<string, Promise<Gpt2GradientEngine>>();

  constructor(private readonly settings: Partial<EngineSettings> = {}) {}

  get(model: LoadedModel): Promise<Gpt2GradientEngine> {
    let engine = this.engines.get(model.hash);
    if (!engine) {
      engine = import('../engine/gpt2-gradient.engine').then(({ defaultEngineSettings, Gpt2GradientEngine }) => new Gpt2GradientEngine(model, defaultEngineSettings(this.settings)));
      this.engines.set(model.hash, engine);
    }
    return engine;
  }
}
