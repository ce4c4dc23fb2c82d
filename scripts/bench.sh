#!/usr/bin/env bash
# npm run bench: installs what is missing, builds, then loads the platform and two baselines (see bench/README.md).
# Env: BENCH_DURATION_S (10), BENCH_WARMUP_S (2), BENCH_CONNECTIONS (64), BENCH_TARGETS (baselineA,baselineB,platform),
#      BENCH_CPU_PROF_DIR (write V8 CPU profiles of the platform's services there), BENCH_KEEP_DATA (keep the platform data dir).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/build.sh
node dist/bench/run.js
