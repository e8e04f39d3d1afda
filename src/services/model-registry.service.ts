import path from 'node:path';

import { defaultTrackedLayers } from '../engine/gradient-head.spec';
import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import { toHfConfigJson } from '../model/gpt2.config';
import { gpt2ParameterCount } from '../model/gpt2.parameters';
import { loadModelDirectory, type LoadedModel } from '../model/model-directory.loader';
import type { ModelRepository } from '../repositories/model.repository';
import type { ModelRecord } from '../domain/model.record';
import { ModelChangedError, ModelConflictError } from './model-registry.error';

/** Options of a registration. */
export interface RegisterModelOptions {
  /** Name to register under (default: the directory's name). */
  readonly name?: string;
  /** Tracked linear layers, e.g. `h.0.mlp.c_fc` (default: both MLP layers of every block). */
  readonly trackedLayers?: readonly string[];
}

const LAYER_PATTERN = /^h\.(\d+)\.(mlp\.c_fc|mlp\.c_proj|attn\.c_attn|attn\.c_proj)$/;

/**
 * Registers model directories (HF GPT-2 layout) by content hash, with their configuration and
 * tracked layers, and checks later that a directory still holds the weights it was registered
 * with: influence numbers computed with other weights would be meaningless.
 */
export class ModelRegistryService {
  constructor(
    private readonly models: ModelRepository,
    private readonly load: (dir: string) => LoadedModel = loadModelDirectory,
  ) {}

  /**
   * Registers `dir`. Registering the same directory content under the same name again returns
   * the existing record; the same name for other weights or other tracked layers is refused.
   */
  async register(dir: string, options: RegisterModelOptions = {}): Promise<{ model: ModelRecord; created: boolean }> {
    const absolute = path.resolve(dir);
    const loaded = this.load(absolute);
    const name = options.name ?? path.basename(absolute);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name)) {
      throw new InvalidInputError(`model name "${name}" must be 1–128 letters, digits, '.', '_' or '-'`);
    }
    const trackedLayers = [...(options.trackedLayers ?? defaultTrackedLayers(loaded.config.nLayer))];
    for (const layer of trackedLayers) {
      const match = LAYER_PATTERN.exec(layer);
      if (!match || Number(match[1]) >= loaded.config.nLayer) {
        throw new InvalidInputError(
          `tracked layer "${layer}" is not a linear layer of this model (h.0..h.${loaded.config.nLayer - 1} .mlp.c_fc, .mlp.c_proj, .attn.c_attn, .attn.c_proj)`,
        );
      }
    }
    const existing = await this.models.findByName(name);
    if (existing) {
      if (existing.hash !== loaded.hash) {
        throw new ModelConflictError(
          `a model named "${name}" is registered with other weights (hash ${existing.hash.slice(0, 12)}…, this directory ${loaded.hash.slice(0, 12)}…); register under another --name`,
        );
      }
      if (existing.trackedLayers.join(',') !== trackedLayers.join(',')) {
        throw new ModelConflictError(
          `model "${name}" is registered with tracked layers ${existing.trackedLayers.join(',')}; register other layers under another --name`,
        );
      }
      return { model: existing, created: false };
    }
    const model = await this.models.create({
      name,
      hash: loaded.hash,
      family: 'gpt2',
      path: absolute,
      config: toHfConfigJson(loaded.config),
      trackedLayers,
      parameterCount: gpt2ParameterCount(loaded.config),
    });
    return { model, created: true };
  }

  /**
   * Loads a registered model from its directory, refusing with {@link ModelChangedError} when
   * the directory's content hash differs from the registered one.
   */
  async loadRegistered(name: string): Promise<{ model: ModelRecord; loaded: LoadedModel }> {
    const model = await this.models.findByName(name);
    if (!model) throw new NotFoundError(`no model named "${name}" is registered (tracebase model register DIR)`);
    const loaded = this.load(model.path);
    if (loaded.hash !== model.hash) {
      throw new ModelChangedError(
        `model directory ${model.path} changed after "${name}" was registered (hash ${model.hash.slice(0, 12)}… now ${loaded.hash.slice(0, 12)}…); register it again under a new name`,
      );
    }
    return { model, loaded };
  }

  list(): Promise<ModelRecord[]> {
    return this.models.list();
  }

  page(afterId: number, first: number): Promise<{ items: ModelRecord[]; hasNextPage: boolean }> {
    return this.models.page(afterId, first);
  }

  /** For DataLoaders: models by id in one query, null where absent. */
  getMany(ids: readonly number[]): Promise<(ModelRecord | null)[]> {
    return this.models.findManyByIds(ids);
  }
}
