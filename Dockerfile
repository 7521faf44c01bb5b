# Tessera's server in a container: `docker build -t tessera .`, then see compose.yaml.
# Two stages: the first compiles (better-sqlite3's addon, TypeScript), the second only runs.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# node-gyp builds better-sqlite3 from source for this Node.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY examples ./examples
# `prepare` builds every package; then the development dependencies go.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
  TESSERA_ENV=production \
  TESSERA_HOST=0.0.0.0 \
  TESSERA_PORT=8000 \
  TESSERA_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "packages/server/bin/tessera.js"]
CMD ["serve"]
