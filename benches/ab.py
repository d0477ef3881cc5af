#!/usr/bin/env python3
"""Compares two builds of the throughput report (before/after a change):
runs them alternately, each in its own process, and prints each cell's
median G elem/s and the ratio after/before.

    python3 benches/ab.py BEFORE AFTER [--rounds N] [report options...]

BEFORE and AFTER are report binaries (e.g. a copy of
target/release/examples/throughput saved before the change); the other
options go to both, e.g. `--in-pool --sizes 4Ki,1Mi --paths root --reps 9`.
"""
import csv
import io
import statistics
import subprocess
import sys


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] in ("-h", "--help"):
        print(__doc__)
        sys.exit(2)
    before, after, rest = args[0], args[1], args[2:]
    rounds = 3
    if "--rounds" in rest:
        i = rest.index("--rounds")
        rounds = int(rest[i + 1])
        del rest[i:i + 2]
    figs = {}
    order = []
    for r in range(rounds):
        # Alternate which build goes first, so that neither always runs
        # on a machine the other has just warmed.
        pair = [("before", before), ("after", after)]
        for name, binary in pair if r % 2 == 0 else pair[::-1]:
            out = subprocess.run([binary, "--csv"] + rest, check=True,
                                 capture_output=True, text=True).stdout
            for row in csv.DictReader(io.StringIO(out)):
                key = (row.get("dtype", "f32"), row["op"], row["size"], row["path"])
                if key not in order:
                    order.append(key)
                figs.setdefault((name,) + key, []).append(float(row["gelem_per_s"]))
    print(f"G elem/s, median of {rounds} alternating runs of each build")
    print(f"{'dtype':<5} {'op':<20} {'size':>6} {'path':<12} {'before':>8} {'after':>8} {'ratio':>6}")
    worst = None
    for key in order:
        b = statistics.median(figs[("before",) + key])
        a = statistics.median(figs[("after",) + key])
        ratio = a / b
        if key[1] != "ceiling" and (worst is None or ratio < worst[0]):
            worst = (ratio, key)
        print(f"{key[0]:<5} {key[1]:<20} {key[2]:>6} {key[3]:<12} {b:>8.2f} {a:>8.2f} {ratio:>6.2f}")
    if worst:
        print("lowest ratio: %.2f (%s %s %s %s)" % ((worst[0],) + worst[1]))


if __name__ == "__main__":
    main()
