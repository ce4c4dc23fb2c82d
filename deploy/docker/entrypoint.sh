#!/bin/sh
# Entrypoint of every Symbolon image (exec-form ENTRYPOINT; the command is the image's CMD).
#
# 1. SYMBOLON_DB_URL_FILE: the URL holds the database password, so deployments mount it as a secret file; it never
#    appears in the image, the compose file or `docker inspect`. The services read *_FILE themselves, but the
#    migration (deploy/migrate/migrate.ts) reads SYMBOLON_DB_URL only, so this script still exports the file's content
#    just before exec (for every image alike).
# 2. SYMBOLON_HSM_DEV_TOKEN (hsm image, development only): `domain` or `member` initialises a SoftHSM2 token labelled
#    SYMBOLON_HSM_TOKEN_LABEL when the token folder has none yet, with the PINs from SYMBOLON_HSM_PIN_FILE and
#    SYMBOLON_HSM_SO_PIN_FILE. `domain` also lets a token made now create the domain key (the first token of a new
#    development domain, as `npm start` does, ADR 0006); `member` never does: such a token receives the domain key
#    through the quorum-approved change of the fleet issue. Unset for a vendor token, which its tooling initialises.
set -eu

if [ -n "${SYMBOLON_DB_URL_FILE:-}" ]; then
  SYMBOLON_DB_URL="$(cat "$SYMBOLON_DB_URL_FILE")"
  export SYMBOLON_DB_URL
  unset SYMBOLON_DB_URL_FILE
fi

case "${SYMBOLON_HSM_DEV_TOKEN:-}" in
  '') ;;
  domain | member)
    label="${SYMBOLON_HSM_TOKEN_LABEL:?set SYMBOLON_HSM_TOKEN_LABEL}"
    if ! softhsm2-util --show-slots 2>/dev/null | grep -Eq "^[[:space:]]*Label:[[:space:]]+${label}[[:space:]]*$"; then
      mkdir -p /var/lib/symbolon/softhsm/tokens
      pin="$(cat "${SYMBOLON_HSM_PIN_FILE:?set SYMBOLON_HSM_PIN_FILE}")"
      so_pin="$(cat "${SYMBOLON_HSM_SO_PIN_FILE:?set SYMBOLON_HSM_SO_PIN_FILE}")"
      # The PINs are arguments of softhsm2-util for a moment (visible inside this container only): development tokens.
      softhsm2-util --init-token --free --label "$label" --so-pin "$so_pin" --pin "$pin" >/dev/null
      unset pin so_pin
      echo "symbolon-entrypoint: initialised SoftHSM2 token ${label}"
      if [ "$SYMBOLON_HSM_DEV_TOKEN" = domain ]; then
        SYMBOLON_HSM_CREATE_DOMAIN_KEY=true
        export SYMBOLON_HSM_CREATE_DOMAIN_KEY
      fi
    fi
    ;;
  *)
    echo "symbolon-entrypoint: SYMBOLON_HSM_DEV_TOKEN must be domain, member or unset" >&2
    exit 2
    ;;
esac

exec "$@"
