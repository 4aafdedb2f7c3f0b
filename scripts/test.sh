#!/usr/bin/env bash
# The whole test suite, as CI runs it: install tools, validate the spec, build (which regenerates the server code
# from api-spec/), check that the committed TypeScript clients match the spec and type-check, lint, run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "setup"
scripts/setup.sh

step "validate api-spec/openapi.yaml (OpenAPI 3.1)"
.venv/bin/openapi-spec-validator api-spec/openapi.yaml

step "build"
swift build --build-tests

step "spec diagnostics"
swift run --skip-build codegen check --openapi api-spec/openapi.yaml --asyncapi api-spec/asyncapi.yaml

step "regenerate clients/typescript and compare with the committed files"
swift package --allow-writing-to-package-directory generate-clients
if [ -n "$(git status --porcelain -- clients/)" ]; then
    git status --porcelain -- clients/
    git diff -- clients/ | head -50
    echo "clients/typescript differs from what api-spec/ generates: run 'swift package --allow-writing-to-package-directory generate-clients' and commit"
    exit 1
fi

step "type-check the TypeScript stubs (tsc --strict)"
tsc -p clients/typescript/tsconfig.json
tsc --noEmit --strict --target ES2020 --moduleResolution node --lib ES2020,DOM \
    clients/typescript/typecheck/socket.io-client.d.ts Tests/CodegenCoreTests/Expected/index.ts

step "lint (swift format)"
swift format lint --strict -r Sources Plugins Package.swift \
    Tests/CodegenCoreTests Tests/GeneratedTests Tests/ServerTests Tests/EngineIOTests Tests/SocketIOTests Tests/HandlersTests \
    Tests/APIRuntimeTests \
    Tests/FixtureConsumerTests/FixtureConsumerTests.swift Benchmarks/LoadGenerator Fuzz/Targets

step "documentation of the reusable libraries (DocC, warnings are errors)"
for target in EngineIO SocketIO; do
    swift package generate-documentation --target "$target" --warnings-as-errors > ".build/docc-$target.log" 2>&1 \
        || { tail -30 ".build/docc-$target.log"; exit 1; }
done

step "fuzz the parsers (libFuzzer, ${FUZZ_SECONDS:-45} s each)"
FUZZ_SECONDS="${FUZZ_SECONDS:-45}" scripts/fuzz.sh

step "swift test"
swift test --skip-build

step "live tests: real clients against real servers (python-socketio, socket.io-client in Node and Chromium, schemathesis)"
export SE_OFFLINE=true
.venv/bin/python -m pytest -q Tests/live
