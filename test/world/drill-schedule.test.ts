import { drillPools, poolOperations } from '../../src/world/drill-pools';
import { DRILL_OPERATIONS, drillWindowSizes, DrillSchedule } from '../../src/world/drill-schedule';
import { SeededRandom } from '../../src/math/seeded-random';
import { WorldInvariantError } from '../../src/world/world.errors';
import { ProcedureStep } from '../../src/world/world.types';

const written = (s: ProcedureStep) => `${s.left} ${s.op} ${s.right} = ${s.result}`;

describe('drillWindowSizes', () => {
  it('cuts any count of at least 6 into parts of 6 to 12 that sum to it', () => {
    const rng = new SeededRandom(3, 'sizes');
    const bad: string[] = [];
    for (let count = DRILL_OPERATIONS.min; count <= 900; count += 1) {
      const sizes = drillWindowSizes(count, rng);
      const outside = sizes.filter((size) => size < DRILL_OPERATIONS.min || size > DRILL_OPERATIONS.max);
      if (sizes.reduce((a, b) => a + b, 0) !== count || outside.length > 0) bad.push(`${count}: ${sizes.join(',')}`);
    }
    expect(bad).toEqual([]);
    const sizes = drillWindowSizes(869, rng);
    expect(new Set(sizes).size).toBeGreaterThan(4);
  });

  it('refuses fewer operations than one drill lists', () => {
    expect(() => drillWindowSizes(5, new SeededRandom(1))).toThrow(RangeError);
  });
});

describe('DrillSchedule', () => {
  const pools = drillPools();

  it('lists every operation of a pool exactly once per pass, in windows of 6 to 12', () => {
    for (const pool of pools) {
      const schedule = new DrillSchedule(new SeededRandom(5), pool);
      const expected = poolOperations(pool).map(written).sort();
      for (const pass of [0, 1, 2]) {
        const windows = schedule.pass(pass);
        expect(windows.flat().map(written).sort()).toEqual(expected);
        for (const w of windows) {
          expect(w.length).toBeGreaterThanOrEqual(6);
          expect(w.length).toBeLessThanOrEqual(12);
          if (pool.name === 'multiplication') {
            expect(new Set(w.map((s) => s.right)).size).toBe(1);
            expect(w.map((s) => s.left)).toEqual([...w.map((s) => s.left)].sort((a, b) => a - b));
          }
        }
      }
      expect(schedule.pass(1).map((w) => w.map(written).join())).not.toEqual(schedule.pass(0).map((w) => w.map(written).join()));
    }
  });

  it('is a function of the seed and the drill index alone', () => {
    const pool = pools.find((p) => p.name === 'addition')!;
    const sequential = new DrillSchedule(new SeededRandom(9), pool);
    const direct = new DrillSchedule(new SeededRandom(9), pool);
    const late = direct.operations(500).map(written);
    const all = Array.from({ length: 501 }, (_, k) => sequential.operations(k).map(written));
    expect(all[500]).toEqual(late);
    expect(new DrillSchedule(new SeededRandom(9), pool).operations(0)).toEqual(sequential.operations(0));
    expect(new DrillSchedule(new SeededRandom(10), pool).pass(0).map((w) => w.map(written).join())).not.toEqual(
      sequential.pass(0).map((w) => w.map(written).join()),
    );
  });

  it('counts whole passes and the rounded share of a fractional one', () => {
    const pool = pools.find((p) => p.name === 'division')!;
    const schedule = new DrillSchedule(new SeededRandom(2), pool);
    const [p0, p1, p2] = [0, 1, 2].map((p) => schedule.pass(p).length) as [number, number, number];
    expect(schedule.documentCount(0)).toBe(0);
    expect(schedule.documentCount(1)).toBe(p0);
    expect(schedule.documentCount(2)).toBe(p0 + p1);
    expect(schedule.documentCount(2.5)).toBe(p0 + p1 + Math.round(p2 / 2));
    expect(schedule.documentCount(0.5)).toBe(Math.round(p0 / 2));
    expect(() => schedule.documentCount(-1)).toThrow(WorldInvariantError);
    expect(() => schedule.documentCount(Number.NaN)).toThrow(WorldInvariantError);
  });
});
