# Switchboard: one image for web servers (`node bin/start.mjs`) and workers
# (`node bin/switchboard.mjs worker`). docs/deploy.md; compose.yaml runs both on PostgreSQL.
#
#   docker build -t switchboard:local .

# Node 20 in both stages: the version the project is tested and its Dockerfile replayed on
# (package.json engines >=20.19; native modules are built for the major they run on). Node 20 is
# past its upstream end of life (2026-04-30): move to node:22 when the tests move to Node 22.
#
# ---- build: dependencies (with dev tools for the Next build) and the production build
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 and @node-rs/argon2 use prebuilt binaries when they can be downloaded; the
# compilers are there for when they cannot.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# The npm the project is installed and tested with (the node images bundle npm 10): npm 11 applies
# package.json's `allowScripts`, so Prisma's engine download (not needed: the clients use driver
# adapters) is skipped here as on every other install.
RUN npm install -g npm@11.19.1 --no-audit --no-fund
# the install's postinstall generates the Prisma clients from the schema
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY . .
# `--build-only`: `next build` into .next, no database needed. The prune keeps the generated Prisma
# clients (lib/db/generated) and tsx (bin/start.mjs, the CLI and workers load TypeScript with it).
# .next/cache is the build's own cache (about 250 MB): `next start` does not need it.
RUN NEXT_TELEMETRY_DISABLED=1 node bin/start.mjs --build-only \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf .next/cache

# ---- run
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    SWITCHBOARD_DATA_DIR=/data \
    SWITCHBOARD_REBUILD=missing \
    PORT=3000
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# 3000: web server (`/api/health`); 9464: a worker's --health-port (`/live`, `/ready`, `/metrics`)
EXPOSE 3000 9464
CMD ["node", "bin/start.mjs"]
