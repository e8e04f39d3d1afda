import { SingleFlight } from '../../src/services/single-flight';

describe('SingleFlight', () => {
  it('runs one computation per key while it is under way, and forgets it once settled', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const compute = async () => {
      runs++;
      await gate;
      return 42;
    };
    const waiting = [flight.run('a', compute), flight.run('a', compute), flight.run('b', compute)];
    expect(flight.size).toBe(2);
    release();
    expect(await Promise.all(waiting)).toEqual([42, 42, 42]);
    expect(runs).toBe(2);
    expect(flight.size).toBe(0);
    await flight.run('a', compute);
    expect(runs).toBe(3);
  });

  it('gives a failure to every waiting caller, then lets the key run again', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    const failing = async () => {
      runs++;
      await Promise.resolve();
      throw new Error('engine failed');
    };
    const both = [flight.run('k', failing), flight.run('k', failing)];
    for (const p of both) await expect(p).rejects.toThrow('engine failed');
    expect(runs).toBe(1);
    await expect(flight.run('k', async () => 7)).resolves.toBe(7);
  });
});
