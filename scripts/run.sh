#!/usr/bin/env bash
# Runs the server with the embedded PostgreSQL cluster (under ./data unless DATABASE_URL is set) and demo data,
# then prints the demo tokens and URLs; the test page at / offers the demo users (DEMO_LOGIN, development only).
# Development secrets are generated once into data/dev.env; set JWT_SECRET and SERVICE_API_KEY yourself in any real
# deployment.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && [ -z "${DATABASE_URL:-}" ]; then
    echo "run: installing PostgreSQL (Debian package postgresql)"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
mkdir -p data
if [ ! -f data/dev.env ]; then
    {
        echo "JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=' | head -c 48)"
        echo "SERVICE_API_KEY=$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=' | head -c 32)"
    } > data/dev.env
    chmod 600 data/dev.env
fi
set -a
# shellcheck disable=SC1091
. data/dev.env
set +a
export JWT_SECRET="${JWT_SECRET}" SERVICE_API_KEY="${SERVICE_API_KEY}"
# The test page at / loads the official socket.io client from .tools/ (it explains what to do when it is missing).
scripts/fetch-socketio-client.sh || echo "run: could not fetch the socket.io client bundle; the test page will say so"
swift build --product messaging-server
.build/debug/messaging-server seed-demo
echo "Provisioning key (X-Service-Key): $SERVICE_API_KEY"
echo "Test client in a browser: http://localhost:${PORT:-8000}/ (pick a demo user); metrics: /metrics"
echo "Starting the server on port ${PORT:-8000} (Ctrl-C stops it and the embedded database)"
DEMO_LOGIN=true exec .build/debug/messaging-server serve
