import { decodeSearchWhitening, type SearchWhitening } from '../math/search-whitening';
import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import { trackedLayers } from '../influence/layer-tensors.adapter';
import { eigenbasisProjectionSpace, gaussianProjectionSpace, type ProjectionSpace, uniformRanks } from '../influence/projection-space';
import type { ProjectionLayout } from '../math/projection-layout';
import { createSketchLayout, proportionalSketchRanks } from '../math/projection-sketch';
import type { LoadedModel } from '../model/model-directory.loader';
import type { ModelRecord } from '../domain/model.record';
import type { ProjectionSpaceRepository } from '../repositories/projection-space.repository';
import type { ProjectionSpaceRecord } from '../domain/projection-space.record';
import type { FactorSetService } from './factor-set.service';
import type { ModelRegistryService } from './model-registry.service';
import { ModelChangedError } from './model-registry.error';

/** What a worker needs to project into a space: the matrices, both layouts and the model. */
export interface ProjectionSpaceRuntime {
  readonly record: ProjectionSpaceRecord;
  readonly model: ModelRecord;
  readonly loaded: LoadedModel;
  readonly space: ProjectionSpace;
  readonly sketch: ProjectionLayout;
}

/** Options of a new random projection space. */
export interface NewProjectionSpace {
  readonly modelName: string;
  readonly name: string;
  /** r_o and r_i of every tracked layer (clamped to the layer's sizes). */
  readonly outRank: number;
  readonly inRank: number;
  /** Most sketch dimensions (≤ 4000; default min(full, 512)). */
  readonly sketchDims?: number;
  readonly seed: number;
  /**
   * `gaussian` (default): seeded random matrices, independent of any factors. `eigenbasis`: the
   * top rows of Q_Sᵀ and Q_Aᵀ of a factor set (far closer to the exact influence at the same
   * dimension — docs/influence-accuracy.md — but tied to those factors: refitting them means
   * ingesting again).
   */
  readonly kind?: 'gaussian' | 'eigenbasis';
  /** The factor set of an eigenbasis space. */
  readonly factorSetName?: string;
}

/**
 * Projection spaces: seeded Gaussian Kronecker projections of a registered model's tracked
 * layers (docs/design.md "Mathematics: Projection for storage"), recorded with their provenance (model hash,
 * seed, ranks, dims) so that vectors of different provenance are never mixed.
 */
export class ProjectionSpaceService {
  private readonly runtimes = new Map<number, Promise<ProjectionSpaceRuntime>>();
  /** Whitenings found (a space's whitening never changes once stored, so found ones stay cached). */
  private readonly whitenings = new Map<number, SearchWhitening>();

  constructor(
    private readonly spaces: ProjectionSpaceRepository,
    private readonly models: ModelRegistryService,
    private readonly factorSets: FactorSetService,
  ) {}

  /**
   * The space's whitened search basis, or null while it has none (the space is then searched on
   * its raw sketches). Cached per process once found.
   */
  async searchWhitening(spaceId: number): Promise<SearchWhitening | null> {
    const known = this.whitenings.get(spaceId);
    if (known) return known;
    const bytes = await this.spaces.searchWhitening(spaceId);
    if (!bytes) return null;
    const whitening = decodeSearchWhitening(bytes);
    this.whitenings.set(spaceId, whitening);
    return whitening;
  }

  /** Creates the space, or returns the existing one of that name if its settings are the same. */
  async create(input: NewProjectionSpace): Promise<ProjectionSpaceRecord> {
    if (!Number.isInteger(input.seed) || input.seed < 0 || input.seed > 2_147_483_647) {
      throw new InvalidInputError(`seed must be an integer from 0 to 2147483647, got ${input.seed}`);
    }
    for (const [what, v] of [
      ['out rank', input.outRank],
      ['in rank', input.inRank],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(`${what} must be a positive integer, got ${v}`);
    }
    const { model, loaded } = await this.models.loadRegistered(input.modelName);
    const kind = input.kind ?? 'gaussian';
    let factorSetId: number | null = null;
    let full: ProjectionSpace;
    if (kind === 'eigenbasis') {
      if (!input.factorSetName) throw new InvalidInputError('an eigenbasis projection space needs a factor set (--factors-name)');
      const factorSet = await this.factorSets.byName(model.id, input.factorSetName);
      const { factors } = await this.factorSets.load(factorSet.id);
      factorSetId = factorSet.id;
      const layers = factors.layers.map((l) => ({ name: l.name, rows: l.rows, cols: l.cols }));
      full = eigenbasisProjectionSpace(factors, uniformRanks(layers, input.outRank, input.inRank));
    } else {
      const layers = trackedLayers(loaded, model.trackedLayers);
      full = gaussianProjectionSpace(layers, uniformRanks(layers, input.outRank, input.inRank), input.seed);
    }
    const sketchRanks = proportionalSketchRanks(full.layout, Math.min(input.sketchDims ?? 512, full.layout.dims));
    const sketch = createSketchLayout(full.layout, sketchRanks);
    const layerRanks = full.layout.layers.map((l, k) => ({
      layer: l.name,
      outRank: l.outputRank,
      inRank: l.inputRank,
      sketchOutRank: sketch.layers[k]!.outputRank,
      sketchInRank: sketch.layers[k]!.inputRank,
    }));
    const existing = await this.spaces.findByName(model.id, input.name);
    if (existing) {
      // compare field by field: jsonb does not keep key order
      const key = (l: (typeof layerRanks)[number]) => [l.layer, l.outRank, l.inRank, l.sketchOutRank, l.sketchInRank].join(':');
      if (existing.seed !== input.seed || existing.factorSetId !== factorSetId || existing.layerRanks.map(key).join(',') !== layerRanks.map(key).join(',')) {
        throw new InvalidInputError(`projection space "${input.name}" of model ${model.name} exists with other seed or ranks; choose another name`);
      }
      return existing;
    }
    return this.spaces.create({
      modelId: model.id,
      factorSetId,
      name: input.name,
      kind: kind === 'eigenbasis' ? 'EIGENBASIS' : 'RANDOM_GAUSSIAN',
      seed: input.seed,
      layerRanks,
      fullDims: full.layout.dims,
      sketchDims: sketch.dims,
      provenance: { modelHash: model.hash, kind, seed: input.seed, factorSetId, fullDims: full.layout.dims, sketchDims: sketch.dims, dtype: 'float32' },
    });
  }

  async byName(modelName: string, name: string): Promise<ProjectionSpaceRecord> {
    const { model } = await this.models.loadRegistered(modelName);
    const found = await this.spaces.findByName(model.id, name);
    if (!found) throw new NotFoundError(`model ${modelName} has no projection space "${name}"`);
    return found;
  }

  async byModelId(modelId: number, name: string): Promise<ProjectionSpaceRecord> {
    const found = await this.spaces.findByName(modelId, name);
    if (!found) throw new NotFoundError(`this model has no projection space "${name}"`);
    return found;
  }

  /**
   * Rebuilds a space's matrices and layouts (cached per process), refusing with
   * PROVENANCE_MISMATCH when the model's weights are not the ones the space was made for.
   */
  runtime(spaceId: number): Promise<ProjectionSpaceRuntime> {
    let cached = this.runtimes.get(spaceId);
    if (!cached) {
      cached = this.build(spaceId);
      cached.catch(() => this.runtimes.delete(spaceId));
      this.runtimes.set(spaceId, cached);
    }
    return cached;
  }

  private async build(spaceId: number): Promise<ProjectionSpaceRuntime> {
    const record = await this.spaces.findById(spaceId);
    if (!record) throw new NotFoundError(`projection space ${spaceId} does not exist`);
    const [modelRecord] = await this.models.getMany([record.modelId]);
    if (!modelRecord) throw new NotFoundError(`the model of projection space ${spaceId} no longer exists`);
    const { model, loaded } = await this.models.loadRegistered(modelRecord.name);
    if (record.provenance.modelHash !== loaded.hash) {
      throw new ModelChangedError(
        `projection space ${record.name} was made for model hash ${String(record.provenance.modelHash).slice(0, 12)}…, the model now has ${loaded.hash.slice(0, 12)}…`,
      );
    }
    const ranks = record.layerRanks.map((l) => [l.outRank, l.inRank] as [number, number]);
    let space: ProjectionSpace;
    if (record.kind === 'EIGENBASIS') {
      if (record.factorSetId === null) throw new ModelChangedError(`eigenbasis projection space ${record.name} has lost its factor set`);
      const { factors } = await this.factorSets.load(record.factorSetId);
      space = eigenbasisProjectionSpace(factors, ranks);
    } else {
      space = gaussianProjectionSpace(
        trackedLayers(
          loaded,
          record.layerRanks.map((l) => l.layer),
        ),
        ranks,
        record.seed,
      );
    }
    const sketch = createSketchLayout(
      space.layout,
      record.layerRanks.map((l) => ({ outputRank: l.sketchOutRank, inputRank: l.sketchInRank })),
    );
    if (space.layout.dims !== record.fullDims || sketch.dims !== record.sketchDims) {
      throw new ModelChangedError(
        `projection space ${record.name}: rebuilt dims ${space.layout.dims}/${sketch.dims} differ from the stored ${record.fullDims}/${record.sketchDims}`,
      );
    }
    return { record, model, loaded, space, sketch };
  }
}
