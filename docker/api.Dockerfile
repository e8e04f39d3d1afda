# Tracebase API server. Build from the repository root:
#   docker build -f docker/api.Dockerfile -t tracebase-api .
# It serves GraphQL on port 4000 against the Postgres + pgvector server named by DATABASE_URL
# (see compose.yaml); without DATABASE_URL it runs embedded PGlite in /data.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    ORT_DISABLE_TELEMETRY=1 \
    CHECKPOINT_DISABLE=1 \
    TRACEBASE_HOST=0.0.0.0 \
    TRACEBASE_PORT=4000 \
    TRACEBASE_ENV=production \
    TRACEBASE_DATA_DIR=/data

# Dependencies first (cached while only sources change). postinstall generates the Prisma
# client, so the schema and its generator script come with the manifests.
COPY package.json package-lock.json .npmrc prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/prisma-generate.js ./scripts/prisma-generate.js
RUN npm ci --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY schema.graphql ./

RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 4000
USER node
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:4000/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "bin/tracebase.js", "serve"]
