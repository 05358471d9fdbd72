#!/usr/bin/env bash
# Quick start: installs what the product needs, prepares the database (demo data on first run),
# starts the job process and the web app, and prints the URL and the demo logins.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh requirements.txt
# The quick start is the one place demo data (and its accounts with public passwords) is on by
# default; everywhere else it must be asked for. HEALTHFIRST_DEMO_DATA=0 bash scripts/run.sh opts out.
export HEALTHFIRST_DEMO_DATA="${HEALTHFIRST_DEMO_DATA:-1}"

# Migrations and demo data first, so the two processes never race to create the schema.
.venv/bin/python -m db.setup

.venv/bin/python -m jobs &
jobs_pid=$!
trap 'kill "$jobs_pid" 2>/dev/null || true' EXIT INT TERM
echo "Job process started (pid $jobs_pid)."
.venv/bin/python app.py
