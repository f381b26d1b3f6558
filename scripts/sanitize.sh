#!/usr/bin/env bash
# Builds the package with its tests under AddressSanitizer (with LeakSanitizer) and ThreadSanitizer
# and runs the tests in each, the kernels on every core (Parallel.workers = the active processor
# count, OpenBLAS with as many threads).
#
#   scripts/sanitize.sh                      # both sanitizers, the default subset below
#   scripts/sanitize.sh address              # ASan + LSan only
#   scripts/sanitize.sh thread               # TSan only
#   FILTER='.*' scripts/sanitize.sh          # the whole suite (slow: TSan is 5-15x a debug run)
#
# The default subset is every test target but the tutorials (which start separate debug-built
# processes, so they would not run under the sanitizer) and the MPI tests (mpirun forks ranks built
# without the sanitizer). Logs: out/sanitize/<sanitizer>.log; the script fails when a report appears.
# Heavy steps run under `nice -n 19` (the machine is shared).
set -uo pipefail
cd "$(dirname "$0")/.."

which_ones=${1:-all}
FILTER=${FILTER:-'^(TandemKernelsTests|TandemEagerTests|TandemGraphTests|TandemCompareTests|TandemTraceTests)\.'}
SKIP=${SKIP:-'DistributedFaults|ReferenceTrainingDistributed'}
cores=$(nproc)
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-$cores}
mkdir -p out/sanitize
status=0

run() {  # run <sanitizer> <scratch dir>
    local sanitizer=$1 scratch=$2 log=out/sanitize/$1.log
    echo "== $sanitizer: build into $scratch"
    nice -n 19 swift build --build-tests -Xswiftc -sanitize="$sanitizer" --scratch-path "$scratch" > "$log.build" 2>&1
    local build_rc=$?
    grep -E "error:" "$log.build" | head -20
    if [ "$build_rc" != 0 ]; then echo "build failed, see $log.build"; status=1; return; fi
    echo "== $sanitizer: tests matching $FILTER (skipping $SKIP), $cores cores, OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS"
    nice -n 19 swift test --skip-build -Xswiftc -sanitize="$sanitizer" --scratch-path "$scratch" \
        --filter "$FILTER" --skip "$SKIP" > "$log" 2>&1
    local rc=$?
    grep -E "Executed [0-9]+ tests" "$log" | tail -1
    local reports
    reports=$(grep -cE "^(==[0-9]+==ERROR|WARNING: ThreadSanitizer|SUMMARY: (Address|Leak|Thread|UndefinedBehavior)Sanitizer)" "$log")
    echo "== $sanitizer: exit $rc, $reports sanitizer report lines (log: $log)"
    grep -E "^SUMMARY: " "$log" | sort | uniq -c | head -20
    if [ "$rc" != 0 ] || [ "$reports" != 0 ]; then status=1; fi
}

if [ "$which_ones" = all ] || [ "$which_ones" = address ]; then
    # LeakSanitizer is part of ASan on Linux. The suppressions name only the Swift runtime's and
    # system libraries' deliberate never-freed allocations (see the file), none of Tandem's frames.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:print_summary=1}
    export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/sanitizers/lsan.supp:print_suppressions=1}
    run address .build-asan
fi
if [ "$which_ones" = all ] || [ "$which_ones" = thread ]; then
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0:second_deadlock_stack=1}
    run thread .build-tsan
fi
exit $status
