import { DrillPool } from './drill-pools';
import { SeededRandom } from '../math/seeded-random';
import { WorldInvariantError } from './world.errors';
import { ProcedureStep } from './world.types';

/** Fewest and most operations one drill document lists. */
export const DRILL_OPERATIONS = { min: 6, max: 12 } as const;

/**
 * Cuts `count` operations into windows of {@link DRILL_OPERATIONS}.min..max: parts drawn
 * uniformly while more than `max` are left, the rest as the last part (at least `min`).
 * @throws RangeError if `count` is below `min`
 */
export function drillWindowSizes(count: number, rng: SeededRandom): number[] {
  const { min, max } = DRILL_OPERATIONS;
  if (count < min) throw new RangeError(`cannot cut ${count} operations into drills of ${min} to ${max}`);
  const sizes: number[] = [];
  let left = count;
  while (left > max) {
    const size = rng.int(min, Math.min(max, left - min));
    sizes.push(size);
    left -= size;
  }
  sizes.push(left);
  return sizes;
}

/**
 * The drill documents of one pool, pass after pass. A pass lists every operation of the pool
 * exactly once: each group is shuffled and cut into windows of 6–12 operations, and the windows
 * of all groups are shuffled. Pass p is drawn from its own stream (`drill-pass/<pool>/<p>`), so
 * the k-th drill of a pool depends only on the seed and k, the same in every world size, and a
 * world with P whole passes lists each operation of the pool exactly P times.
 */
export class DrillSchedule {
  private readonly passes: ProcedureStep[][][] = [];

  /** @param root the world's root stream (its seed names the passes' streams) */
  constructor(
    private readonly root: SeededRandom,
    readonly pool: DrillPool,
  ) {}

  /** The windows of pass `index` (0-based), in the order the drills take them. */
  pass(index: number): ProcedureStep[][] {
    while (this.passes.length <= index) this.passes.push(this.drawPass(this.passes.length));
    return this.passes[index] as ProcedureStep[][];
  }

  /**
   * Number of drill documents for `passes` passes: every window of the whole passes, then the
   * fractional part's share of the next pass's windows (rounded).
   * @throws WorldInvariantError if `passes` is negative or not finite
   */
  documentCount(passes: number): number {
    if (!Number.isFinite(passes) || passes < 0) throw new WorldInvariantError(`drill passes must be a non-negative number, not ${passes}`);
    const whole = Math.floor(passes);
    let count = 0;
    for (let p = 0; p < whole; p += 1) count += this.pass(p).length;
    return count + Math.round((passes - whole) * this.pass(whole).length);
  }

  /** The operations the pool's k-th drill (0-based) lists, in the order written. */
  operations(k: number): ProcedureStep[] {
    let index = k;
    for (let p = 0; ; p += 1) {
      const windows = this.pass(p);
      if (index < windows.length) return windows[index] as ProcedureStep[];
      index -= windows.length;
    }
  }

  private drawPass(index: number): ProcedureStep[][] {
    const rng = this.root.fork(`drill-pass/${this.pool.name}/${index}`);
    const windows: ProcedureStep[][] = [];
    for (const group of this.pool.groups) {
      const shuffled = rng.shuffle(group);
      let start = 0;
      for (const size of drillWindowSizes(shuffled.length, rng)) {
        const window = shuffled.slice(start, start + size);
        windows.push(this.pool.ordered ? window.sort((x, y) => x.left - y.left || x.right - y.right) : window);
        start += size;
      }
    }
    return rng.shuffle(windows);
  }
}
