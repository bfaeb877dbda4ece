#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 for the tests: start them when they are
# installed but stopped; say clearly what is missing otherwise.
set -uo pipefail
PGHOST="${FDD_PG_HOST:-127.0.0.1}"; PGPORT="${FDD_PG_PORT:-5432}"
REDIS_PORT="${FDD_REDIS_PORT:-6379}"

port_open() { (exec 3<>"/dev/tcp/$1/$2") >/dev/null 2>&1; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" "$2" && return 0; sleep 0.5; done
  return 1
}

if ! port_open "$PGHOST" "$PGPORT"; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "services: starting PostgreSQL"
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_port "$PGHOST" "$PGPORT" || { echo "services: PostgreSQL did not start" >&2; exit 1; }
  else
    echo "services: PostgreSQL is not reachable at $PGHOST:$PGPORT and is not installed here." >&2
    echo "          Install it (apt-get install postgresql) or point FDD_TEST_POSTGRES at a server." >&2
    exit 1
  fi
fi

if ! port_open 127.0.0.1 "$REDIS_PORT"; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "services: starting Redis"
    mkdir -p /tmp/fdd-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir /tmp/fdd-redis --logfile /tmp/fdd-redis/redis.log
    wait_port 127.0.0.1 "$REDIS_PORT" || { echo "services: Redis did not start" >&2; exit 1; }
  else
    echo "services: Redis is not reachable at 127.0.0.1:$REDIS_PORT and is not installed here." >&2
    echo "          Install it (apt-get install redis-server) or point FDD_TEST_REDIS at a server." >&2
    exit 1
  fi
fi
echo "services: PostgreSQL and Redis are up"
