#!/usr/bin/env python3
"""Runs the C loops (benches/c/baseline.c) and the crate's throughput report
side by side and prints, per op and size, the root functions' G elem/s as a
ratio of the better of C on 1 thread and C on 2 OpenMP threads, and as a
ratio of the crate's own single-threaded `simd` path.

    python3 benches/c/compare.py [--reps N] [--rounds N] [--sizes 4Ki,1Mi,..]
                                 [--ops relu,..] [--in-pool] [--cflags FLAGS]
                                 [--report BINARY]
    python3 benches/c/compare.py --channels [--reps N] [--rounds N] [--sizes ..]

`--channels` compares the per-channel forward ops instead (`bias_relu` and
`prelu` in place, on the `dense` and `nchw` layouts): the C loops against
examples/channel_throughput.rs's root functions (`bias_relu`, `prelu`) and
its single-threaded `simd` path (`bias_relu-1t`).

Both programs call from their main thread, as a program does: OpenMP's
caller is one of its two threads, and the crate is called from outside
rayon's pool (`--in-pool` makes the crate's caller a pool worker instead).
Each runs in its own process, so that OpenMP's and rayon's threads do not
spin on the same two cores; each round runs both once, alternating, so that
host noise hits both alike, and the figure kept for each cell is the median
over the rounds. Needs gcc with OpenMP (libgomp) and cargo.
"""
import argparse
import csv
import io
import statistics
import subprocess

OPS = ["relu", "leaky_relu", "relu_grad", "leaky_relu_grad",
       "relu_backward", "leaky_relu_backward", "relu_into", "leaky_relu_into"]
SIZES = "4Ki,64Ki,128Ki,256Ki,1Mi,4Mi,16Mi,64Mi"


def elements(size):
    for suffix, mult in (("Mi", 1 << 20), ("Ki", 1 << 10)):
        if size.endswith(suffix):
            return int(size[:-2]) * mult
    return int(size)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", default="5", help="timings per figure in each program")
    ap.add_argument("--rounds", type=int, default=3, help="alternations of the two programs")
    ap.add_argument("--sizes", default=SIZES)
    ap.add_argument("--ops", default=",".join(OPS))
    ap.add_argument("--in-pool", action="store_true", help="call the crate from a pool worker")
    ap.add_argument("--cflags", default="-O3 -march=native",
                    help="gcc flags for the C loops (e.g. add -mno-avx512f for AVX2 only)")
    ap.add_argument("--report", default="target/release/examples/throughput",
                    help="the crate's report binary (default: built from this tree)")
    ap.add_argument("--channels", action="store_true", help="the per-channel ops")
    a = ap.parse_args()
    sizes = [elements(s) for s in a.sizes.split(",")]
    ops = a.ops.split(",")
    if a.channels:
        return channels(a, sizes)

    build_c(a)
    if a.report == ap.get_default("report"):
        subprocess.run(["cargo", "build", "--quiet", "--release", "--example", "throughput"],
                       check=True)
    crate_cmd = [a.report, "--csv", "--reps", a.reps,
                 "--paths", "simd,root", "--ops", ",".join(ops), "--sizes", a.sizes]
    if a.in_pool:
        crate_cmd.append("--in-pool")

    c_fig, rust = {}, {}
    for _ in range(a.rounds):
        run_c(a, sizes, ops, c_fig, "elements")
        out = subprocess.run(crate_cmd, check=True, capture_output=True, text=True)
        for row in csv.DictReader(io.StringIO(out.stdout)):
            key = (row["op"], int(row["elements"]), row["path"])
            rust.setdefault(key, []).append(float(row["gelem_per_s"]))

    med = {k: statistics.median(v) for k, v in {**c_fig, **rust}.items()}
    caller = "a rayon pool worker" if a.in_pool else "the main thread, outside rayon's pool"
    print(f"G elem/s, median of {a.rounds} alternations; C built with gcc {a.cflags}; "
          f"the crate called from {caller}")
    print(f"{'op':<20} {'size':>9} {'C-1t':>7} {'C-2t':>7} {'simd':>7} {'root':>7}"
          f" {'root/C':>7} {'root/simd':>9}")
    worst_c, worst_simd = [], []
    for op in ops:
        for n in sizes:
            c1, c2, s, r = (med.get((op, n, p), float("nan"))
                            for p in ("C-1t", "C-2t", "simd", "root"))
            rc, rs = r / max(c1, c2), r / s
            worst_c.append((rc, op, n))
            worst_simd.append((rs, op, n))
            print(f"{op:<20} {n:>9} {c1:>7.2f} {c2:>7.2f} {s:>7.2f} {r:>7.2f}"
                  f" {rc:>7.2f} {rs:>9.2f}")
    print("lowest root/C: %.2f (%s, %d); lowest root/simd: %.2f (%s, %d)"
          % (min(worst_c) + min(worst_simd)))


def build_c(a):
    subprocess.run(["mkdir", "-p", "target"], check=True)
    subprocess.run(["gcc"] + a.cflags.split() + ["-fopenmp", "benches/c/baseline.c",
                                                  "-o", "target/c-baseline"], check=True)


def run_c(a, sizes, ops, figs, size_column):
    """One run of the C loops: each figure of `ops` appended to `figs`
    under (op, size, "C-1t" or "C-2t"), the size read from `size_column`
    (the per-channel ops cover whole periods, fewer elements than asked)."""
    out = subprocess.run(["target/c-baseline", a.reps] + [str(n) for n in sizes],
                         check=True, capture_output=True, text=True)
    for row in csv.DictReader(io.StringIO(out.stdout)):
        if row["op"] in ops:
            key = (row["op"], int(row[size_column]), "C-" + row["threads"] + "t")
            figs.setdefault(key, []).append(float(row["gelem_per_s"]))


CHANNEL_OPS = ["bias_relu/dense", "bias_relu/nchw", "prelu/dense", "prelu/nchw"]


def channels(a, sizes):
    """The per-channel forward ops: C (1 and 2 threads) against the crate's
    root function and, for bias_relu, its one-thread simd path."""
    build_c(a)
    subprocess.run(["cargo", "build", "--quiet", "--release", "--example", "channel_throughput"],
                   check=True)
    crate_cmd = ["target/release/examples/channel_throughput", "--reps", a.reps,
                 "--sizes", a.sizes]
    figs = {}
    for _ in range(a.rounds):
        run_c(a, sizes, CHANNEL_OPS, figs, "size")
        out = subprocess.run(crate_cmd, check=True, capture_output=True, text=True)
        # Rows: `layout size name value name value ...`, sizes in the order
        # given, each with a forward row (its first name is bias_relu) per
        # layout; the size printed is the whole periods covered.
        rows = [line.split() for line in out.stdout.splitlines()[1:]]
        rows = [t for t in rows if len(t) >= 4 and t[2] == "bias_relu"]
        assert len(rows) == 2 * len(sizes), out.stdout
        for k, t in enumerate(rows):
            layout, size = t[0], sizes[k // 2]
            pairs = dict(zip(t[2::2], map(float, t[3::2])))
            for op, path in (("bias_relu", "root"), ("prelu", "root"), ("bias_relu-1t", "simd")):
                name = op.split("-")[0] + "/" + layout
                figs.setdefault((name, size, path), []).append(pairs[op])
    med = {k: statistics.median(v) for k, v in figs.items()}
    print(f"G elem/s, median of {a.rounds} alternations; C built with gcc {a.cflags}; "
          "the crate called from the main thread")
    print(f"{'op':<16} {'size':>9} {'C-1t':>7} {'C-2t':>7} {'simd':>7} {'root':>7} {'root/C':>7}")
    worst = []
    for op in CHANNEL_OPS:
        for n in sizes:
            c1, c2, s, r = (med.get((op, n, p), float("nan"))
                            for p in ("C-1t", "C-2t", "simd", "root"))
            rc = r / max(c1, c2)
            worst.append((rc, op, n))
            print(f"{op:<16} {n:>9} {c1:>7.2f} {c2:>7.2f} {s:>7.2f} {r:>7.2f} {rc:>7.2f}")
    print("lowest root/C: %.2f (%s, %d)" % min(worst))


if __name__ == "__main__":
    main()
