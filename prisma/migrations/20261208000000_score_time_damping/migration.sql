-- Damping is an argument of scoring, not of fitting (docs/design.md "Mathematics: Damping"): the
-- eigenvalues of a factor set do not depend on it, so a factor set no longer records one.
ALTER TABLE "factor_sets" DROP COLUMN "damping_factor",
DROP COLUMN "damping_value";

-- The damping (score-arguments key: relative:F or absolute:V) a stored preconditioned query
-- gradient, and the query vectors made from it, were computed with.
ALTER TABLE "query_gradients" ADD COLUMN     "damping" TEXT NOT NULL DEFAULT 'relative:0.1';

-- The damping a cached influence score was computed with.
ALTER TABLE "influence_scores" ADD COLUMN     "damping" TEXT NOT NULL DEFAULT 'relative:0.1';
