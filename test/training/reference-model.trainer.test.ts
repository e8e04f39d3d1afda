import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { GradientEngine, defaultEngineSettings } from '../../src/engine/gradient.engine';
import { packWindows, splitIntoWindows } from '../../src/engine/sequence-windows';
import { loadModelDirectory } from '../../src/model/model-directory.loader';
import { TRAINING_FILES, trainReferenceModel } from '../../src/training/reference-model.trainer';
import { encodeBytes, END_OF_TEXT_ID } from '../../src/generation/byte-level.vocabulary';
import { parseLossLog } from '../../src/training/loss-log.writer';
import { CorruptCheckpointError, ModelDirectoryOccupiedError } from '../../src/training/training.errors';
import { oneThread, scratchDir, tinyCorpus, tinySettings } from './training.fixture';

describe('trainReferenceModel', () => {
  it('lowers the loss of a tiny model within 40 steps and writes a model the gradient engine loads', async () => {
    const dir = scratchDir('train');
    const settings = tinySettings();
    const r = await trainReferenceModel(settings, tinyCorpus(), { outDir: dir, session: oneThread, checkpointEvery: 20 });
    expect(r.step).toBe(40);
    const first = r.log.slice(0, 3).reduce((s, x) => s + x.loss, 0) / 3;
    const last = r.log.slice(-5).reduce((s, x) => s + x.loss, 0) / 5;
    expect(first).toBeGreaterThan(5); // ≈ ln 257 = 5.55 at initialisation
    expect(last).toBeLessThan(first - 2.5);

    // the files: log (one row per step), plot, summary, checkpoint
    const log = parseLossLog(readFileSync(join(dir, TRAINING_FILES.log), 'utf8'));
    expect(log.map((x) => x.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(readFileSync(join(dir, TRAINING_FILES.plot), 'utf8')).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
    expect(existsSync(join(dir, TRAINING_FILES.checkpoint))).toBe(true);

    // the gradient engine loads the directory and computes the same loss on a document
    const model = loadModelDirectory(dir);
    expect(model.tokenizer.encode('<|endoftext|>Hi')).toEqual([END_OF_TEXT_ID, 72, 105]);
    const tokens = [END_OF_TEXT_ID, ...encodeBytes('The capital of Velor is Danu.'), END_OF_TEXT_ID];
    const engine = new GradientEngine(model, defaultEngineSettings({ intraOpThreads: 1 }));
    const out = await engine.run({ labels: 'data' }, packWindows(splitIntoWindows({ tokens, scoreFrom: 0 }, 48), tokens.length));
    const nats = Number((out.loss!.data as Float32Array)[0]) / (tokens.length - 1);
    expect(nats).toBeLessThan(2); // learnt: far below ln 257
    for (const [name, t] of r.params) expect(Array.from(model.weights.tensors.get(name)!)).toEqual(Array.from(t));

    // the recorded fixed-batch loss is what the engine computes on those documents
    const fixed = JSON.parse(readFileSync(join(dir, TRAINING_FILES.fixedBatch), 'utf8')) as { texts: string[]; meanLoss: number };
    expect(fixed.texts).toEqual(tinyCorpus().texts.slice(0, 8));
    const seqs = fixed.texts.map((t) => [END_OF_TEXT_ID, ...encodeBytes(t), END_OF_TEXT_ID]);
    const windows = seqs.flatMap((s, i) => splitIntoWindows({ tokens: s, scoreFrom: 0 }, 48, i));
    const all = await engine.run({ labels: 'data' }, packWindows(windows, Math.max(...seqs.map((s) => s.length))));
    const scored = seqs.reduce((a, s) => a + s.length - 1, 0);
    expect(Number((all.loss!.data as Float32Array)[0]) / scored).toBeCloseTo(fixed.meanLoss, 4);
  });

  it('resumed from a checkpoint, ends with bit-identical weights and log to an uninterrupted run', async () => {
    const settings = tinySettings({ steps: 8 });
    const full = await trainReferenceModel(settings, tinyCorpus(), { outDir: scratchDir('full'), session: oneThread, checkpointEvery: 100 });
    const dir = scratchDir('resume');
    const part = await trainReferenceModel(settings, tinyCorpus(), { outDir: dir, session: oneThread, checkpointEvery: 100, stopAfterStep: 3 });
    expect(part.step).toBe(3);
    const rest = await trainReferenceModel(settings, tinyCorpus(), { outDir: dir, session: oneThread, resume: true, checkpointEvery: 100 });
    expect(rest.step).toBe(8);
    for (const [name, t] of full.params) expect(Buffer.from(rest.params.get(name)!.buffer).equals(Buffer.from(t.buffer))).toBe(true);
    // the log rows before the interruption come back from the CSV (6 decimals); those after are exact
    expect(rest.log.map((x) => x.loss.toFixed(6))).toEqual(full.log.map((x) => x.loss.toFixed(6)));
    expect(rest.log.slice(3).map((x) => x.loss)).toEqual(full.log.slice(3).map((x) => x.loss));
    expect(rest.log.map((x) => x.tokens)).toEqual(full.log.map((x) => x.tokens));
  });

  it('refuses to overwrite a model without --force, a corrupt checkpoint, and a resume with other settings', async () => {
    const settings = tinySettings({ steps: 2 });
    const dir = scratchDir('guard');
    await trainReferenceModel(settings, tinyCorpus(), { outDir: dir, session: oneThread });
    const before = readFileSync(join(dir, 'model.safetensors'));
    await expect(trainReferenceModel(settings, tinyCorpus(), { outDir: dir, session: oneThread })).rejects.toThrow(ModelDirectoryOccupiedError);
    expect(readFileSync(join(dir, 'model.safetensors')).equals(before)).toBe(true);

    await expect(trainReferenceModel({ ...settings, steps: 3 }, tinyCorpus(), { outDir: dir, session: oneThread, resume: true })).rejects.toThrow(
      /other settings or another world/,
    );
    await expect(trainReferenceModel(settings, { ...tinyCorpus(), fingerprint: 'other' }, { outDir: dir, session: oneThread, resume: true })).rejects.toThrow(
      CorruptCheckpointError,
    );

    const ckpt = join(dir, TRAINING_FILES.checkpoint);
    const bytes = readFileSync(ckpt);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 5]! ^= 0x40;
    writeFileSync(ckpt, flipped);
    await expect(trainReferenceModel(settings, tinyCorpus(), { outDir: dir, session: oneThread, resume: true })).rejects.toThrow(/SHA-256/);
    writeFileSync(ckpt, bytes.subarray(0, 100));
    await expect(trainReferenceModel(settings, tinyCorpus(), { outDir: dir, session: oneThread, resume: true })).rejects.toThrow(CorruptCheckpointError);
    await expect(trainReferenceModel(settings, tinyCorpus(), { outDir: scratchDir('none'), session: oneThread, resume: true })).rejects.toThrow(
      CorruptCheckpointError,
    );

    // --force starts over
    const again = await trainReferenceModel(settings, tinyCorpus(), { outDir: dir, session: oneThread, force: true });
    expect(again.step).toBe(2);
    expect(readFileSync(join(dir, 'model.safetensors')).equals(before)).toBe(true); // same seed, same result
  });
});
