#!/usr/bin/env python3
"""Runs the C baseline and the crate's throughput report side by side and
prints, per op and size, the root functions' G elem/s as a ratio of the
better of C's 1-thread and 2-thread figures.

    python3 benches/c/compare.py [reps] [rounds]

Each round runs both programs once, alternating, so that host noise hits
both alike; the figure kept for each cell is the median over the rounds.
Needs gcc with OpenMP (libgomp) and cargo.
"""
import csv
import io
import statistics
import subprocess
import sys

reps = sys.argv[1] if len(sys.argv) > 1 else "5"
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3

subprocess.run(["mkdir", "-p", "target"], check=True)
subprocess.run(
    ["gcc", "-O3", "-march=native", "-fopenmp", "benches/c/baseline.c", "-o", "target/c-baseline"],
    check=True,
)
subprocess.run(["cargo", "build", "--quiet", "--release", "--example", "throughput"], check=True)

SIZE = {"4Ki": 4096, "64Ki": 65536, "1Mi": 1 << 20, "16Mi": 16 << 20, "64Mi": 64 << 20}
c_best, rust = {}, {}
for _ in range(rounds):
    out = subprocess.run(["target/c-baseline", reps], check=True, capture_output=True, text=True)
    best = {}
    for row in csv.DictReader(io.StringIO(out.stdout)):
        key = (row["op"], int(row["size"]))
        best[key] = max(best.get(key, 0.0), float(row["gelem_per_s"]))
    for key, v in best.items():
        c_best.setdefault(key, []).append(v)
    out = subprocess.run(
        ["target/release/examples/throughput", "--csv", "--reps", reps, "--paths", "simd,par,root"],
        check=True, capture_output=True, text=True,
    )
    for row in csv.DictReader(io.StringIO(out.stdout)):
        key = (row["op"], SIZE[row["size"]], row["path"])
        rust.setdefault(key, []).append(float(row["gelem_per_s"]))

med = {k: statistics.median(v) for k, v in rust.items()}
print(f"{'op':<16} {'size':>9} {'C best':>8} {'simd':>8} {'par':>8} {'root':>8} {'root/C':>7} {'root/best':>9}")
for (op, n), cs in sorted(c_best.items(), key=lambda kv: (kv[0][0], kv[0][1])):
    c = statistics.median(cs)
    s, p, r = (med.get((op, n, path), float("nan")) for path in ("simd", "par", "root"))
    print(f"{op:<16} {n:>9} {c:>8.2f} {s:>8.2f} {p:>8.2f} {r:>8.2f} {r / c:>7.2f} {r / max(s, p):>9.2f}")
