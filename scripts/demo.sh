#!/usr/bin/env bash
# Runs Flowlab against the bundled identity provider:
#   the app on http://127.0.0.1:${FLOWLAB_PORT:-8080}/, the provider on http://127.0.0.1:${IDP_PORT:-9000}
# With --dot, django-oauth-toolkit runs beside it (http://127.0.0.1:${DOT_PORT:-9100}/o), as the
# end-to-end tests run it.
set -euo pipefail
cd "$(dirname "$0")/.."
APP_PORT=${FLOWLAB_PORT:-8080}
IDP_PORT=${IDP_PORT:-9000}
DOT_PORT=${DOT_PORT:-9100}
WITH_DOT=""
if [ "${1:-}" = "--dot" ]; then WITH_DOT=1; fi

if [ -n "$WITH_DOT" ]; then scripts/setup.sh --dot; else scripts/setup.sh; fi
scripts/build.sh

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

(cd tests && IDP_PORT=$IDP_PORT APP_ORIGINS="http://127.0.0.1:$APP_PORT,http://localhost:$APP_PORT" \
  node idp/server.mjs 2> >(grep -v 'oidc-provider WARNING' >&2)) &
pids+=($!)
node tests/serve.mjs --dir dist --port "$APP_PORT" >/dev/null &
pids+=($!)
if [ -n "$WITH_DOT" ]; then
  DOT_PORT=$DOT_PORT APP_ORIGINS="http://127.0.0.1:$APP_PORT" .venv/bin/python tests/dot/server.py >/dev/null &
  pids+=($!)
fi
sleep 2

query="issuer=http%3A%2F%2F127.0.0.1%3A$IDP_PORT&client_id=flowlab-demo"
cat <<MSG

  Flowlab is running.

    Open      http://127.0.0.1:$APP_PORT/?$query
    Provider  http://127.0.0.1:$IDP_PORT (oidc-provider, in memory)
    Sign in   as alice or bob, with any password (the provider's development login page)
    Clients   flowlab-demo (RS256 ID tokens), flowlab-demo-es256 (ES256 ID tokens): public
              flowlab-confidential (client_secret_basic), flowlab-confidential-post (client_secret_post):
                secret flowlab-demo-secret
              flowlab-m2m (client credentials, secret flowlab-m2m-secret, scope api:read)
              flowlab-device (device flow)
    Demo API  http://127.0.0.1:$IDP_PORT/api/hello   (password grant: any demo user, password looking-glass)

MSG
if [ -n "$WITH_DOT" ]; then
  dot_query="preset=django-oauth-toolkit&issuer=http%3A%2F%2F127.0.0.1%3A$DOT_PORT%2Fo&client_id=flowlab-dot-spa"
  cat <<MSG
    django-oauth-toolkit  http://127.0.0.1:$APP_PORT/?$dot_query
              users alice, bob with password looking-glass; one application per grant:
              flowlab-dot-spa (PKCE), flowlab-dot-implicit, flowlab-dot-hybrid, flowlab-dot-password,
              flowlab-dot-device, flowlab-dot-web (secret flowlab-dot-web-secret),
              flowlab-dot-m2m (client credentials, secret flowlab-dot-m2m-secret, API /api/hello)

MSG
fi
echo "  Press Ctrl+C to stop."
echo
wait
