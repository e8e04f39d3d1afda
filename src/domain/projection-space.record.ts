/** Ranks of one tracked layer in a projection space (full and sketch). */
export interface LayerRankRecord {
  readonly layer: string;
  readonly outRank: number;
  readonly inRank: number;
  readonly sketchOutRank: number;
  readonly sketchInRank: number;
}

/** A projection space: where documents' and queries' gradients are projected and searched. */
export interface ProjectionSpaceRecord {
  readonly id: number;
  readonly modelId: number;
  /** The factor set an eigenbasis space takes its matrices from (null for Gaussian spaces). */
  readonly factorSetId: number | null;
  readonly name: string;
  readonly kind: 'RANDOM_GAUSSIAN' | 'EIGENBASIS';
  readonly seed: number;
  readonly layerRanks: LayerRankRecord[];
  readonly fullDims: number;
  readonly sketchDims: number;
  readonly provenance: Record<string, unknown>;
}
