import { ProgressLine } from '../../src/cli/progress-line';

function display() {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => (lines.push(s), true) } as unknown as NodeJS.WriteStream;
  let t = 1_000_000;
  const clock = { advance: (ms: number) => (t += ms) };
  const line = new ProgressLine('import', 'documents', stream, () => t);
  return { lines, clock, line };
}

describe('ProgressLine', () => {
  it('shows no rate or ETA on a first line that follows one fast batch, then the rate measured since it', () => {
    const { lines, clock, line } = display();
    clock.advance(1); // a batch of 500 finished 1 ms after the start: no rate can be known yet
    line.update(500, 2000);
    expect(lines[0]).toBe('[######..................] 25%  import: 500 / 2000 documents\n');
    clock.advance(6000);
    line.update(1100, 2000);
    // 600 documents in 6 s since the first update: 100/s, 900 left: 9 s
    expect(lines[1]).toBe('[#############...........] 55%  import: 1100 / 2000 documents  ETA 9 s  100 documents/s\n');
    clock.advance(9000);
    line.finish(2000, 2000);
    expect(lines[2]).toBe('[########################] 100%  import: 2000 / 2000 documents  100 documents/s  in 15.0 s\n');
  });

  it('finishes a step shorter than a second without a rate', () => {
    const { lines, clock, line } = display();
    clock.advance(3);
    line.finish(500, undefined);
    expect(lines).toEqual(['import: 500 documents  in 0.0 s\n']);
  });

  it('shows why instead of an ETA while nobody does the remaining work', () => {
    const { lines, clock, line } = display();
    line.update(10, 100);
    clock.advance(6000);
    line.update(40, 100);
    expect(lines[1]).toMatch(/ETA \d+ s/);
    clock.advance(6000);
    line.update(40, 100, '', 'waiting for 2 job(s) held by a stopped process; reclaiming');
    expect(lines[2]).toMatch(/waiting for 2 job\(s\) held by a stopped process; reclaiming/);
    expect(lines[2]).not.toMatch(/ETA/);
  });
});
