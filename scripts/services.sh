#!/usr/bin/env bash
# Installs and starts what the full test suite needs: PostgreSQL (Debian), FerretDB 1.24.2 (SQLite backend),
# Chromium. Idempotent: run it as often as you like; it prints the environment the tests read.
set -euo pipefail

PG_PORT=${PG_PORT:-5432}
FERRET_PORT=${FERRET_PORT:-27017}
STATE=${SERVICES_STATE:-/var/tmp/grafeno-services}
mkdir -p "$STATE"
log() { printf '[services] %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_pkgs=()
command -v pg_ctlcluster >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_pkgs+=(postgresql)
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
command -v unshare >/dev/null || need_pkgs+=(util-linux)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]} from Debian"
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2
fi

# PostgreSQL: the Debian cluster, a test role and database.
PG_VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$PG_VERSION main"; then
  as_root pg_createcluster "$PG_VERSION" main -p "$PG_PORT" >&2
fi
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1==v && $2=="main" {print $4}' | grep -q online; then
  log "starting PostgreSQL $PG_VERSION"
  as_root pg_ctlcluster "$PG_VERSION" main start >&2
fi
PG_PORT=$(pg_lsclusters -h | awk -v v="$PG_VERSION" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 30); do as_root su postgres -c "pg_isready -q -p $PG_PORT" && break; sleep 1; done
as_root su postgres -c "psql -q -p $PG_PORT -tAc \"SELECT 1 FROM pg_roles WHERE rolname='grafeno'\"" | grep -q 1 ||
  as_root su postgres -c "psql -q -p $PG_PORT -c \"CREATE ROLE grafeno LOGIN SUPERUSER PASSWORD 'grafeno'\"" >&2
as_root su postgres -c "psql -q -p $PG_PORT -tAc \"SELECT 1 FROM pg_database WHERE datname='grafeno_test'\"" | grep -q 1 ||
  as_root su postgres -c "psql -q -p $PG_PORT -c 'CREATE DATABASE grafeno_test OWNER grafeno'" >&2

# FerretDB: built from the Go module proxy, SQLite backend, loopback only.
GOBIN=${GOBIN:-$(go env GOPATH)/bin}
if [ ! -x "$GOBIN/ferretdb" ]; then
  log "building FerretDB v1.24.2 (go install, a few minutes the first time)"
  go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2 >&2
fi
if ! (exec 3<>"/dev/tcp/127.0.0.1/$FERRET_PORT") 2>/dev/null; then
  log "starting FerretDB on 127.0.0.1:$FERRET_PORT"
  mkdir -p "$STATE/ferretdb"
  nohup "$GOBIN/ferretdb" --handler=sqlite --sqlite-url="file:$STATE/ferretdb/" \
    --listen-addr="127.0.0.1:$FERRET_PORT" --telemetry=disable --log-level=warn \
    >"$STATE/ferretdb.log" 2>&1 &
  for _ in $(seq 1 30); do (exec 3<>"/dev/tcp/127.0.0.1/$FERRET_PORT") 2>/dev/null && break; sleep 0.5; done
  (exec 3<>"/dev/tcp/127.0.0.1/$FERRET_PORT") 2>/dev/null || { cat "$STATE/ferretdb.log" >&2; exit 1; }
fi

echo "DATABASE_URL=postgres://grafeno:grafeno@127.0.0.1:$PG_PORT/grafeno_test"
echo "MONGODB_URL=mongodb://127.0.0.1:$FERRET_PORT/grafeno_test"
echo "CHROMIUM_PATH=/usr/bin/chromium"
