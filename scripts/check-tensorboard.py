#!/usr/bin/env python3
"""Reads Tandem's TensorBoard event files with TensorBoard's own reader (EventAccumulator).

    pip install tensorboard
    python3 scripts/check-tensorboard.py LOGDIR [--expect-tag loss] [--compare RUN_A RUN_B]

For every run directory under LOGDIR (a directory holding events.out.tfevents.* files) it prints
the scalar tags, their number of points, first and last values, the histogram tags and whether a
graph is present. With --compare it prints the largest difference between two runs' curves of
--expect-tag (the eager and graph frontends' losses of `tandem train`/`tandem compare`).
Exits non-zero when a run has no events or lacks --expect-tag.
"""
import argparse
import os
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def runs(logdir):
    for root, _dirs, files in os.walk(logdir):
        if any("tfevents" in f for f in files):
            yield os.path.relpath(root, logdir), root


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("logdir")
    parser.add_argument("--expect-tag", default=None)
    parser.add_argument("--compare", nargs=2, metavar=("RUN_A", "RUN_B"))
    args = parser.parse_args()
    curves = {}
    failures = 0
    found = list(runs(args.logdir))
    if not found:
        print(f"no event files under {args.logdir}")
        return 1
    for name, path in sorted(found):
        acc = EventAccumulator(path, size_guidance={"scalars": 0, "histograms": 0})
        acc.Reload()
        tags = acc.Tags()
        print(f"run {name}:")
        for tag in tags["scalars"]:
            points = acc.Scalars(tag)
            curves[(name, tag)] = [(p.step, p.value) for p in points]
            print(f"  scalar {tag}: {len(points)} points, step {points[0].step} = {points[0].value:.6g}, "
                  f"step {points[-1].step} = {points[-1].value:.6g}")
        for tag in tags["histograms"]:
            h = acc.Histograms(tag)[-1].histogram_value
            print(f"  histogram {tag}: {len(acc.Histograms(tag))} steps, last: num {h.num:g}, min {h.min:g}, max {h.max:g}")
        print(f"  graph: {'yes' if tags.get('graph') else 'no'}")
        if args.expect_tag and args.expect_tag not in tags["scalars"]:
            print(f"  MISSING tag {args.expect_tag}")
            failures += 1
    if args.compare:
        tag = args.expect_tag or "loss"
        a, b = (dict(curves.get((run, tag), [])) for run in args.compare)
        common = sorted(set(a) & set(b))
        if not common:
            print(f"no common steps of {tag} in {args.compare[0]} and {args.compare[1]}")
            return 1
        diff = max(abs(a[s] - b[s]) for s in common)
        print(f"{tag}: {args.compare[0]} vs {args.compare[1]}: {len(common)} common steps, max |difference| {diff:.3g}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
