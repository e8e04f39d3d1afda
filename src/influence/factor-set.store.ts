import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { Matrix } from '../math/dense-matrix';
import { CurvatureStrategy } from '../math/ekfac-preconditioner';
import { assertFinite } from '../math/finite.guard';
import { FactorSet, FisherKind, FitCounts, LayerFactors } from './factor-set';
import { decodeFloat64Safetensors, encodeFloat64Safetensors } from './float64-safetensors.codec';
import { FactorFileError, FactorMismatchError } from './influence.errors';

/** Format tag of factors.json. */
export const FACTOR_FORMAT = 'tracebase-factors/1';
/** File names inside a factor directory. */
export const FACTOR_FILES = Object.freeze({ tensors: 'factors.safetensors', provenance: 'factors.json' });

/**
 * The arguments a fit was made with — the factor set's identity; reuse with any other value is
 * refused. Damping is not among them: it is an argument of scoring (`ScoreArguments`), so one
 * fit serves every λ. (factors.json files written before this split carry an
 * `arguments.damping`; it is ignored.)
 */
export interface FactorArguments {
  readonly strategy: CurvatureStrategy;
  readonly fisher: FisherKind;
  /** Fitting documents cap (null: the whole corpus). */
  readonly maxDocs: number | null;
  readonly seed: number;
  readonly layers: readonly string[];
}

/** factors.json: arguments and provenance of a factor set (kronfluence records the same). */
export interface FactorProvenance {
  readonly format: typeof FACTOR_FORMAT;
  /** sha256 of the model directory's files (`LoadedModel.hash`). */
  readonly modelHash: string;
  /** sha256 of the fitting documents (see `corpusHash`). */
  readonly corpusHash: string;
  readonly arguments: FactorArguments;
  readonly counts: FitCounts;
  readonly layers: ReadonlyArray<{ name: string; rows: number; cols: number }>;
  /** sha256 of factors.safetensors. */
  readonly tensorsSha256: string;
  readonly createdAt: string;
}

const FIELDS: ReadonlyArray<[keyof LayerFactors, string]> = [
  ['covA', 'A'],
  ['covS', 'S'],
  ['qA', 'QA'],
  ['qS', 'QS'],
  ['lambdaA', 'lambdaA'],
  ['lambdaS', 'lambdaS'],
  ['eigenvalues', 'Lambda'],
  ['fisherDiagonal', 'diagF'],
];

/** Tensors of a factor set, named `<layer>.<A|S|QA|QS|lambdaA|lambdaS|Lambda|diagF>`. */
export function factorTensors(fs: FactorSet): Array<[string, Matrix]> {
  const out: Array<[string, Matrix]> = [];
  for (const l of fs.layers) for (const [key, suffix] of FIELDS) if (l[key]) out.push([`${l.name}.${suffix}`, l[key] as Matrix]);
  return out;
}

/**
 * Writes factors.safetensors (float64) and factors.json into `dir` atomically: both files go to
 * a temporary sibling directory that is renamed to `dir` only when complete, so a failed or
 * interrupted fit leaves no partial factor directory. Refuses an existing `dir` unless
 * `overwrite` (the old directory is then replaced in one rename).
 */
export function writeFactorSet(
  dir: string,
  fs: FactorSet,
  prov: Omit<FactorProvenance, 'format' | 'tensorsSha256' | 'createdAt' | 'layers' | 'counts'>,
  opts: { overwrite?: boolean } = {},
): FactorProvenance {
  if (existsSync(dir) && !opts.overwrite)
    throw new FactorMismatchError(`factor directory ${dir} already exists; choose another --out or pass --overwrite`, { file: dir });
  const tensors = factorTensors(fs);
  tensors.forEach(([name, m]) => assertFinite(m.data, { layer: name.slice(0, name.lastIndexOf('.')), tensor: name.slice(name.lastIndexOf('.') + 1) }));
  const bytes = encodeFloat64Safetensors(tensors, { format: FACTOR_FORMAT });
  const provenance: FactorProvenance = {
    format: FACTOR_FORMAT,
    ...prov,
    counts: fs.counts,
    layers: fs.layers.map((l) => ({ name: l.name, rows: l.rows, cols: l.cols })),
    tensorsSha256: createHash('sha256').update(bytes).digest('hex'),
    createdAt: new Date().toISOString(),
  };
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(tmp);
    writeFileSync(join(tmp, FACTOR_FILES.tensors), bytes);
    writeFileSync(join(tmp, FACTOR_FILES.provenance), `${JSON.stringify(provenance, null, 2)}\n`);
    if (existsSync(dir)) {
      const old = `${tmp}.old`;
      renameSync(dir, old);
      renameSync(tmp, dir);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return provenance;
}

/** Reads factors.json of `dir` (validated shape), without the tensors. */
export function readFactorProvenance(dir: string): FactorProvenance {
  const file = join(dir, FACTOR_FILES.provenance);
  if (!existsSync(file))
    throw new FactorFileError(`factor directory ${dir}: missing ${FACTOR_FILES.provenance} (fit factors with \`tracebase factors fit\`)`, { file });
  let p: FactorProvenance;
  try {
    p = JSON.parse(readFileSync(file, 'utf8')) as FactorProvenance;
  } catch (e) {
    throw new FactorFileError(`${file}: not valid JSON (${(e as Error).message})`, { file });
  }
  if (p.format !== FACTOR_FORMAT) throw new FactorFileError(`${file}: format ${String(p.format)}; expected ${FACTOR_FORMAT}`, { file });
  return p;
}

/** Reads a factor directory written by {@link writeFactorSet}, checking the tensor file's sha256, every expected tensor and finiteness. */
export function readFactorSet(dir: string): { factors: FactorSet; provenance: FactorProvenance } {
  const provenance = readFactorProvenance(dir);
  const file = join(dir, FACTOR_FILES.tensors);
  if (!existsSync(file)) throw new FactorFileError(`factor directory ${dir}: missing ${FACTOR_FILES.tensors}`, { file });
  const bytes = readFileSync(file);
  if (createHash('sha256').update(bytes).digest('hex') !== provenance.tensorsSha256) {
    throw new FactorFileError(`${file}: sha256 differs from the one recorded in ${FACTOR_FILES.provenance}; the file was modified or truncated`, { file });
  }
  const tensors = decodeFloat64Safetensors(bytes, file);
  const a = provenance.arguments;
  const need: Record<CurvatureStrategy, string[]> = {
    identity: [],
    diagonal: ['diagF'],
    kfac: ['A', 'S', 'QA', 'QS', 'lambdaA', 'lambdaS'],
    ekfac: ['A', 'S', 'QA', 'QS', 'lambdaA', 'lambdaS', 'Lambda'],
  };
  const layers: LayerFactors[] = provenance.layers.map((l) => {
    const entry: Record<string, unknown> = { name: l.name, rows: l.rows, cols: l.cols };
    for (const [key, suffix] of FIELDS) {
      const t = tensors.get(`${l.name}.${suffix}`);
      if (!t) {
        if (need[a.strategy].includes(suffix))
          throw new FactorFileError(`${file}: missing tensor ${l.name}.${suffix} for strategy ${a.strategy}`, { file, tensor: `${l.name}.${suffix}` });
        continue;
      }
      assertFinite(t.data, { layer: l.name, tensor: suffix });
      entry[key] = t;
    }
    return entry as unknown as LayerFactors;
  });
  return { factors: { strategy: a.strategy, fisher: a.fisher, layers, counts: provenance.counts }, provenance };
}

/**
 * Refuses to reuse factors fitted for another model, corpus or with other arguments, naming
 * every field that differs (kronfluence refuses such reuse too). Fields of `expected` that are
 * undefined are not checked.
 */
export function assertFactorsMatch(
  p: FactorProvenance,
  expected: { modelHash?: string; corpusHash?: string; arguments?: Partial<FactorArguments> },
  dir: string,
): void {
  const diffs: string[] = [];
  if (expected.modelHash !== undefined && expected.modelHash !== p.modelHash)
    diffs.push(`model hash ${p.modelHash.slice(0, 12)}… (factors) vs ${expected.modelHash.slice(0, 12)}… (this model)`);
  if (expected.corpusHash !== undefined && expected.corpusHash !== p.corpusHash)
    diffs.push(`corpus hash ${p.corpusHash.slice(0, 12)}… vs ${expected.corpusHash.slice(0, 12)}…`);
  for (const [k, v] of Object.entries(expected.arguments ?? {})) {
    if (v === undefined) continue;
    const have = (p.arguments as unknown as Record<string, unknown>)[k];
    if (JSON.stringify(have) !== JSON.stringify(v)) diffs.push(`${k} ${JSON.stringify(have)} (factors) vs ${JSON.stringify(v)} (requested)`);
  }
  if (diffs.length > 0) {
    throw new FactorMismatchError(
      `factors in ${dir} were fitted for another model, corpus or arguments: ${diffs.join('; ')}. Fit new factors into another directory (or pass --overwrite).`,
      { dir, differences: diffs },
    );
  }
}
