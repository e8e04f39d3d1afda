import { FULL_DEFAULTS, parseRetrievalBenchOptions, QUICK_DEFAULTS } from '../../bench/retrieval/retrieval-options';

describe('parseRetrievalBenchOptions', () => {
  it('defaults to the issue sizes and sweep; --quick to a smoke run', () => {
    const full = parseRetrievalBenchOptions([]);
    expect(full).toMatchObject({
      sizes: [10_000, 100_000],
      ranks: [8, 16],
      queries: 20,
      efSearch: [40, 100, 200, 400, 800],
      loadSeconds: 10,
      connections: 32,
      k: 100,
      keep: false,
      quick: false,
    });
    const quick = parseRetrievalBenchOptions(['--quick']);
    expect(quick).toMatchObject({ sizes: [2000], queries: QUICK_DEFAULTS.queries, loadSeconds: 3, quick: true });
    expect(quick.realDocuments).toBeLessThan(FULL_DEFAULTS.realDocuments);
  });

  it('reads values in both spellings, sorts and de-duplicates lists, adds 1M with --million', () => {
    const o = parseRetrievalBenchOptions([
      '--sizes',
      '100000,10000,10000',
      '--ef=800,40',
      '--million',
      '--keep',
      '--noise',
      '0.25',
      '--reuse',
      'postgresql://u@h/db',
      '--rank',
      '16',
    ]);
    expect(o.sizes).toEqual([10_000, 100_000, 1_000_000]);
    expect(o.ranks).toEqual([16]);
    expect(o.efSearch).toEqual([40, 800]);
    expect(o).toMatchObject({ keep: true, noise: 0.25, reuse: 'postgresql://u@h/db' });
    expect(parseRetrievalBenchOptions(['--quick', '--no-load']).loadSeconds).toBe(0);
    expect(parseRetrievalBenchOptions(['--real-documents', '10', '--fit-documents', '50']).fitDocuments).toBe(10);
  });

  it('refuses bad command lines, naming the option', () => {
    expect(() => parseRetrievalBenchOptions(['--size', '10'])).toThrow(/unknown option --size/);
    expect(() => parseRetrievalBenchOptions(['--queries'])).toThrow(/--queries needs a value/);
    expect(() => parseRetrievalBenchOptions(['--queries', '--keep'])).toThrow(/--queries needs a value/);
    expect(() => parseRetrievalBenchOptions(['--ef', '40,2000'])).toThrow(/--ef must be an integer from 1 to 1000/);
    expect(() => parseRetrievalBenchOptions(['--sizes', '50'])).toThrow(/50 documents are fewer than k = 100/);
    expect(() => parseRetrievalBenchOptions(['--noise', '-1'])).toThrow(/--noise must be a number >= 0/);
    expect(() => parseRetrievalBenchOptions(['--reuse', 'db'])).toThrow(/--reuse must be a postgresql/);
    expect(() => parseRetrievalBenchOptions(['--keep=yes'])).toThrow(/--keep takes no value/);
    expect(() => parseRetrievalBenchOptions(['stray'])).toThrow(/unexpected argument/);
  });
});
