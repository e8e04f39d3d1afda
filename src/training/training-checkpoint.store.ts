import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

import { Gpt2Config, gpt2ParameterSpecs } from '../model-families/gpt2';
import { SafetensorsFile } from '../model/safetensors.reader';
import { Float32Tensor } from '../model/safetensors.reader';
import { writeSafetensors } from '../model/safetensors.writer';
import { DataCursor } from './training-batch.packer';
import { writeFileAtomic } from './model-directory.writer';
import { CorruptCheckpointError } from './training.errors';

/** Everything besides tensors that a resumed run needs to continue bit-for-bit. */
export interface CheckpointState {
  /** Optimiser steps completed (Adam's t). */
  step: number;
  /** Run seed; with the cursor it fixes the random streams (data order of epoch e = stream (seed, "data/e")). */
  seed: number;
  /** Next row of the packed data stream. */
  cursor: DataCursor;
  /** Scored tokens seen so far. */
  tokensSeen: number;
  /** Wall-clock seconds of training so far (excluding time between runs). */
  elapsedSeconds: number;
  /** Fingerprint of the run: settings and world that must match on resume. */
  runKey: string;
}

/** A checkpoint: parameters, Adam moments, and state. */
export interface TrainingCheckpoint {
  state: CheckpointState;
  params: Map<string, Float32Array>;
  adamM: Map<string, Float32Array>;
  adamV: Map<string, Float32Array>;
}

const FORMAT = 'tracebase-training-checkpoint/1';

function tensorDigest(tensors: ReadonlyArray<[string, Float32Tensor]>): string {
  const h = createHash('sha256');
  for (const [name, t] of tensors) {
    h.update(name);
    h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return h.digest('hex');
}

/**
 * Serialises a checkpoint to one safetensors file: tensors `param.<name>`, `adam.m.<name>`,
 * `adam.v.<name>` (F32, HF layout) and `__metadata__` {format, state (JSON), sha256 of the
 * tensor names and bytes}. The file is written atomically (temporary file, fsync, rename), so
 * an interrupted write leaves the previous checkpoint intact.
 */
export function saveCheckpoint(file: string, config: Gpt2Config, ckpt: TrainingCheckpoint): void {
  const tensors: Array<[string, Float32Tensor]> = [];
  for (const spec of gpt2ParameterSpecs(config)) {
    const zeros = () => new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
    tensors.push([`param.${spec.name}`, { shape: spec.shape, data: ckpt.params.get(spec.name)! }]);
    tensors.push([`adam.m.${spec.name}`, { shape: spec.shape, data: ckpt.adamM.get(spec.name) ?? zeros() }]);
    tensors.push([`adam.v.${spec.name}`, { shape: spec.shape, data: ckpt.adamV.get(spec.name) ?? zeros() }]);
  }
  writeFileAtomic(file, writeSafetensors(tensors, { format: FORMAT, state: JSON.stringify(ckpt.state), sha256: tensorDigest(tensors) }));
}

/**
 * Reads a checkpoint written by {@link saveCheckpoint} for a model of `config`.
 * @throws CorruptCheckpointError when the file is missing, not safetensors, of another format,
 *   lacks or mis-shapes a tensor, has unreadable state, or its tensor checksum does not match
 */
export function loadCheckpoint(file: string, config: Gpt2Config): TrainingCheckpoint {
  if (!existsSync(file)) throw new CorruptCheckpointError(file, 'the file does not exist');
  let st: SafetensorsFile;
  try {
    st = SafetensorsFile.parse(readFileSync(file), file);
  } catch (e) {
    throw new CorruptCheckpointError(file, `it is not a readable safetensors file (${(e as Error).message})`);
  }
  if (st.metadata.format !== FORMAT) throw new CorruptCheckpointError(file, `unknown format ${JSON.stringify(st.metadata.format)} (expected ${FORMAT})`);
  let state: CheckpointState;
  try {
    state = JSON.parse(st.metadata.state ?? '') as CheckpointState;
  } catch {
    throw new CorruptCheckpointError(file, 'its state metadata is not JSON');
  }
  if (!Number.isInteger(state?.step) || !Number.isInteger(state.seed) || !state.cursor || typeof state.runKey !== 'string') {
    throw new CorruptCheckpointError(file, 'its state metadata lacks step, seed, cursor or run key');
  }
  const params = new Map<string, Float32Array>();
  const adamM = new Map<string, Float32Array>();
  const adamV = new Map<string, Float32Array>();
  const read: Array<[string, Float32Tensor]> = [];
  for (const spec of gpt2ParameterSpecs(config)) {
    for (const [prefix, into] of [
      ['param.', params],
      ['adam.m.', adamM],
      ['adam.v.', adamV],
    ] as const) {
      const name = `${prefix}${spec.name}`;
      const e = st.entry(name);
      if (!e || e.dtype !== 'F32' || e.shape.join(',') !== spec.shape.join(',')) {
        throw new CorruptCheckpointError(file, `tensor ${name} is missing or not F32 [${spec.shape}]`);
      }
      let t: Float32Tensor;
      try {
        t = st.readFloat32(name);
      } catch (err) {
        throw new CorruptCheckpointError(file, `tensor ${name} cannot be read (${(err as Error).message})`);
      }
      into.set(spec.name, Float32Array.from(t.data));
      read.push([name, t]);
    }
  }
  if (tensorDigest(read) !== st.metadata.sha256) throw new CorruptCheckpointError(file, 'the SHA-256 of its tensors does not match the recorded one');
  return { state, params, adamM, adamV };
}
