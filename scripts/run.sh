#!/usr/bin/env bash
# Builds and runs the server on PORT (default 8000).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product messaging-server
exec .build/debug/messaging-server serve "$@"
