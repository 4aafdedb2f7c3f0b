#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/Targets against the parsers' own sources and runs each for a bounded time
# (FUZZ_SECONDS, default 60) from its committed seed corpus. Fails on a crash, a hang (an input that takes more
# than 5 s) or an input that makes the target use more than 1 GB; the input that did it is kept under
# .build/fuzz/artifacts/ and printed. New inputs found go to .build/fuzz/corpus/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
out=.build/fuzz
mkdir -p "$out/artifacts"

# The REST bodies' target compiles the generated types (the build's plugin output) with the runtime's coding and
# validation, over swift-http-types built as a module of its own.
generated=$(find .build/plugins/outputs -path "*Generated*GeneratedSources/Types.swift" 2>/dev/null | head -1)
if [ -z "$generated" ]; then
    swift build --target Generated
    generated=$(find .build/plugins/outputs -path "*Generated*GeneratedSources/Types.swift" | head -1)
fi
sed '/^import APIRuntime$/d' "$generated" > "$out/Types.swift"
http_types=$(find .build/checkouts/swift-http-types/Sources/HTTPTypes -name "*.swift")
# shellcheck disable=SC2086
swiftc -c -wmo -parse-as-library -O -sanitize=address -module-name HTTPTypes -emit-module \
    -emit-module-path "$out/HTTPTypes.swiftmodule" $http_types -o "$out/HTTPTypes.o" > "$out/http-types.log" 2>&1 \
    || { cat "$out/http-types.log"; exit 1; }
# The JSON escaping is a module of its own too, as in the package.
swiftc -c -wmo -parse-as-library -O -sanitize=address -module-name JSONEscaping -emit-module \
    -emit-module-path "$out/JSONEscaping.swiftmodule" Sources/JSONEscaping/JSONEscaping.swift \
    -o "$out/JSONEscaping.o" > "$out/json-escaping.log" 2>&1 || { cat "$out/json-escaping.log"; exit 1; }
escaping="-I $out $out/JSONEscaping.o"
runtime="Sources/APIRuntime/Coding/*.swift Sources/APIRuntime/Errors/APIError.swift"
runtime+=" Sources/APIRuntime/Errors/FieldProblem.swift Sources/APIRuntime/Validation/*.swift"

# The contact scanner's files, without their module imports, compiled with the generated types it names.
mkdir -p "$out/contact"
for file in Sources/Handlers/ContactDetails/{FoldedText,ContactToken,ContactScanner,ContactPrescreen,ScanPass+Links,ScanPass+Phones}.swift; do
    sed '/^import Generated$/d' "$file" > "$out/contact/$(basename "$file")"
done

declare -A sources=(
    [engine-packets]="Sources/EngineIO/Protocol/EnginePacket.swift"
    [socket-packets]="Sources/SocketIO/Protocol/SocketPacket.swift Sources/SocketIO/Protocol/JSONScanner.swift Sources/SocketIO/Protocol/JSONText.swift Sources/SocketIO/Protocol/EventCoding.swift Sources/SocketIO/Protocol/BinaryAssembly.swift $escaping"
    [rest-bodies]="$out/Types.swift $runtime -I $out $out/HTTPTypes.o $escaping"
    [contact-details]="$out/contact/*.swift $out/Types.swift $runtime -I $out $out/HTTPTypes.o $escaping"
)
declare -A entry=([engine-packets]=EnginePackets [socket-packets]=SocketPackets [rest-bodies]=RESTBodies
    [contact-details]=ContactDetails)

for target in engine-packets socket-packets rest-bodies contact-details; do
    echo "fuzz: building $target"
    # shellcheck disable=SC2086
    rm -f "$out/$target"
    if ! swiftc -sanitize=fuzzer,address -parse-as-library -O -g -module-name "Fuzz${entry[$target]}" \
        ${sources[$target]} "Fuzz/Targets/${entry[$target]}.swift" -o "$out/$target" > "$out/$target-build.log" 2>&1; then
        grep -v "ld.gold: warning" "$out/$target-build.log" | head -40
        echo "fuzz: $target does not build"
        exit 1
    fi
    mkdir -p "$out/corpus/$target"
    echo "fuzz: running $target for ${seconds}s"
    # The Swift runtime's backtracer reads memory ASan watches; libFuzzer prints its own report.
    if ! SWIFT_BACKTRACE=enable=no "$out/$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$target-" "$out/corpus/$target" "Fuzz/corpus/$target" \
        > "$out/$target.log" 2>&1; then
        tail -40 "$out/$target.log"
        echo "fuzz: $target failed; the input is in $out/artifacts/"
        exit 1
    fi
    grep -E "stat::number_of_executed_runs|cov: " "$out/$target.log" | tail -2
done
