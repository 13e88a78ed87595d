#!/usr/bin/env bash
# Builds Mailpit WITH its web UI into $2 (version $1).
#
# `go install github.com/axllent/mailpit@<version>` gives a binary whose web UI is a blank page: the UI's JavaScript and
# CSS (server/ui/dist, embedded with go:embed) come out of Mailpit's own npm build and are not in the Go module. So,
# as Mailpit's Dockerfile does: the module from the Go module proxy, its npm dependencies from the npm registry (exact
# versions from its package-lock.json), its esbuild build, then `go build`. The SMTP server and REST API are the same
# either way; only the inbox page needs this.
set -euo pipefail
VERSION="$1" OUT="$2"
src="$(go mod download -json "github.com/axllent/mailpit@$VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$src"/. "$work"
chmod -R u+w "$work"
cd "$work"
# sass-embedded is pinned to 1.105.0: the registry serves newer releases without every platform's build, and npm then
# refuses the lock. No install scripts: esbuild and sass take their platform binaries as optional dependencies.
npm pkg set overrides.sass-embedded=1.105.0
# Only what the inbox UI (app.js) needs: not the API docs page (rapidoc, which the registry does not serve), nor
# Mailpit's own linters and browser tests.
npm pkg delete dependencies.rapidoc devDependencies.@playwright/test devDependencies.eslint devDependencies.@eslint/js \
  devDependencies.@eslint/compat devDependencies.eslint-config-prettier devDependencies.eslint-plugin-vue \
  devDependencies.globals devDependencies.jsdom devDependencies.prettier
sed -i 's|entryPoints: \["server/ui-src/app.js", "server/ui-src/docs.js"\]|entryPoints: ["server/ui-src/app.js"]|' esbuild.config.mjs
rm -f package-lock.json
npm install --no-audit --no-fund --loglevel=error --ignore-scripts
MINIFY=true node esbuild.config.mjs
mkdir -p "$(dirname "$OUT")"
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X github.com/axllent/mailpit/config.Version=$VERSION" -o "$OUT" .
