# The connector image: `docker build -t commerce-cdc .`, then
# `docker run commerce-cdc run` (the default) or any other command, e.g. `seed`.
# The current Node.js LTS; `make test` runs the unit and integration tests on it (and on 22).
ARG NODE_IMAGE=node:24-slim
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# read at run time: feed mappings, Avro schemas, and the Magento DDL for `seed --create-schema`
COPY connectors ./connectors
COPY schemas ./schemas
COPY fixtures/commerce ./fixtures/commerce
# the exporters' feed state stores (exporter.stateDir): a volume, so a restart reads only the topics' tail
RUN mkdir -p /var/lib/commerce-cdc && chown node:node /var/lib/commerce-cdc
ENV CDC_EXPORTER_STATE_DIR=/var/lib/commerce-cdc
VOLUME /var/lib/commerce-cdc
USER node
EXPOSE 8686
ENTRYPOINT ["node", "dist/cli/index.js"]
CMD ["run"]
