import * as ort from 'onnxruntime-node';

import { TracebaseError } from '../errors/tracebase.error';
import { DType, TensorData } from './graph.types';

/** Where a session runs. */
export type Device = 'cpu' | 'cuda';

/** Raised when the requested execution provider (e.g. CUDA) is not available in this onnxruntime build. */
export class DeviceUnavailableError extends TracebaseError {
  constructor(device: Device, cause: string) {
    super(
      'DEVICE_UNAVAILABLE',
      `device ${device} is not available: onnxruntime-node could not start the ${device.toUpperCase()} execution provider (${cause}). ` +
        'Install onnxruntime-node with --onnxruntime-node-install=cuda12 on a machine with an NVIDIA GPU and CUDA 12, or use --device cpu.',
      { device },
    );
  }
}

/** Session options: device and explicit thread counts. */
export interface SessionSettings {
  device: Device;
  /** Threads inside one op (CPU). Defaults to the number of CPU cores. */
  intraOpThreads: number;
  /** Threads across independent ops; 1 = sequential execution. */
  interOpThreads: number;
  /**
   * onnxruntime graph optimisation level. 'all' enables fusions (e.g. Gelu, LayerNorm) whose
   * kernels are fast but, in float64, only accurate to ≈1e-10 relative; verification runs in
   * float64 use 'basic'. Default 'all'.
   */
  optimization?: 'basic' | 'all';
}

/** A host tensor: typed data, static dims. */
export interface HostTensor {
  dtype: DType;
  dims: readonly number[];
  data: TensorData;
}

/** Creates an onnxruntime session from ONNX bytes with explicit device and thread settings. */
export async function createSession(model: Uint8Array, s: SessionSettings): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: s.device === 'cuda' ? ['cuda'] : ['cpu'],
    intraOpNumThreads: s.intraOpThreads,
    interOpNumThreads: s.interOpThreads,
    executionMode: s.interOpThreads > 1 ? 'parallel' : 'sequential',
    graphOptimizationLevel: s.optimization ?? 'all',
    enableCpuMemArena: true,
    enableMemPattern: true,
    logSeverityLevel: 3,
  };
  try {
    return await ort.InferenceSession.create(model, options);
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    if (s.device === 'cuda') throw new DeviceUnavailableError('cuda', msg.split('\n')[0]!);
    throw e;
  }
}

function toOrt(t: HostTensor): ort.Tensor {
  const type = t.dtype === 'float32' ? 'float32' : t.dtype === 'float64' ? 'float64' : t.dtype === 'int64' ? 'int64' : 'bool';
  return new ort.Tensor(type, t.data as never, [...t.dims]);
}

/** Runs a session on host tensors and returns every output as a host typed array. */
export async function runSession(
  session: ort.InferenceSession,
  feeds: Record<string, HostTensor>,
): Promise<Record<string, { dims: number[]; data: TensorData }>> {
  const f: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) f[k] = toOrt(v);
  const res = await session.run(f);
  const out: Record<string, { dims: number[]; data: TensorData }> = {};
  for (const [k, v] of Object.entries(res)) out[k] = { dims: [...v.dims], data: v.data as TensorData };
  return out;
}
