#!/usr/bin/env bash
# Makes sure a local PostgreSQL server with pgvector >= 0.8 is running, creates the Tracebase
# role and database, and prints the DATABASE_URL to use. Idempotent: safe to run again.
#
#   sudo scripts/setup-postgres.sh            # or as root
#   export "$(sudo scripts/setup-postgres.sh | tail -n 1)"
#
# Settings (environment):
#   TRACEBASE_PG_USER      role to create            (default: tracebase)
#   TRACEBASE_PG_PASSWORD  its password              (default: tracebase)
#   TRACEBASE_PG_DATABASE  database to create        (default: tracebase)
#   TRACEBASE_PG_PORT      port of the local cluster (default: the cluster's own, else 5432)
#
# What it does, in order:
#   1. installs PostgreSQL from Debian's packages if no cluster exists;
#   2. starts the cluster if it is installed but stopped;
#   3. installs pgvector: the distribution's postgresql-NN-pgvector package where there is one
#      (Debian 13), else builds Debian's own pgvector source package against
#      postgresql-server-dev-NN (Debian 12 with PostgreSQL 15);
#   4. creates the role (LOGIN CREATEDB) and database, and the vector extension in it and in
#      template1, so databases created later (the test suites' scratch databases) have it;
#   5. prints DATABASE_URL=... as its last line.
set -euo pipefail

PG_USER=${TRACEBASE_PG_USER:-tracebase}
PG_PASSWORD=${TRACEBASE_PG_PASSWORD:-tracebase}
PG_DATABASE=${TRACEBASE_PG_DATABASE:-tracebase}
MIN_PGVECTOR=0.8.0

log() { printf 'setup-postgres: %s\n' "$*" >&2; }
die() { printf 'setup-postgres: error: %s\n' "$*" >&2; exit 1; }

[[ $PG_USER =~ ^[a-z_][a-z0-9_]*$ ]] || die "TRACEBASE_PG_USER must be a plain lower-case identifier, got '$PG_USER'"
[[ $PG_DATABASE =~ ^[a-z_][a-z0-9_]*$ ]] || die "TRACEBASE_PG_DATABASE must be a plain lower-case identifier, got '$PG_DATABASE'"
[[ $PG_PASSWORD != *"'"* ]] || die "TRACEBASE_PG_PASSWORD must not contain a single quote"

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "run as root (or install sudo): packages may need installing"
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
APT_UPDATED=""
apt_update() { [[ -n $APT_UPDATED ]] || { $SUDO apt-get update -q >/dev/null; APT_UPDATED=1; }; }
apt_install() { apt_update; $SUDO apt-get install -y -q --no-install-recommends "$@" >/dev/null; }

# --- 1. PostgreSQL installed? --------------------------------------------------------------
cluster_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }
PG_MAJOR=$(cluster_version)
if [[ -z $PG_MAJOR ]]; then
  log "no PostgreSQL cluster found: installing PostgreSQL from Debian's packages"
  apt_install postgresql postgresql-contrib
  PG_MAJOR=$(cluster_version)
  [[ -n $PG_MAJOR ]] || die "PostgreSQL was installed but no cluster appeared under /etc/postgresql"
fi
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
CLUSTER_PORT=$(awk -F= '/^[[:space:]]*port[[:space:]]*=/{gsub(/[^0-9]/,"",$2); print $2; exit}' \
  "/etc/postgresql/$PG_MAJOR/main/postgresql.conf" 2>/dev/null || true)
PG_PORT=${TRACEBASE_PG_PORT:-${CLUSTER_PORT:-5432}}
log "PostgreSQL $PG_MAJOR, cluster 'main' on port $PG_PORT"

# --- 2. running? ---------------------------------------------------------------------------
if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
  log "server is not accepting connections: starting cluster $PG_MAJOR/main"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" main start || true
  for _ in $(seq 1 30); do
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
    sleep 1
  done
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" \
    || die "the cluster did not start; see /var/log/postgresql/postgresql-$PG_MAJOR-main.log"
fi

# psql as the postgres superuser: over the local socket as the postgres OS user (peer auth),
# falling back to TCP (trust auth, as on CI machines).
su_psql() {
  if [[ $(id -u) -eq 0 ]] && id postgres >/dev/null 2>&1; then
    runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@"
  else
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"
  fi
}

# --- 3. pgvector ---------------------------------------------------------------------------
version_ge() { [[ $(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1) == "$2" ]]; }
pgvector_version() {
  local control
  control="$("$PG_BIN/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$PG_MAJOR")/extension/vector.control"
  [[ -f $control ]] && sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$control" || true
}
build_pgvector_from_debian_source() {
  log "no postgresql-$PG_MAJOR-pgvector package: building Debian's pgvector source package"
  apt_install "postgresql-server-dev-$PG_MAJOR" dpkg-dev make gcc
  if ! apt-cache showsrc pgvector 2>/dev/null | grep -q '^Version:'; then
    # Debian 12 has no pgvector source package; Debian 13 (trixie) does, and it builds
    # against PostgreSQL 15. Add a deb-src entry for it on the mirror this machine uses.
    local uri
    uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [[ -n $uri ]] || uri=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    [[ -n $uri ]] || die "cannot find the Debian mirror in /etc/apt/sources.list(.d); install pgvector >= $MIN_PGVECTOR by hand"
    printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$uri" | $SUDO tee /etc/apt/sources.list.d/tracebase-pgvector-src.sources >/dev/null
    $SUDO apt-get update -q >/dev/null
  fi
  local work
  work=$(mktemp -d)
  (cd "$work" && apt-get source -q pgvector >/dev/null 2>&1) || die "apt-get source pgvector failed"
  local src
  src=$(find "$work" -maxdepth 1 -type d -name 'pgvector-*' | head -n 1)
  [[ -n $src ]] || die "the pgvector source package did not unpack"
  # OPTFLAGS="" keeps the build portable (pgvector defaults to -march=native).
  make -s -C "$src" PG_CONFIG="$PG_BIN/pg_config" OPTFLAGS="" -j"$(nproc)" >/dev/null
  $SUDO make -s -C "$src" PG_CONFIG="$PG_BIN/pg_config" install >/dev/null
  rm -rf "$work"
}

current=$(pgvector_version)
if [[ -z $current ]] || ! version_ge "$current" "$MIN_PGVECTOR"; then
  apt_update
  if apt-cache show "postgresql-$PG_MAJOR-pgvector" >/dev/null 2>&1; then
    log "installing postgresql-$PG_MAJOR-pgvector"
    apt_install "postgresql-$PG_MAJOR-pgvector"
  else
    build_pgvector_from_debian_source
  fi
  current=$(pgvector_version)
fi
[[ -n $current ]] && version_ge "$current" "$MIN_PGVECTOR" \
  || die "pgvector >= $MIN_PGVECTOR is needed, found '${current:-none}'"
log "pgvector $current available"

# --- 4. role, database, extension ----------------------------------------------------------
su_psql -d postgres <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE "$PG_USER" LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE "$PG_USER" LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
END
\$\$;
SQL
if [[ -z $(su_psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'") ]]; then
  su_psql -d postgres -c "CREATE DATABASE \"$PG_DATABASE\" OWNER \"$PG_USER\""
fi
for db in template1 "$PG_DATABASE"; do
  su_psql -d "$db" -c "CREATE EXTENSION IF NOT EXISTS vector; ALTER EXTENSION vector UPDATE;" 2>/dev/null \
    || su_psql -d "$db" -c "CREATE EXTENSION IF NOT EXISTS vector"
done
su_psql -d "$PG_DATABASE" -c "GRANT ALL ON SCHEMA public TO \"$PG_USER\""
log "role '$PG_USER' and database '$PG_DATABASE' ready"

echo "DATABASE_URL=postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DATABASE"
