#!/usr/bin/env bash
# The Go-built tools leadflow's tests and local stack use, pinned, built from the Go module proxy with the machine's
# `go` into .local/go-tools/bin (a stamp per tool and version, so only the first setup pays: helm and Jaeger take
# about three minutes each on two cores), plus the schemas kubeconform validates the chart against, read from Go
# modules (KEDA's CRDs, Kubernetes' OpenAPI document), never fetched at test time.
#
#   helm         helm.sh/helm/v4                          chart lint and template
#   kubeconform  github.com/yannh/kubeconform             rendered manifests against the schemas below
#   mailpit      github.com/axllent/mailpit               local SMTP server with a web UI and REST API (mailpit.sh)
#   jaeger       github.com/jaegertracing/jaeger v1.75.0  local trace backend (OTLP in, query API out)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOCAL="${LEADFLOW_LOCAL_DIR:-$(cd "$HERE/../.." && pwd)/.local}"
BIN="$LOCAL/go-tools/bin"
SCHEMAS="$LOCAL/go-tools/schemas"
STAMPS="$LOCAL/stamps"
mkdir -p "$BIN" "$SCHEMAS" "$STAMPS"

HELM_VERSION=v4.3.2
KUBECONFORM_VERSION=v0.8.0
MAILPIT_VERSION=v1.33.1
KEDA_VERSION=v2.20.2          # v2.21 needs a newer Go than the machine's
KUBERNETES_VERSION=v1.34.2    # the Kubernetes version the chart is validated against
# JAEGER_VERSION lives in tools/go-tools/jaeger/go.mod (its own module: jaeger's go.mod has replace directives,
# which `go install pkg@version` refuses).

log() { printf '\033[1m[dev]\033[0m %s\n' "$*" >&2; }
stamp_ok() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
stamp_set() { printf '%s' "$2" > "$STAMPS/$1"; }

command -v go >/dev/null || { echo "[dev] go (>= 1.26) is needed to build helm, kubeconform, mailpit and jaeger" >&2; exit 1; }
export GOFLAGS="-trimpath" CGO_ENABLED=0 GOTOOLCHAIN=local

# go install PKG@VERSION into $BIN, once per version.
go_install() {
  local name="$1" pkg="$2" version="$3"
  if [ -x "$BIN/$name" ] && stamp_ok "go-$name" "$version"; then return; fi
  log "building $name $version with go (Go module proxy)"
  local t0=$SECONDS
  GOBIN="$BIN" go install -ldflags='-s -w' "$pkg@$version"
  stamp_set "go-$name" "$version"
  log "$name built in $((SECONDS - t0)) s"
}

jaeger() {
  local h; h="$(sha256sum "$HERE/jaeger/go.mod" "$HERE/jaeger/go.sum" | sha256sum | cut -c1-16)"
  if [ -x "$BIN/jaeger" ] && stamp_ok go-jaeger "$h"; then return; fi
  log "building jaeger (tools/go-tools/jaeger/go.mod) with go (Go module proxy)"
  local t0=$SECONDS
  (cd "$HERE/jaeger" && go build -ldflags='-s -w' -o "$BIN/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger)
  stamp_set go-jaeger "$h"
  log "jaeger built in $((SECONDS - t0)) s"
}

# A module's directory in the module cache (downloaded once; the proxy serves module zips, not single files).
module_dir() { go mod download -json "$1@$2" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'; }

schemas() {
  local want="keda-$KEDA_VERSION k8s-$KUBERNETES_VERSION"
  if stamp_ok go-schemas "$want" && [ -d "$SCHEMAS/keda" ] && [ -f "$SCHEMAS/kubernetes/swagger.json" ]; then return; fi
  log "reading KEDA $KEDA_VERSION CRDs and Kubernetes $KUBERNETES_VERSION OpenAPI from the Go module proxy"
  local keda k8s
  keda="$(module_dir github.com/kedacore/keda/v2 "$KEDA_VERSION")"
  k8s="$(module_dir k8s.io/kubernetes "$KUBERNETES_VERSION")"
  rm -rf "$SCHEMAS/keda" "$SCHEMAS/kubernetes"
  mkdir -p "$SCHEMAS/keda" "$SCHEMAS/kubernetes"
  cp "$keda"/config/crd/bases/*.yaml "$SCHEMAS/keda/"
  cp "$k8s/api/openapi-spec/swagger.json" "$SCHEMAS/kubernetes/swagger.json"
  chmod -R u+w "$SCHEMAS"
  printf '%s\n' "$KUBERNETES_VERSION" > "$SCHEMAS/kubernetes/VERSION"
  stamp_set go-schemas "$want"
}

go_install kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
# Mailpit with its web UI (tools/go-tools/mailpit.sh: `go install` alone gives a blank inbox page).
if ! { [ -x "$BIN/mailpit" ] && stamp_ok go-mailpit "$MAILPIT_VERSION+ui"; }; then
  log "building mailpit $MAILPIT_VERSION with its web UI (Go module proxy, npm registry)"
  t0=$SECONDS
  "$HERE/mailpit.sh" "$MAILPIT_VERSION" "$BIN/mailpit"
  stamp_set go-mailpit "$MAILPIT_VERSION+ui"
  log "mailpit built in $((SECONDS - t0)) s"
fi
schemas
go_install helm helm.sh/helm/v4/cmd/helm "$HELM_VERSION"
jaeger

# The per-kind JSON schemas kubeconform reads, converted once from the two inputs above into $SCHEMAS/json (the chart
# test converts them too when they are missing; both skip the work when the inputs did not change).
if command -v node >/dev/null && [ -d "$HERE/../../node_modules/@swc-node/register" ]; then
  (cd "$HERE/../.." && node -r @swc-node/register tools/helm/src/kube-schemas-cli.ts "$LOCAL")
fi
