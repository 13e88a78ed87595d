# syntax=docker/dockerfile:1
# One image for every leadflow service; docker-compose.yml picks the program per service.

# Build stage: every dependency (the build needs esbuild and SWC), the kafkajs patch (postinstall), then dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY libs ./libs
COPY apps ./apps
COPY tools ./tools
RUN node -r @swc-node/register tools/stack/src/build/build.ts

# Runtime stage: production dependencies (patched by the same postinstall) and the built programs only.
FROM node:24-bookworm-slim AS runtime
WORKDIR /app
# A service holds about 35 MB of live heap at 500 leads/s; a bounded old space keeps RSS to the service's needs
# rather than the host's size (tools/stack/src/components.ts runs the local stack with the same setting).
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=160 --max-semi-space-size=16" \
    KAFKAJS_NO_PARTITIONER_WARNING=1
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
CMD ["node", "dist/apps/ingest/main.js"]
