import { drillPools, poolOperations } from '../../src/world/drill-pools';
import { ProcedureStep } from '../../src/world/world.types';

const written = (s: ProcedureStep) => `${s.left} ${s.op} ${s.right} = ${s.result}`;

/**
 * Every step the three reasoning tasks can write, enumerated over all instances of their
 * documented ranges and computed here, not by the generators.
 */
function everyTaskStep(): Set<string> {
  const steps = new Set<string>();
  for (let a = 1; a <= 20; a += 1) {
    for (let b = 1; b <= 20; b += 1) {
      for (let c = 2; c <= 9; c += 1) {
        steps.add(`${a} + ${b} = ${a + b}`).add(`${a + b} * ${c} = ${(a + b) * c}`);
        if (a > b) steps.add(`${a} - ${b} = ${a - b}`).add(`${a - b} * ${c} = ${(a - b) * c}`);
      }
    }
  }
  for (let x1 = 0; x1 <= 20; x1 += 1) {
    for (let x2 = x1 + 1; x2 <= Math.min(20, x1 + 10); x2 += 1) {
      for (let y1 = 0; y1 <= 20; y1 += 1) {
        for (let y2 = 0; y2 <= 20; y2 += 1) {
          const [dy, dx] = [y2 - y1, x2 - x1];
          if (dy % dx !== 0) continue;
          steps.add(`${y2} - ${y1} = ${dy}`).add(`${x2} - ${x1} = ${dx}`).add(`${dy} / ${dx} = ${dy / dx === 0 ? 0 : dy / dx}`);
        }
      }
    }
  }
  for (let a = 2; a <= 9; a += 1) {
    for (let b = 1; b <= 20; b += 1) {
      for (let x = 1; x <= 12; x += 1) steps.add(`${a * x + b} - ${b} = ${a * x}`).add(`${a * x} / ${a} = ${x}`);
    }
  }
  return steps;
}

describe('drill pools', () => {
  const pools = drillPools();

  it('hold exactly the operations the reasoning tasks perform, each in one pool', () => {
    const all = pools.flatMap((pool) => poolOperations(pool).map(written));
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(everyTaskStep());
  });

  it('have the documented sizes, one operation each, all arithmetically right', () => {
    const sizes = Object.fromEntries(pools.map((pool) => [pool.name, poolOperations(pool).length]));
    expect(sizes).toEqual({ addition: 400, subtraction: 441, 'equation-subtraction': 869, multiplication: 320, division: 184 });
    const ops: Record<string, string> = { addition: '+', subtraction: '-', 'equation-subtraction': '-', multiplication: '*', division: '/' };
    for (const pool of pools) {
      for (const s of poolOperations(pool)) {
        expect(s.op).toBe(ops[pool.name]);
        const value = s.op === '+' ? s.left + s.right : s.op === '-' ? s.left - s.right : s.op === '*' ? s.left * s.right : s.left / s.right;
        expect({ step: written(s), value }).toEqual({ step: written(s), value: s.result });
        expect(Number.isInteger(s.result)).toBe(true);
      }
    }
  });

  it('group multiplications into times tables of one multiplier (1..40 times c)', () => {
    const multiplication = pools.find((p) => p.name === 'multiplication');
    expect(multiplication?.ordered).toBe(true);
    expect(multiplication?.groups.map((g) => g[0]?.right)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    for (const group of multiplication?.groups ?? []) {
      expect(new Set(group.map((s) => s.right)).size).toBe(1);
      expect(group.map((s) => s.left)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    }
    for (const pool of pools.filter((p) => p.name !== 'multiplication')) {
      expect(pool.groups).toHaveLength(1);
      expect(pool.ordered).toBe(false);
    }
  });
});
