# One image for every leadflow service; the compose file picks the entry point per service.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS=--disable-warning=TimeoutNegativeWarning \
    KAFKAJS_NO_PARTITIONER_WARNING=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY libs ./libs
COPY apps ./apps
COPY tools ./tools
USER node
