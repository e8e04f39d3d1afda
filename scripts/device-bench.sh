#!/usr/bin/env bash
# One-shot ingestion benchmark on an NVIDIA GPU: bench/ingest.bench.ts with --device cuda
# (engine rate beside raw onnxruntime MatMul, end to end through the queue with 1 and 2 worker
# processes, database write rate), JSON report into $BENCH_OUT (default ./bench-results).
#
#   docker compose -f docker/compose.yaml run --rm worker scripts/device-bench.sh      # in the worker image
#   DATABASE_URL=postgresql://... scripts/device-bench.sh [--documents N | --all]      # on a GPU host
#
# Needs: an NVIDIA driver, onnxruntime-node installed with its CUDA binaries
# (`npm ci --onnxruntime-node-install=cuda12`; CUDA 12 and cuDNN 9 libraries on the library
# path, as in docker/worker.Dockerfile), and DATABASE_URL of a Postgres + pgvector server whose
# role may CREATEDB (the benchmark works in its own scratch databases and drops them).
# Extra arguments go to the benchmark (default here: 2048 documents of the full world).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${DATABASE_URL:-}" ]]; then
  echo "device-bench: set DATABASE_URL to a Postgres + pgvector server (role with CREATEDB)" >&2
  exit 2
fi
provider=node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so
if [[ ! -f "$provider" ]]; then
  echo "device-bench: $provider is missing: install with 'npm ci --onnxruntime-node-install=cuda12' (see docker/worker.Dockerfile)" >&2
  exit 2
fi
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
else
  echo "device-bench: nvidia-smi not found; trying the CUDA execution provider anyway" >&2
fi

out="${BENCH_OUT:-bench-results}"
mkdir -p "$out"
report="$out/ingest-cuda-$(date -u +%Y%m%dT%H%M%SZ).json"
args=("$@")
if [[ ${#args[@]} -eq 0 ]]; then args=(--documents 2048); fi

export ORT_DISABLE_TELEMETRY=1 CHECKPOINT_DISABLE=1
node node_modules/tsx/dist/cli.mjs bench/ingest.bench.ts --device cuda --json "$report" "${args[@]}"
echo "device-bench: report in $report" >&2
