#!/usr/bin/env bash
# Builds and runs Tandem's libFuzzer targets (Fuzz/), one at a time (the machine is shared).
#
#   scripts/fuzz.sh [seconds per target, default 600] [targets...]
#
# Each target is built with the fuzzer and address sanitizers into Fuzz/.build, then run on a
# working copy of its seed corpus (Fuzz/Corpus/<Target>, committed; new inputs go to
# Fuzz/.build/corpus/<Target>). Crashes land in Fuzz/.build/crashes/<Target>/ and make the
# script exit non-zero; each one should become a regression test. The last lines of each run
# (executions, corpus size, crashes) are printed, and the full log is kept beside the crashes.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(FuzzSafeTensors FuzzGraphFile FuzzIDX)

# The graph-file seed is a graph Tandem trains and saves (written by a test on request; committed).
if [ ! -s Fuzz/Corpus/FuzzGraphFile/trained.tgraph ]; then
    TANDEM_FUZZ_SEEDS="$PWD/Fuzz/Corpus/FuzzGraphFile" swift test --filter GraphFileCraftedTests/testTheUneditedFileLoads >/dev/null
fi
python3 scripts/fuzz_seeds.py

status=0
for target in "${targets[@]}"; do
    # lld: gold fails on these links (an internal error while reporting the fuzzer runtime's symbols).
    flags=(-c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)
    (cd Fuzz && swift build "${flags[@]}" --product "$target" 2>&1 | grep -E "error|Compiling|Build" | tail -2)
    binary=$(cd Fuzz && swift build "${flags[@]}" --show-bin-path)/$target
    work=Fuzz/.build/corpus/$target
    crashes=Fuzz/.build/crashes/$target
    mkdir -p "$work" "$crashes"
    cp Fuzz/Corpus/$target/* "$work/"
    log=$crashes/fuzz.log
    echo "== $target: $seconds s"
    # -rss_limit_mb: an input that makes the reader allocate without bound (a gzip bomb) is a crash.
    # Swift's own crash backtracer would fight AddressSanitizer over a crashing input.
    if ! SWIFT_BACKTRACE=enable=no "$binary" "$work" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -timeout=10 \
        -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1; then
        status=1
        echo "   CRASH (see $crashes)"
    fi
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)|^#[0-9]+ *DONE|SUMMARY" "$log" || true
    ls "$crashes" | grep -v fuzz.log | sed 's/^/   artifact: /' || true
done
exit $status
