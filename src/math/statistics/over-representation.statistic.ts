import { InvalidInputError } from '../../errors/tracebase.error';
import { Matrix, matrix } from '../dense-matrix';

/** Per-source counts and ratios at several top-k cut-offs. */
export interface OverRepresentation {
  /** The cut-offs k, in the order given. */
  readonly ks: readonly number[];
  /** Documents of each source in the whole corpus (length C). */
  readonly corpusCounts: Float64Array;
  /** K×C: documents of source c among the top ks[j]. */
  readonly topCounts: Matrix;
  /**
   * K×C: (topCounts[j,c] / ks[j]) / (corpusCounts[c] / N), the factor by which source c is
   * over-represented in the top k (1 = as in the corpus); NaN where the source has no document
   * in the corpus.
   */
  readonly ratios: Matrix;
}

/**
 * Source over-representation (Finding 5, Ruis et al.): for each cut-off k, the share of each
 * source among the k most influential documents divided by its share of the corpus.
 *
 * @param ranking document indices, most influential first (e.g. `topK(...).indices`); must hold
 *   at least max(ks) distinct documents.
 * @param sources source code in [0, C) for every corpus document (length N).
 * @param sourceCount C, the number of distinct sources.
 * @param ks cut-offs, each in [1, ranking.length].
 */
export function sourceOverRepresentation(
  ranking: ArrayLike<number>,
  sources: ArrayLike<number>,
  sourceCount: number,
  ks: readonly number[],
): OverRepresentation {
  if (!Number.isInteger(sourceCount) || sourceCount < 1) throw new InvalidInputError(`sourceCount must be a positive integer, got ${sourceCount}`);
  const N = sources.length;
  if (N === 0) throw new InvalidInputError('over-representation needs a non-empty corpus');
  const corpusCounts = new Float64Array(sourceCount);
  for (let d = 0; d < N; d++) {
    const c = sources[d]!;
    if (!Number.isInteger(c) || c < 0 || c >= sourceCount) throw new InvalidInputError(`document ${d} has source code ${c}, outside [0, ${sourceCount})`);
    corpusCounts[c]!++;
  }
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1 || k > ranking.length) throw new InvalidInputError(`cut-off k must be an integer in [1, ${ranking.length}], got ${k}`);
  }
  const seen = new Uint8Array(N);
  for (let r = 0; r < ranking.length; r++) {
    const d = ranking[r]!;
    if (!Number.isInteger(d) || d < 0 || d >= N) throw new InvalidInputError(`ranking position ${r} names document ${d}, outside [0, ${N})`);
    if (seen[d]) throw new InvalidInputError(`ranking lists document ${d} twice`);
    seen[d] = 1;
  }
  // Prefix counts along the ranking, read off at each k.
  const order = ks.map((k, j) => [k, j] as const).sort((a, b) => a[0] - b[0]);
  const topCounts = matrix(ks.length, sourceCount);
  const ratios = matrix(ks.length, sourceCount);
  const running = new Float64Array(sourceCount);
  let pos = 0;
  for (const [k, j] of order) {
    for (; pos < k; pos++) running[sources[ranking[pos]!]!]!++;
    for (let c = 0; c < sourceCount; c++) {
      topCounts.data[j * sourceCount + c] = running[c]!;
      ratios.data[j * sourceCount + c] = corpusCounts[c]! === 0 ? NaN : running[c]! / k / (corpusCounts[c]! / N);
    }
  }
  return { ks: [...ks], corpusCounts, topCounts, ratios };
}
