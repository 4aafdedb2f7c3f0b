#!/usr/bin/env bash
# Installs what the build and the tests need on a bare Debian 12 machine with the Swift toolchain:
# Debian packages (TypeScript compiler, PostgreSQL) and a Python virtualenv with the spec and client tools.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(node-typescript postgresql chromium chromium-driver faketime)
missing=()
for package in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python_packages=(
    openapi-spec-validator==0.9.0
    "python-socketio[client]==5.18.1"
    websocket-client==1.9.2
    requests==2.34.2
    pytest==9.2.0
    selenium==4.51.0
    schemathesis==4.32.5
)
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv"
    python3 -m venv .venv
fi
if ! .venv/bin/python -c "import openapi_spec_validator, socketio, websocket, requests, pytest, selenium, schemathesis" 2>/dev/null; then
    echo "setup: installing Python tools: ${python_packages[*]}"
    .venv/bin/pip install -q --disable-pip-version-check "${python_packages[@]}"
fi

# The official socket.io JS client (4.8.1) that frontends use; not committed.
scripts/fetch-socketio-client.sh
