/** A registered model as the services see it. */
export interface ModelRecord {
  readonly id: number;
  readonly name: string;
  readonly hash: string;
  readonly family: string;
  readonly path: string;
  readonly config: unknown;
  readonly trackedLayers: string[];
  readonly parameterCount: bigint;
  readonly createdAt: Date;
}
