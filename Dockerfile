# solidarity-bot: the bot, its monitor and the review dashboard in one container.
# Build:  docker build -t solidarity-bot .
# Run:    docker compose up -d   (see compose.yaml and docs/going-live.md)
FROM node:24-slim

ENV NODE_ENV=production \
    SOLIDARITY_DATA_DIR=/app/data \
    SOLIDARITY_CAMPAIGNS_DIR=/app/campaigns \
    NODE_COMPILE_CACHE=/tmp/node-compile-cache \
    DASHBOARD_HOST=0.0.0.0 \
    DASHBOARD_PORT=3000

WORKDIR /app

# Production dependencies only: no compiler, no test tools, no second Node binary.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force

COPY bin ./bin
COPY src ./src
COPY campaigns ./campaigns

# The image's own non-root user owns only what the bot writes.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

VOLUME ["/app/data", "/app/campaigns"]
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# The log goes to stdout for `docker logs`; no files in data/logs.
ENTRYPOINT ["node", "bin/solidarity.mjs"]
CMD ["start", "--log-file", "none"]
