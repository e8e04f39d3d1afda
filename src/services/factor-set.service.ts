import path from 'node:path';

import { InvalidInputError, NotFoundError } from '../errors/tracebase.error';
import type { FactorSet } from '../influence/factor-set';
import { readFactorProvenance, readFactorSet } from '../influence/factor-set.store';
import type { FactorSetRepository } from '../repositories/factor-set.repository';
import type { FactorSetRecord } from '../domain/factor-set.record';
import type { ModelRegistryService } from './model-registry.service';
import { ModelChangedError } from './model-registry.error';

const STRATEGIES = { identity: 'IDENTITY', diagonal: 'DIAGONAL', kfac: 'KFAC', ekfac: 'EKFAC' } as const;

/**
 * Factor sets fitted by `tracebase factors fit`, registered against a model: the factor
 * directory's provenance must name the model's hash, and its tensors file must still have the
 * recorded sha256 whenever it is loaded.
 */
export class FactorSetService {
  private readonly loaded = new Map<number, { factors: FactorSet; record: FactorSetRecord }>();

  constructor(
    private readonly factorSets: FactorSetRepository,
    private readonly models: ModelRegistryService,
  ) {}

  async register(modelName: string, dir: string, name?: string): Promise<{ record: FactorSetRecord; created: boolean }> {
    const absolute = path.resolve(dir);
    const provenance = readFactorProvenance(absolute);
    const { model } = await this.models.loadRegistered(modelName);
    if (provenance.modelHash !== model.hash) {
      throw new ModelChangedError(
        `factors in ${absolute} were fitted for model hash ${provenance.modelHash.slice(0, 12)}…, not ${modelName} (${model.hash.slice(0, 12)}…)`,
      );
    }
    const setName = name ?? path.basename(absolute);
    const existing = await this.factorSets.findByName(model.id, setName);
    if (existing) {
      if (existing.fileSha256 !== provenance.tensorsSha256) {
        throw new InvalidInputError(`factor set "${setName}" of ${modelName} is registered with other tensors; register under another name`);
      }
      return { record: existing, created: false };
    }
    const args = provenance.arguments;
    const record = await this.factorSets.create({
      modelId: model.id,
      name: setName,
      strategy: STRATEGIES[args.strategy],
      fisher: args.fisher === 'sampled' ? 'SAMPLED' : 'EMPIRICAL',
      sampleSize: provenance.counts.sequences ?? null,
      seed: args.seed,
      arguments: { ...args, corpusHash: provenance.corpusHash, layers: provenance.layers },
      filePath: absolute,
      fileSha256: provenance.tensorsSha256,
    });
    return { record, created: true };
  }

  async byName(modelId: number, name: string): Promise<FactorSetRecord> {
    const found = await this.factorSets.findByName(modelId, name);
    if (!found) throw new NotFoundError(`no factor set named "${name}" for this model (tracebase factors register)`);
    return found;
  }

  async byId(id: number): Promise<FactorSetRecord> {
    const found = await this.factorSets.findById(id);
    if (!found) throw new NotFoundError(`factor set ${id} does not exist`);
    return found;
  }

  /** The factor tensors (cached per process); refuses a file whose sha256 changed. */
  async load(id: number): Promise<{ factors: FactorSet; record: FactorSetRecord }> {
    const cached = this.loaded.get(id);
    if (cached) return cached;
    const record = await this.byId(id);
    if (!record.filePath) throw new NotFoundError(`factor set ${record.name} has no file`);
    const { factors, provenance } = readFactorSet(record.filePath);
    if (provenance.tensorsSha256 !== record.fileSha256) {
      throw new ModelChangedError(`factor set ${record.name}: ${record.filePath} holds other tensors than the ones registered`);
    }
    const entry = { factors, record };
    this.loaded.set(id, entry);
    return entry;
  }
}
