# Switchboard: one image for web servers (`node bin/start.mjs`) and workers
# (`node bin/switchboard.mjs worker`). docs/deploy.md; compose.yaml runs both on PostgreSQL.
#
#   docker build -t switchboard:local .

# ---- build: dependencies (with dev tools for the Next build) and the production build
FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 and @node-rs/argon2 use prebuilt binaries when they can be downloaded; the
# compilers are there for when they cannot.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# the install's postinstall generates the Prisma clients from the schema
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY . .
# `--build-only`: `next build` into .next, no database needed
RUN NEXT_TELEMETRY_DISABLED=1 node bin/start.mjs --build-only \
 && npm prune --omit=dev --no-audit --no-fund

# ---- run
FROM node:22-bookworm-slim
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
