/**
 * Command-line options of `npm run bench:retrieval` (parsed without I/O, so that they can be
 * tested). See bench/retrieval.bench.ts for what each one changes.
 */

/** Everything one benchmark run is set up with. */
export interface RetrievalBenchOptions {
  /** Synthetic corpus sizes N, ascending. */
  readonly sizes: readonly number[];
  /** World queries to measure (real query vectors through the platform's query service). */
  readonly queries: number;
  /** hnsw.ef_search values of the sweep (the service's own default is always measured too). */
  readonly efSearch: readonly number[];
  /** Timed passes over the queries per setting (latency samples = queries × repeats). */
  readonly repeats: number;
  /** k of recall@k and of every search. */
  readonly k: number;
  /** HTTP load: seconds, and concurrent connections; 0 seconds skips it. */
  readonly loadSeconds: number;
  readonly connections: number;
  /** Real documents to ingest from the world (evenly spaced over its corpus). */
  readonly realDocuments: number;
  /** Documents the curvature factors are fitted on (the first of the real ones). */
  readonly fitDocuments: number;
  /**
   * Projection spaces measured: per-layer rank r_o = r_i of each (ascending), and the most
   * sketch dims of all. With the reference model (8 MLP layers) rank 8 gives 512 full dims, so
   * the 512-dim sketch is the whole vector in half precision (`tracebase ingest`'s defaults);
   * rank 16 gives 2 048 full dims, whose sketch is the leading 8 × 8 block of each layer.
   */
  readonly ranks: readonly number[];
  readonly sketchDims: number;
  /** Replication (bench/retrieval/vector-replication.ts). */
  readonly noise: number;
  readonly scaleSpread: number;
  readonly seed: number;
  /** Concurrent repository upserts while writing synthetic vectors. */
  readonly writeConcurrency: number;
  /** onnxruntime intra-op threads of the in-process worker (undefined: all cores). */
  readonly threads?: number;
  /** Keep the database (and the work directory) at the end. */
  readonly keep: boolean;
  /** postgresql:// URL of a database kept by an earlier run: reuse what it holds. */
  readonly reuse?: string;
  readonly modelDir?: string;
  readonly worldDir?: string;
  readonly workDir?: string;
  readonly jsonFile?: string;
  readonly quick: boolean;
}

/** Raised for a bad command line; the message names the option. */
export class BenchOptionError extends Error {
  override readonly name = 'BenchOptionError';
}

/** The defaults: the sizes and sweep. */
export const FULL_DEFAULTS = {
  sizes: [10_000, 100_000],
  queries: 20,
  efSearch: [40, 100, 200, 400, 800],
  repeats: 3,
  k: 100,
  loadSeconds: 10,
  connections: 32,
  realDocuments: 2_500,
  fitDocuments: 256,
  ranks: [8, 16],
  sketchDims: 512,
  noise: 0.5,
  scaleSpread: 0.25,
  seed: 1,
  writeConcurrency: 2,
} as const;

/** `--quick`: a smoke run of a few minutes (N = 2000, few queries, 3 s of load). */
export const QUICK_DEFAULTS = {
  ...FULL_DEFAULTS,
  sizes: [2_000],
  ranks: [16],
  queries: 6,
  efSearch: [40, 200, 800],
  repeats: 1,
  loadSeconds: 3,
  realDocuments: 160,
  fitDocuments: 48,
} as const;

const VALUE_OPTIONS = new Set([
  'sizes',
  'queries',
  'ef',
  'repeats',
  'k',
  'duration',
  'connections',
  'real-documents',
  'fit-documents',
  'rank',
  'sketch-dims',
  'noise',
  'scale-spread',
  'seed',
  'write-concurrency',
  'threads',
  'reuse',
  'model',
  'world',
  'work',
  'json',
]);
const SWITCHES = new Set(['quick', 'keep', 'million', 'no-load']);

function positiveInt(name: string, raw: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new BenchOptionError(`--${name} must be an integer from 1 to ${max}, got "${raw}"`);
  return n;
}

function nonNegative(name: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new BenchOptionError(`--${name} must be a number >= 0, got "${raw}"`);
  return n;
}

function intList(name: string, raw: string, max: number): number[] {
  const values = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => positiveInt(name, s, max));
  if (values.length === 0) throw new BenchOptionError(`--${name} needs at least one value`);
  return [...new Set(values)].sort((a, b) => a - b);
}

/** Parses `argv` (without node and the script). Unknown options are refused by name. */
export function parseRetrievalBenchOptions(argv: readonly string[]): RetrievalBenchOptions {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new BenchOptionError(`unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (SWITCHES.has(name)) {
      if (inline !== undefined) throw new BenchOptionError(`--${name} takes no value`);
      switches.add(name);
    } else if (VALUE_OPTIONS.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new BenchOptionError(`--${name} needs a value`);
      values.set(name, value);
    } else {
      throw new BenchOptionError(`unknown option --${name}`);
    }
  }
  const quick = switches.has('quick');
  const d = quick ? QUICK_DEFAULTS : FULL_DEFAULTS;
  const get = <T>(name: string, parse: (raw: string) => T, fallback: T): T => {
    const raw = values.get(name);
    return raw === undefined ? fallback : parse(raw);
  };
  let sizes = get('sizes', (r) => intList('sizes', r, 10_000_000), [...d.sizes]);
  if (switches.has('million')) sizes = [...new Set([...sizes, 1_000_000])].sort((a, b) => a - b);
  const k = get('k', (r) => positiveInt('k', r, 1000), d.k);
  const tooSmall = sizes.find((n) => n < k);
  if (tooSmall !== undefined) throw new BenchOptionError(`--sizes: ${tooSmall} documents are fewer than k = ${k}`);
  const realDocuments = get('real-documents', (r) => positiveInt('real-documents', r), d.realDocuments);
  const fitDocuments = get('fit-documents', (r) => positiveInt('fit-documents', r), d.fitDocuments);
  const threads = values.has('threads') ? positiveInt('threads', values.get('threads')!, 1024) : undefined;
  const reuse = values.get('reuse');
  if (reuse !== undefined && !/^postgres(ql)?:\/\//.test(reuse)) throw new BenchOptionError(`--reuse must be a postgresql:// URL, got "${reuse}"`);
  return {
    sizes,
    queries: get('queries', (r) => positiveInt('queries', r, 500), d.queries),
    // ef_search above 1000 is refused by pgvector and by the repository
    efSearch: get('ef', (r) => intList('ef', r, 1000), [...d.efSearch]),
    repeats: get('repeats', (r) => positiveInt('repeats', r, 100), d.repeats),
    k,
    loadSeconds: switches.has('no-load') ? 0 : get('duration', (r) => positiveInt('duration', r, 3600), d.loadSeconds),
    connections: get('connections', (r) => positiveInt('connections', r, 1024), d.connections),
    realDocuments,
    fitDocuments: Math.min(fitDocuments, realDocuments),
    ranks: get('rank', (r) => intList('rank', r, 1024), [...d.ranks]),
    sketchDims: get('sketch-dims', (r) => positiveInt('sketch-dims', r, 4000), d.sketchDims),
    noise: get('noise', (r) => nonNegative('noise', r), d.noise),
    scaleSpread: get('scale-spread', (r) => nonNegative('scale-spread', r), d.scaleSpread),
    seed: get('seed', (r) => positiveInt('seed', r, 2 ** 31 - 1), d.seed),
    writeConcurrency: get('write-concurrency', (r) => positiveInt('write-concurrency', r, 16), d.writeConcurrency),
    ...(threads !== undefined ? { threads } : {}),
    keep: switches.has('keep'),
    ...(reuse !== undefined ? { reuse } : {}),
    ...(values.has('model') ? { modelDir: values.get('model')! } : {}),
    ...(values.has('world') ? { worldDir: values.get('world')! } : {}),
    ...(values.has('work') ? { workDir: values.get('work')! } : {}),
    ...(values.has('json') ? { jsonFile: values.get('json')! } : {}),
    quick,
  };
}
