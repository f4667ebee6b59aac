# The intercom-sync Airbyte source: `docker run IMAGE spec | check | discover | read …`.
# Build: docker build -t intercom-sync/source-intercom-sync:0.1.0 .   (see docs/docker.md)

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY airbyte/entrypoint.sh /airbyte/entrypoint.sh
RUN chmod 0755 /airbyte/entrypoint.sh
LABEL io.airbyte.name="intercom-sync/source-intercom-sync" \
      io.airbyte.version="0.1.0"
ENV AIRBYTE_ENTRYPOINT="/airbyte/entrypoint.sh"
USER node
ENTRYPOINT ["/airbyte/entrypoint.sh"]
