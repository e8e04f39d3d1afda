import type { ModelRecord } from '../../domain/model.record';
import { toGlobalId } from '../relay/global-id';
import type { ModelType } from '../types/model.type';

/** A registered model as the GraphQL type (its config is the JSON object it was registered with). */
export function toModelType(m: ModelRecord): ModelType {
  return {
    id: toGlobalId('Model', m.id),
    name: m.name,
    hash: m.hash,
    family: m.family,
    config: m.config as Record<string, unknown>,
    trackedLayers: m.trackedLayers,
    parameterCount: Number(m.parameterCount),
    createdAt: m.createdAt,
  };
}
