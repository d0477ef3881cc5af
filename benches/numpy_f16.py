#!/usr/bin/env python3
"""Times numpy's in-place ReLU on float16, np.maximum(x, 0, out=x), side by
side with the crate's relu_inplace on half::f16, and prints the ratio.

    python3 benches/numpy_f16.py [--reps N] [--rounds N] [--sizes 4Ki,1Mi,..]

numpy is installed into a throwaway virtualenv under target/ (it needs
PyPI). numpy keeps -0.0 where the crate gives +0.0, so this is a speed
anchor, not the same result. Both run in their own process, alternating,
and are timed the same way: the median over --reps timings of a batch of
calls sized to about 2 ms, on a buffer that stays put (the crate's report,
examples/throughput.rs, with the main thread calling). The figure kept for
each cell is the median over the rounds.
"""
import argparse
import csv
import io
import os
import statistics
import subprocess
import sys

SIZES = "4Ki,16Ki,64Ki,256Ki,1Mi,4Mi,16Mi,64Mi"
VENV = "target/numpy-venv"

# Runs inside the virtualenv: prints "elements,gelem_per_s" per size.
NUMPY_TIMER = r'''
import sys, time
import numpy as np
reps = int(sys.argv[1])
for n in map(int, sys.argv[2:]):
    rng = np.random.default_rng(1)
    init = (rng.random(n, dtype=np.float32) * 8 - 4 + 1e-3).astype(np.float16)
    x = init.copy()
    def timed(k):
        x[:] = init
        t = time.perf_counter()
        for _ in range(k):
            np.maximum(x, 0, out=x)
        return time.perf_counter() - t
    once = timed(2) / 2
    batch = max(1, min(1 << 16, int(2e-3 / max(once, 1e-9))))
    per_call = sorted(timed(batch) / batch for _ in range(reps))
    print(f"{n},{n / per_call[len(per_call) // 2] / 1e9:.4f}", flush=True)
'''


def elements(size):
    for suffix, mult in (("Mi", 1 << 20), ("Ki", 1 << 10)):
        if size.endswith(suffix):
            return int(size[:-2]) * mult
    return int(size)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", default="5")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sizes", default=SIZES)
    a = ap.parse_args()
    sizes = [elements(s) for s in a.sizes.split(",")]

    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "numpy"], check=True)
    numpy_version = subprocess.run([python, "-c", "import numpy; print(numpy.__version__)"],
                                   check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run(["cargo", "build", "--quiet", "--release", "--example", "throughput"],
                   check=True)

    numpy_fig, crate_fig = {}, {}
    for _ in range(a.rounds):
        out = subprocess.run([python, "-c", NUMPY_TIMER, a.reps] + [str(n) for n in sizes],
                             check=True, capture_output=True, text=True).stdout
        for line in out.split():
            n, g = line.split(",")
            numpy_fig.setdefault(int(n), []).append(float(g))
        out = subprocess.run(["target/release/examples/throughput", "--csv", "--dtype", "f16",
                              "--ops", "relu", "--paths", "simd,root", "--reps", a.reps,
                              "--sizes", a.sizes], check=True, capture_output=True, text=True).stdout
        for row in csv.DictReader(io.StringIO(out)):
            if row["op"] == "relu":
                crate_fig.setdefault((int(row["elements"]), row["path"]), []).append(
                    float(row["gelem_per_s"]))

    print(f"float16 relu in place, G elem/s, median of {a.rounds} alternations "
          f"(numpy {numpy_version}: np.maximum(x, 0, out=x); the crate from the main thread)")
    print(f"{'elements':>10} {'numpy':>8} {'simd':>8} {'root':>8} {'simd/numpy':>11} {'root/numpy':>11}")
    for n in sizes:
        np_g = statistics.median(numpy_fig[n])
        s = statistics.median(crate_fig[(n, "simd")])
        r = statistics.median(crate_fig[(n, "root")])
        print(f"{n:>10} {np_g:>8.2f} {s:>8.2f} {r:>8.2f} {s / np_g:>11.1f} {r / np_g:>11.1f}")


if __name__ == "__main__":
    main()
