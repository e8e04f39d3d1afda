# Tracebase ingestion worker on an NVIDIA GPU. Build from the repository root:
#   docker build -f docker/worker.Dockerfile -t tracebase-worker .
# Run (NVIDIA Container Toolkit on the host; DATABASE_URL of the shared Postgres + pgvector):
#   docker run --rm --gpus all -e DATABASE_URL=postgresql://... -v "$PWD/models:/app/models:ro" tracebase-worker
# or `docker compose -f docker/compose.yaml up --build worker` (see compose.yaml).
#
# onnxruntime-node 1.30 ships its CPU binaries in the npm package; the CUDA execution provider
# (libonnxruntime_providers_cuda.so, built for CUDA 12 and cuDNN 9) is downloaded by its install
# script when asked for: `npm ci --onnxruntime-node-install=cuda12` overrides the
# `onnxruntime-node-install=skip` line of .npmrc that offline development machines need
# (docs/design.md "Stack facts"). The build therefore needs network access to the package feeds.
#
# The same image runs the one-shot GPU benchmark:
#   docker compose -f docker/compose.yaml run --rm worker scripts/device-bench.sh

# Node comes from the official image (its binaries need glibc >= 2.28; Ubuntu 22.04 has 2.35).
FROM node:20-bookworm-slim AS node

FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04

COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s /usr/local/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s /usr/local/lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && apt-get update && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && node --version && npm --version

WORKDIR /app
ENV ORT_DISABLE_TELEMETRY=1 \
    CHECKPOINT_DISABLE=1 \
    TRACEBASE_ENV=production

# Dependencies first (cached while only sources change), with the CUDA execution provider.
# Dev dependencies stay: `npm run build` needs TypeScript, the benchmark needs test/support.
COPY package.json package-lock.json .npmrc prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/prisma-generate.js ./scripts/prisma-generate.js
RUN npm ci --no-audit --no-fund --onnxruntime-node-install=cuda12 \
 && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so \
 && npm cache clean --force

COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY schema.graphql ./
# Compiled JavaScript in dist/: bin/tracebase.js runs it (no TypeScript loader at run time).
RUN npm run build

# For scripts/device-bench.sh (bench/ingest.bench.ts runs from source with tsx).
COPY bench ./bench
COPY test/support ./test/support
COPY scripts/device-bench.sh ./scripts/device-bench.sh

RUN useradd --uid 1000 --create-home tracebase && mkdir -p /app/models
USER tracebase
# Model directories are loaded from the path they were registered with: mount them at the same
# path on every worker (here /app/models) and register them from inside a worker container.
CMD ["node", "bin/tracebase.js", "worker", "--device", "cuda"]
