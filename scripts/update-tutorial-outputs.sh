#!/usr/bin/env bash
# Regenerates the output blocks (```output fences) of every tutorial README from a real run.
#
#   scripts/update-tutorial-outputs.sh [--debug] [NN ...]
#
# Builds the tutorials (release by default, as the READMEs tell readers to run them; --debug uses
# the debug build, faster to build, with slower timings), runs each one in full mode, and replaces
# each line of each ```output block with the line of the run that has the same words: the same text
# once numbers and absolute paths are masked, taken in order, so "epoch 1" ... "epoch 5" lines pick
# the run's epochs one by one (among such lines, the one with the same first number, "step 100",
# is preferred; a line whose words after its last ": " changed, a verdict worded from the run's
# figures, is matched by the words before). A README line with no such run line is reported and the script exits
# non-zero: the README's wording no longer matches the program. A line "..." stays as it is.
# SVG pictures a run writes (tutorial-NN-name.svg) are copied beside its README as name.svg.
#
# Tests/TutorialTests checks the same correspondence against a quick run on every `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
config=release
scratch=(--scratch-path .build-release)
if [[ "${1:-}" == "--debug" ]]; then config=debug; scratch=(); shift; fi
only=("$@")

products=()
for dir in Tutorials/[0-9][0-9]-*/; do
    num=${dir#Tutorials/}; num=${num%%-*}
    if ((${#only[@]})) && [[ ! " ${only[*]} " =~ " $num " ]]; then continue; fi
    product=$(grep -o "name: \"tutorial-$num-[a-z0-9-]*\"" Package.swift | head -1 | sed 's/name: "\(.*\)"/\1/')
    [[ -n "$product" ]] && products+=("$num:$product:$dir")
done

for entry in "${products[@]}"; do
    IFS=: read -r num product dir <<<"$entry"
    swift build -c "$config" "${scratch[@]}" --product "$product" >/dev/null
done
bin=$(swift build -c "$config" "${scratch[@]}" --show-bin-path)

status=0
for entry in "${products[@]}"; do
    IFS=: read -r num product dir <<<"$entry"
    echo "== $product" >&2
    out=$(mktemp)
    work=$(mktemp -d)
    (cd "$work" && "$bin/$product" >"$out" 2>&1) || { echo "$product failed" >&2; status=1; continue; }
    # Pictures the run wrote (tutorial-NN-name.svg) go beside the README as name.svg.
    for svg in "$work"/tutorial-"$num"-*.svg; do
        [[ -e "$svg" ]] && cp "$svg" "$dir/$(basename "$svg" | sed "s/^tutorial-$num-//")"
    done
    python3 - "$dir/README.md" "$out" <<'PY' || status=1
import re, sys
readme_path, output_path = sys.argv[1], sys.argv[2]
NUMBER = re.compile(r"-?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf)", re.I)
PATH = re.compile(r"(?<![\w.])/[\w.+-]+(?:/[\w.+-]+)+")
def skeleton(line):
    line = PATH.sub("<path>", line)
    return " ".join(NUMBER.sub("#", line).split())
run = open(output_path).read().splitlines()
keys = [skeleton(l) for l in run]
text = open(readme_path).read().split("\n")
result, inside, cursor, missing = [], False, 0, []
for line in text:
    if line.startswith("```"):
        inside = (line.strip() == "```output") if not inside else False
        result.append(line); continue
    if not inside or line.strip() == "...":
        result.append(line); continue
    key = skeleton(line)
    order = [i for i in list(range(cursor, len(run))) + list(range(0, cursor)) if keys[i] == key]
    if not order and ": " in key:
        # A verdict worded from varying figures: match the words up to the last ": ".
        lead = key[:key.rindex(": ") + 2]
        order = [i for i in list(range(cursor, len(run))) + list(range(0, cursor)) if keys[i].startswith(lead)]
    # Among lines with the same words, prefer the one with the same first number ("step 100",
    # "epoch 3"), so a README that skips lines with "..." still picks the right ones.
    first = lambda text: (NUMBER.findall(PATH.sub("", text)) or [None])[0]
    found = next((i for i in order if first(run[i]) == first(line)), order[0] if order else None)
    if found is None:
        missing.append(line); result.append(line); continue
    cursor = found + 1
    result.append(run[found])
open(readme_path, "w").write("\n".join(result))
for line in missing: print(f"{readme_path}: no line of the run matches: {line}", file=sys.stderr)
sys.exit(1 if missing else 0)
PY
    rm -f "$out"
done
exit $status
