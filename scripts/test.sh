#!/usr/bin/env bash
# Runs every check and test: installs the Python packages, Chromium and its driver, and a
# PostgreSQL when none is reachable; runs the linter and the import contracts, then pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/unit -x).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements-test.txt

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "Need root to run: $*" >&2; return 1; fi; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Browser tests: Debian's Chromium and its driver (nothing may download a browser).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "Installing Chromium and chromedriver ..."
  apt_install chromium chromium-driver
fi

# PostgreSQL: the race and concurrency tests run on it for real.
export HEALTHFIRST_TEST_PG_URL="${HEALTHFIRST_TEST_PG_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/postgres}"
pg_reachable() {
  .venv/bin/python - <<'PY' 2>/dev/null
import os, sys
from sqlalchemy import create_engine, text
url = os.environ["HEALTHFIRST_TEST_PG_URL"]
try:
    with create_engine(url, connect_args={"connect_timeout": 3}).connect() as c:
        c.execute(text("select 1"))
except Exception as e:
    sys.exit(1)
PY
}
if ! pg_reachable; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "No PostgreSQL reachable: installing one ..."
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  for _ in $(seq 1 30); do pg_reachable && break; sleep 1; done
  if ! pg_reachable; then
    # A freshly installed cluster asks for a password on TCP: give the test role one.
    as_root su postgres -c "psql -qc \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='healthfirst_test') THEN CREATE ROLE healthfirst_test LOGIN SUPERUSER PASSWORD 'healthfirst_test'; END IF; END\\\$\\\$;\""
    export HEALTHFIRST_TEST_PG_URL="postgresql+psycopg2://healthfirst_test:healthfirst_test@127.0.0.1:5432/postgres"
  fi
  if ! pg_reachable; then
    echo "PostgreSQL is still not reachable at $HEALTHFIRST_TEST_PG_URL" >&2
    exit 1
  fi
fi

# The checks that keep the code's shape (pyproject.toml): lint with complexity <= 10, and the
# import contracts between floors. A violation fails the run before any test starts.
echo "Checking lint (ruff) and import contracts (import-linter) ..."
.venv/bin/ruff check --quiet .
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache

# Three processes (pytest-xdist): the browser tests wait on pages' timers much of the time, so a
# third process keeps two cores busy. HEALTHFIRST_TEST_PROCESSES=0 runs everything in this one.
# "worksteal": an idle process takes tests queued for a busy one, so the slow browser tests at
# the end do not wait in one process's queue.
exec .venv/bin/python -m pytest -n "${HEALTHFIRST_TEST_PROCESSES:-3}" --dist worksteal "$@"
