#!/usr/bin/env bash
# Builds and runs every test: the release suite (unit, integration, GUI under Xvfb), the same unit and
# integration suites under ASan+UBSan (clang), and a bounded run of every libFuzzer target. Prints one summary line.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${DUET_FUZZ_SECONDS:-6}
passed=0
failed=0
failed_stages=()

# Adds a ctest run's counts to the totals; ctest's own summary line is "N% tests passed, F tests failed out of T".
count_ctest() {
    local log=$1 line total bad
    line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$log" | tail -n 1)
    if [ -z "$line" ]; then
        failed=$((failed + 1))
        return
    fi
    bad=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + total - bad))
    failed=$((failed + bad))
}

stage() {
    local name=$1
    shift
    echo "==== $name"
    if ! "$@"; then
        failed_stages+=("$name")
    fi
}

build_preset() {
    local preset=$1
    cmake --preset "$preset" -DDUET_WERROR=ON >/dev/null && cmake --build --preset "$preset" -j "$jobs"
}

run_ctest() {
    local preset=$1
    shift
    local log
    log=$(mktemp)
    ctest --preset "$preset" -j "$jobs" --output-on-failure "$@" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    count_ctest "$log"
    rm -f "$log"
    return "$rc"
}

run_fuzzers() {
    local dir=build/asan/tests/fuzz rc=0
    for target in "$dir"/fuzz_*; do
        [ -x "$target" ] || continue
        local name corpus work
        name=$(basename "$target")
        corpus=tests/fuzz/corpus/$name
        work=$(mktemp -d)
        [ -d "$corpus" ] && cp -r "$corpus/." "$work/" 2>/dev/null
        if "$target" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 "$work" >"$work.log" 2>&1; then
            echo "fuzz $name: ok ($(grep -Eo '#[0-9]+' "$work.log" | tail -n 1 | tr -d '#') runs)"
            passed=$((passed + 1))
        else
            echo "fuzz $name: FAILED"
            tail -n 40 "$work.log"
            failed=$((failed + 1))
            rc=1
        fi
        rm -rf "$work" "$work.log"
    done
    return $rc
}

# Tests that run real processes, windows or network namespaces measure time (timeouts, RTTs, blackout
# gaps); they run one at a time so that two of them never compete for the two cores.
processes="integration|gui|netlab|netns|bench"

# The sanitizer build runs at the lowest priority while the release suites run: the process tests mostly
# wait on timers and the network, so the build takes the idle CPU, and a test that needs the CPU gets it
# first (nice 19 weighs about 1/70 of a normal process).
start_background_build() {
    local preset=$1
    background_log=$(mktemp)
    (nice -n 19 bash -c "cmake --preset $preset -DDUET_WERROR=ON >/dev/null && \
        cmake --build --preset $preset -j $jobs") >"$background_log" 2>&1 &
    background_pid=$!
}

finish_background_build() {
    local rc=0
    wait "$background_pid" || rc=$?
    cat "$background_log"
    rm -f "$background_log"
    return "$rc"
}

stage "release build" build_preset release
# One clang-14 build for the sanitizer suites and the libFuzzer targets (built beside them).
start_background_build asan
stage "release unit tests" run_ctest release -LE "$processes"
stage "release process tests" run_ctest release -L "$processes" -j 1
stage "asan build" finish_background_build
# The GUI under Xvfb is left out under ASan: Mesa's own leaks cannot be suppressed (recipes §3).
export ASAN_OPTIONS=detect_leaks=1
stage "asan unit tests" run_ctest asan -LE "$processes"
# The namespace labs (netns) measure network behaviour, not memory safety; they run in the release stage.
stage "asan process tests" run_ctest asan -L integration -LE netns -j 1
unset ASAN_OPTIONS
stage "fuzz runs" run_fuzzers

if [ ${#failed_stages[@]} -ne 0 ]; then
    echo "failed stages: ${failed_stages[*]}"
    [ "$failed" -eq 0 ] && failed=${#failed_stages[@]}
fi
echo "tests: $passed passed, $failed failed"
[ ${#failed_stages[@]} -eq 0 ] && [ "$failed" -eq 0 ]
