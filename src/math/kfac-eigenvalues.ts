import { Matrix, matrix } from './dense-matrix';

/**
 * K-FAC eigenvalues in the Kronecker eigenbasis: `Λ[j,k] = λ_S[j] · λ_A[k]`, i.e. the outer
 * product λ_S λ_Aᵀ (o×(i+1)), which is `λ_S ⊗ λ_A` laid out row-major (docs/design.md "Mathematics", `kfac`
 * strategy). Eigenvalues come from {@link symmetricEigen} of S (length o) and A (length i+1);
 * rounding negatives (≈ −1e-16) are passed through unchanged; damping dominates them.
 */
export function kfacEigenvalues(lambdaS: Float64Array, lambdaA: Float64Array): Matrix {
  const out = matrix(lambdaS.length, lambdaA.length);
  const n = lambdaA.length;
  for (let j = 0; j < lambdaS.length; j++) for (let k = 0; k < n; k++) out.data[j * n + k] = lambdaS[j]! * lambdaA[k]!;
  return out;
}
