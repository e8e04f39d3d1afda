/** A registered factor set (docs/design.md "Mathematics": the fitted preconditioner of one model). */
export interface FactorSetRecord {
  readonly id: number;
  readonly modelId: number;
  readonly name: string;
  readonly strategy: 'IDENTITY' | 'DIAGONAL' | 'KFAC' | 'EKFAC';
  readonly fisher: 'SAMPLED' | 'EMPIRICAL';
  readonly sampleSize: number | null;
  readonly seed: number;
  readonly arguments: unknown;
  readonly filePath: string | null;
  readonly fileSha256: string | null;
  readonly status: 'PENDING' | 'RUNNING' | 'READY' | 'FAILED';
}
