#!/usr/bin/env bash
# `npm test`: installs what is missing, builds, then runs unit, integration and end-to-end tests against real parts
# (nats-server, SoftHSM2 tokens, SQLite; PostgreSQL where SYMBOLON_TEST_DB=postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh test
bash scripts/build.sh
node scripts/check-preconditions.mjs
export NODE_OPTIONS=--experimental-vm-modules
npx jest --selectProjects unit "$@"
# Integration and end-to-end suites start real servers: one file at a time on a 2-core machine.
npx jest --selectProjects integration e2e --runInBand "$@"
