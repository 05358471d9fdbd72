#!/usr/bin/env bash
# Benchmarks (issue 8): installs the load generator's packages, then `python -m bench "$@"`.
# Needs a reachable PostgreSQL (HEALTHFIRST_TEST_PG_URL, as for the tests): run scripts/test.sh once
# on a fresh machine to install one. Examples: scripts/bench.sh --quick; scripts/bench.sh --only scale_out
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements-bench.txt
exec .venv/bin/python -m bench "$@"
