import type { EngineSettings, GradientEngine } from '../engine/gradient.engine';
import type { LoadedModel } from '../model/model-directory.loader';

/**
 * One gradient engine per model (by content hash) for the process: onnxruntime sessions are
 * expensive to create and are reused by every service that computes gradients. The engine
 * module (onnxruntime) is loaded on first use only.
 */
export class EngineCache {
  private readonly engines = new Map<string, Promise<GradientEngine>>();

  constructor(private readonly settings: Partial<EngineSettings> = {}) {}

  get(model: LoadedModel): Promise<GradientEngine> {
    let engine = this.engines.get(model.hash);
    if (!engine) {
      engine = import('../engine/gradient.engine').then(
        ({ defaultEngineSettings, GradientEngine }) => new GradientEngine(model, defaultEngineSettings(this.settings)),
      );
      this.engines.set(model.hash, engine);
    }
    return engine;
  }
}
