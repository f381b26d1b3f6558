#!/usr/bin/env bash
# Runs the test suite (or a subset) under AddressSanitizer and ThreadSanitizer.
#
#   scripts/sanitize.sh [filter]                 both sanitizers, tests matching filter (default: all)
#   SANITIZERS=address scripts/sanitize.sh Kernels
#
# Each sanitizer builds into its own scratch directory (.build-address, .build-thread), so the
# normal debug build is left alone. LeakSanitizer runs with AddressSanitizer (detect_leaks=1).
# Exits non-zero when a sanitizer reports an error or a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
filter=${1:-}
status=0
for sanitizer in ${SANITIZERS:-address thread}; do
    scratch=.build-$sanitizer
    echo "== $sanitizer: building"
    swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" 2>&1 | grep -E "error|warning: unre" || true
    echo "== $sanitizer: testing ${filter:-(all)}"
    log=$scratch/sanitize.log
    if ! ASAN_OPTIONS=detect_leaks=1 TSAN_OPTIONS=halt_on_error=1 \
        swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" ${filter:+--filter "$filter"} >"$log" 2>&1; then
        status=1
    fi
    grep -E "Executed [0-9]+ tests|ERROR: (Address|Thread|Leak)Sanitizer|WARNING: ThreadSanitizer|SUMMARY:" "$log" | sort | uniq -c | tail -8
done
exit $status
