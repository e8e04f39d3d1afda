import { existsSync } from 'node:fs';

import { DEFAULT_DAMPING } from '../math/damping';
import { CurvatureStrategy } from '../math/ekfac-preconditioner';

import { GradientEngine, defaultEngineSettings } from '../engine/gradient.engine';
import { loadModelDirectory } from '../model/model-directory.loader';
import { readCorpusFile } from './corpus-jsonl.reader';
import { corpusHash } from './corpus.hash';
import { fitFactors } from './factor-fit.pipeline';
import { FisherKind, layerPreconditioners, resolvedDampings } from './factor-set';
import { assertFactorsMatch, readFactorProvenance, readFactorSet, writeFactorSet } from './factor-set.store';
import { trackedLayers } from './layer-tensors.adapter';
import { tokenizeDocuments } from './tokenized-sequence';

/** What `fitFactorDirectory` fits, and where it writes. */
export interface FactorDirectoryRequest {
  /** Model directory (HF GPT-2 layout). */
  modelDir: string;
  /** Corpus JSONL (`id`, `text` per line). */
  corpusFile: string;
  /** Factor directory to write (factors.safetensors + factors.json). */
  outDir: string;
  strategy: CurvatureStrategy;
  fisher: FisherKind;
  /** Fit on the first N documents (null: all). */
  maxDocs: number | null;
  /** Seed of the sampled labels. */
  seed: number;
  /** Tracked layers (default: both MLP linears of every block). */
  layers?: readonly string[];
  /** Context windows per engine batch. */
  batchWindows: number;
  /** Replace factors fitted with other arguments in `outDir`. */
  overwrite: boolean;
  device: 'cpu' | 'cuda';
  threads?: number;
  /** Called after each batch of each fitting pass. */
  onProgress?: (p: { pass: string; sequences: number; total: number }) => void;
}

/** What `fitFactorDirectory` did. */
export interface FactorDirectoryResult {
  outDir: string;
  /** True when `outDir` already held factors of the same model, corpus and arguments. */
  reused: boolean;
  strategy: CurvatureStrategy;
  fisher: FisherKind;
  documents: number | null;
  windows?: number;
  tokens?: number;
  /** λ_ℓ per tracked layer under the default damping (0.1 × mean eigenvalue), when fitted now; scoring may choose another. */
  defaultDamping?: Record<string, number>;
  seconds: number;
}

/**
 * Fits curvature factors of a model on a corpus sample and writes them atomically
 * (docs/design.md "Mathematics": pass 1 covariances A_ℓ, S_ℓ and their eigenbases, pass 2 EK-FAC Λ_ℓ). An
 * existing `outDir` fitted for the same model hash, corpus hash and arguments is reused (after
 * an integrity check); one fitted with anything else is refused unless `overwrite`.
 */
export async function fitFactorDirectory(req: FactorDirectoryRequest): Promise<FactorDirectoryResult> {
  const started = Date.now();
  const model = loadModelDirectory(req.modelDir);
  const layers = req.layers ?? model.family.defaultTrackedLayers(model.config);
  trackedLayers(model, layers);
  const docs = await readCorpusFile(req.corpusFile, req.maxDocs === null ? {} : { maxDocs: req.maxDocs });
  const args = { strategy: req.strategy, fisher: req.fisher, maxDocs: req.maxDocs, seed: req.seed, layers: [...layers] };
  const expected = { modelHash: model.hash, corpusHash: corpusHash(docs), arguments: args };
  if (existsSync(req.outDir) && !req.overwrite) {
    const prov = readFactorProvenance(req.outDir);
    assertFactorsMatch(prov, expected, req.outDir);
    readFactorSet(req.outDir); // integrity check
    return {
      outDir: req.outDir,
      reused: true,
      strategy: req.strategy,
      fisher: req.fisher,
      documents: prov.counts.sequences ?? null,
      seconds: (Date.now() - started) / 1000,
    };
  }
  const engine = new GradientEngine(model, defaultEngineSettings({ device: req.device, ...(req.threads ? { intraOpThreads: req.threads } : {}) }));
  const fs = await fitFactors(engine, tokenizeDocuments(model.tokenizer, docs), {
    strategy: req.strategy,
    fisher: req.fisher,
    seed: req.seed,
    tracked: [...layers],
    batchWindows: req.batchWindows,
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
  });
  const dampings = resolvedDampings(layerPreconditioners(fs, DEFAULT_DAMPING));
  writeFactorSet(req.outDir, fs, expected, { overwrite: req.overwrite });
  return {
    outDir: req.outDir,
    reused: false,
    strategy: req.strategy,
    fisher: req.fisher,
    documents: fs.counts.sequences,
    windows: fs.counts.windows,
    tokens: fs.counts.tokens,
    defaultDamping: Object.fromEntries(fs.layers.map((l, k) => [l.name, dampings[k]!])),
    seconds: (Date.now() - started) / 1000,
  };
}
