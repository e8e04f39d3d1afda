import path from 'node:path';

import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import { parameterCount } from '../model-families/model-family';
import { loadModelDirectory, type LoadedModel } from '../model/model-directory.loader';
import type { ModelRepository } from '../repositories/model.repository';
import type { ModelRecord } from '../domain/model.record';
import { ModelChangedError, ModelConflictError } from './model-registry.error';

/** Options of a registration. */
export interface RegisterModelOptions {
  /** Name to register under (default: the directory's name). */
  readonly name?: string;
  /** Tracked linear layers, by the model family's names (default: the family's default tracked layers). */
  readonly trackedLayers?: readonly string[];
}

/**
 * Registers Hugging Face model directories by content hash, with their configuration and
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
    const { family, config } = loaded;
    const trackedLayers = [...(options.trackedLayers ?? family.defaultTrackedLayers(config))];
    for (const layer of trackedLayers) {
      if (!family.layerShape(config, layer)) {
        throw new InvalidInputError(`tracked layer "${layer}" is not a linear layer of this model (${family.trackableLayers(config)})`);
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
      family: family.id,
      path: absolute,
      config: family.configJson(config),
      trackedLayers,
      parameterCount: parameterCount(family, config),
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
