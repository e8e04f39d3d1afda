import { fitFactorDirectory, type FactorDirectoryRequest, type FactorDirectoryResult } from '../influence/factor-directory.fitter';

/**
 * What one `factors fit` fits: a model directory, a corpus JSONL file and the fit-time arguments
 * (strategy, Fisher kind, damping, documents, seed, layers), with the engine's batch, device and
 * threads, the factor directory to write, and an optional progress callback (each batch of each
 * pass). Values are already parsed and checked by the caller.
 */
export type FactorFitRequest = FactorDirectoryRequest;

/** What one fit did: the directory, whether it was reused, counts, λ_ℓ per layer, seconds. */
export type FactorFitResult = FactorDirectoryResult;

/**
 * The user action "fit curvature factors of a model on a corpus file" (`tracebase factors fit`):
 * docs/design.md "Mathematics" (pass 1 covariances A_ℓ, S_ℓ and their eigenbases, pass 2 EK-FAC
 * Λ_ℓ). Works on files only — a model directory, a corpus JSONL, a factor directory — and needs
 * no database, so it is constructed standalone (`new FactorFittingService()`).
 */
export class FactorFittingService {
  /**
   * Fits and writes `factors.safetensors` + `factors.json` atomically into `request.outDir`. An
   * existing directory fitted for the same model hash, corpus hash and arguments is reused; one
   * fitted with anything else is refused (FactorMismatchError) unless `request.overwrite`.
   */
  async fit(request: FactorFitRequest): Promise<FactorFitResult> {
    return fitFactorDirectory(request);
  }
}
