#!/usr/bin/env bash
# Make sure a PostgreSQL server answers at 127.0.0.1:5432 with a database `test`
# that the tests can reach over TCP without a password (as `postgres` and as the
# user running the tests).
#
# Safe to run again and again: a server that is already running and reachable is
# left exactly as it is. On a machine without PostgreSQL it installs Debian's
# `postgresql` package, starts the cluster and sets up the test database.
set -euo pipefail

HOST=127.0.0.1
PORT=5432
DB=test
ME="$(id -un)"
WAIT_SECONDS=30
export DEBIAN_FRONTEND=noninteractive PGCONNECT_TIMEOUT=5

say() { printf 'ensure-postgres: %s\n' "$*"; }
fail() {
    printf 'ensure-postgres: ERROR: %s\n' "$1" >&2
    shift
    for line in "$@"; do printf '  %s\n' "$line" >&2; done
    exit 1
}

# Run a command as root (directly, or through sudo without a password prompt).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        return 1
    fi
}

# Run a command as the `postgres` operating-system user (peer auth over the local socket).
as_postgres() {
    if [ "$ME" = postgres ]; then
        (cd / && "$@")
    elif [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1; then
        (cd / && runuser -u postgres -- "$@")
    elif command -v sudo >/dev/null 2>&1 && sudo -n -u postgres true 2>/dev/null; then
        (cd / && sudo -n -u postgres "$@")
    else
        return 1
    fi
}

is_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$HOST" -p "$PORT"; }

# Can role $1 open database $DB over TCP without a password?
can_connect() { psql -X -w -h "$HOST" -p "$PORT" -U "$1" -d "$DB" -tAc 'select 1' >/dev/null 2>&1; }

test_roles() { if [ "$ME" = postgres ]; then echo postgres; else echo postgres "$ME"; fi; }

all_can_connect() {
    local role
    for role in $(test_roles); do can_connect "$role" || return 1; done
}

# psql with administrator rights: over TCP as `postgres` when that needs no password,
# otherwise as the `postgres` OS user over the local socket. SQL comes on stdin.
admin_psql() {
    if psql -X -w -h "$HOST" -p "$PORT" -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        psql -X -w -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U postgres -d postgres -tA "$@"
    else
        as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres -tA "$@"
    fi
}

have_admin() { echo 'select 1' | admin_psql >/dev/null 2>&1; }

wait_until_ready() {
    local i
    for ((i = 0; i < WAIT_SECONDS; i++)); do
        is_ready && return 0
        sleep 1
    done
    is_ready
}

# The newest PostgreSQL major version with a cluster `main` under /etc/postgresql.
cluster_version() {
    local dir
    for dir in /etc/postgresql/*/main; do
        [ -d "$dir" ] && basename "$(dirname "$dir")"
    done | sort -n | tail -n 1
}

# The newest PostgreSQL server installed under /usr/lib/postgresql.
server_version() {
    local bin
    for bin in /usr/lib/postgresql/*/bin/postgres; do
        [ -x "$bin" ] && basename "$(dirname "$(dirname "$bin")")"
    done | sort -n | tail -n 1
}

install_postgres() {
    say "PostgreSQL server is not installed; installing Debian's postgresql package"
    if ! command -v apt-get >/dev/null 2>&1; then
        fail "PostgreSQL is not installed and apt-get is not available." \
            "Install PostgreSQL, start it on $HOST:$PORT, then run this script again."
    fi
    as_root apt-get update && as_root apt-get install -y postgresql \
        || fail "could not install PostgreSQL." \
            "Run as root (or with sudo): apt-get update && apt-get install -y postgresql" \
            "then run this script again."
}

start_postgres() {
    local ver
    ver="$(cluster_version)"
    if [ -z "$ver" ] && command -v pg_createcluster >/dev/null 2>&1; then
        ver="$(server_version)"
        if [ -n "$ver" ]; then
            say "creating PostgreSQL $ver cluster 'main'"
            as_root pg_createcluster "$ver" main \
                || fail "could not create a PostgreSQL cluster." \
                    "Run as root: pg_createcluster $ver main --start"
        fi
    fi
    if [ -n "$ver" ] && command -v pg_ctlcluster >/dev/null 2>&1; then
        say "starting PostgreSQL $ver cluster 'main'"
        as_root pg_ctlcluster "$ver" main start || true
    fi
    if ! is_ready && command -v service >/dev/null 2>&1; then
        say "starting the postgresql service"
        as_root service postgresql start || true
    fi
}

ensure_client() {
    command -v pg_isready >/dev/null 2>&1 && command -v psql >/dev/null 2>&1 && return 0
    say "PostgreSQL client tools are missing; installing Debian's postgresql-client package"
    { as_root apt-get update && as_root apt-get install -y postgresql-client; } \
        || fail "could not install the PostgreSQL client tools (psql, pg_isready)." \
            "Run as root (or with sudo): apt-get update && apt-get install -y postgresql-client"
}

ensure_running() {
    is_ready && return 0
    # Something already listens on the port but the client tools are missing.
    if ! command -v pg_isready >/dev/null 2>&1 && (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
        ensure_client
        is_ready && return 0
    fi
    say "no PostgreSQL server answers at $HOST:$PORT"
    if [ -z "$(cluster_version)" ] && [ -z "$(server_version)" ]; then
        install_postgres
    fi
    ensure_client
    is_ready || start_postgres
    say "waiting up to ${WAIT_SECONDS}s for PostgreSQL to accept connections"
    wait_until_ready || fail "PostgreSQL did not start on $HOST:$PORT within ${WAIT_SECONDS}s." \
        "Check its log (/var/log/postgresql/), start it with 'pg_ctlcluster <version> main start'" \
        "or 'service postgresql start', make sure it listens on $HOST port $PORT," \
        "then run this script again."
    say "PostgreSQL is accepting connections at $HOST:$PORT"
}

ensure_roles() {
    local role
    for role in $(test_roles); do
        [ "$role" = postgres ] && continue
        if [ -z "$(echo "select 1 from pg_roles where rolname = :'role'" | admin_psql -v role="$role")" ]; then
            say "creating role '$role'"
            echo "create role :\"role\" login superuser" | admin_psql -v role="$role" \
                || fail "could not create role '$role'."
        fi
    done
}

ensure_database() {
    if [ -n "$(echo "select 1 from pg_database where datname = :'db'" | admin_psql -v db="$DB")" ]; then
        return 0
    fi
    say "creating database '$DB'"
    if ! createdb -w -h "$HOST" -p "$PORT" -U postgres "$DB" 2>/dev/null; then
        as_postgres createdb -p "$PORT" "$DB" || fail "could not create database '$DB'." \
            "Run: createdb -h $HOST -p $PORT -U postgres $DB"
    fi
}

# Add `host test all 127.0.0.1/32 trust` ahead of the other rules in pg_hba.conf and
# reload; only called when the test roles cannot connect without a password.
ensure_trust() {
    local hba line="host    $DB    all    $HOST/32    trust"
    hba="$(echo 'show hba_file' | admin_psql)" || fail "could not find pg_hba.conf."
    if ! grep -Eq "^[[:space:]]*host[[:space:]]+$DB[[:space:]]+all[[:space:]]+$HOST/32[[:space:]]+trust" "$hba"; then
        say "allowing password-less TCP connections to database '$DB' from $HOST in $hba"
        local tmp
        tmp="$(mktemp)"
        awk -v rule="$line" '
            !done && /^[[:space:]]*(local|host|hostssl|hostnossl|hostgssenc|hostnogssenc|include)/ {
                print "# LTC tests: no password for the test database from this machine"
                print rule
                done = 1
            }
            { print }
            END { if (!done) { print "# LTC tests: no password for the test database from this machine"; print rule } }
        ' "$hba" >"$tmp"
        { as_root cp "$tmp" "$hba"; } || { rm -f "$tmp"; fail "could not write $hba." \
            "Add this line before the other 'host' lines, then reload PostgreSQL:" "$line"; }
        rm -f "$tmp"
    fi
    say "reloading the PostgreSQL configuration"
    echo 'select pg_reload_conf()' | admin_psql >/dev/null || fail "could not reload PostgreSQL." \
        "Run as root: service postgresql reload"
    local i
    for ((i = 0; i < 10; i++)); do
        all_can_connect && return 0
        sleep 0.5
    done
}

main() {
    ensure_running
    if all_can_connect; then
        say "PostgreSQL is ready at $HOST:$PORT; database '$DB' is reachable as: $(test_roles)"
        exit 0
    fi
    have_admin || fail "cannot administer the PostgreSQL server at $HOST:$PORT." \
        "Make sure the role 'postgres' can connect without a password, or run this as root" \
        "on the machine that runs PostgreSQL. The tests need database '$DB' reachable over TCP" \
        "at $HOST:$PORT without a password, as roles: $(test_roles)."
    ensure_roles
    ensure_database
    all_can_connect || ensure_trust
    all_can_connect || fail "database '$DB' at $HOST:$PORT is still not reachable without a password." \
        "Check pg_hba.conf: it needs, before the other 'host' lines:" \
        "host    $DB    all    $HOST/32    trust"
    say "PostgreSQL is ready at $HOST:$PORT; database '$DB' is reachable as: $(test_roles)"
}

main "$@"
