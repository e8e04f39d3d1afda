import { ProgressLine } from '../../src/cli/progress-line';

describe('ProgressLine', () => {
  const line = new ProgressLine('ingest', 'docs', { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream);

  it('shows an ETA while work is being done', async () => {
    await new Promise((r) => setTimeout(r, 20));
    expect(line.render(10, 100, '')).toMatch(/ETA \d+ s/);
  });

  it('shows why instead of an ETA when nobody does the remaining work', () => {
    const text = line.render(10, 100, '', 'waiting for 2 job(s) held by a stopped process; reclaiming');
    expect(text).toMatch(/waiting for 2 job\(s\) held by a stopped process; reclaiming/);
    expect(text).not.toMatch(/ETA/);
  });
});
