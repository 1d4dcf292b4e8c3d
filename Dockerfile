# nixos-harden as a GitHub App server (Probot). See docs/deploy.md.
#
#   docker build -t nixos-harden .
#   docker run --init -p 3000:3000 --env-file .env nixos-harden

# ---- build: compile the native Nix grammar binding and the TypeScript sources ------------------
FROM node:20-bookworm AS build

# node-gyp needs python3, make and a C/C++ compiler for build/Release/tree_sitter_nix_napi.node.
# The full bookworm image ships them; installing them here keeps the stage honest if it changes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a source change does not reinstall them. `npm ci` runs our
# `install` script (node-gyp rebuild, which needs binding.gyp and native/) and `prepare`
# (tsc -p tsconfig.build.json, which needs tsconfig*.json and src/; the benchmarks, the demo and
# the test support it also compiles are not needed by the server and stay out): copy those.
COPY package.json package-lock.json binding.gyp tsconfig.json tsconfig.build.json ./
COPY native ./native
COPY src ./src
RUN npm ci --no-audit --no-fund

# Runtime data, then drop the dev dependencies (TypeScript, Jest, ...). Everything the server
# imports at run time (probot included) must be in package.json `dependencies`.
COPY bin ./bin
COPY policies ./policies
COPY schemas ./schemas
COPY app.yml ./
RUN npm prune --omit=dev --no-audit --no-fund

# ---- runtime ------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000

WORKDIR /app

# parser.ts finds the package root by package.json + binding.gyp, then loads
# build/Release/tree_sitter_nix_napi.node from it.
COPY --from=build --chown=node:node /app/package.json /app/binding.gyp /app/app.yml ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/build/Release/tree_sitter_nix_napi.node ./build/Release/
COPY --from=build --chown=node:node /app/bin ./bin
COPY --from=build --chown=node:node /app/policies ./policies
COPY --from=build --chown=node:node /app/schemas ./schemas

# The official image's unprivileged user (uid 1000).
USER node

EXPOSE 3000

# Probot's server answers GET /ping with PONG. The slim image has no curl: use node's fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/ping').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["npm", "start"]
