"""relu_kernels against numpy's fastest expression of the same values.

    python python/bench.py                       # float32, 4 Ki ... 64 Mi
    python python/bench.py --sizes 64Ki,1Mi --reps 21 --dtype float16
    python python/bench.py --overhead-only       # the 16-element calls
    python python/bench.py --onnxruntime         # against onnxruntime (pip install onnx onnxruntime)

Every function runs in place (`out=x`, or `out=dy` for the backward
passes) against numpy's in-place expression, with `out=` and a
preallocated boolean mask, that gives the semantics table's values: NaN
propagates from x, gradients are 1 at both zeros, the backward passes give
0 for x < 0 whatever dy is. Both are checked to agree on the special
values first. One process, the two timed interleaved (one batch of each in
turn, so that a noisy neighbour slows both alike), the inputs restored
(untimed) before each batch; each figure is the median time per call.
The ratio is numpy's time over relu_kernels' (above 1: relu_kernels is
faster).

With --onnxruntime, relu and leaky_relu out of place (into a preallocated
output) against onnxruntime's CPU `Relu` and `LeakyRelu` (its MLAS
kernels and its own thread pool), bound to the same arrays with
`io_binding`: one process per contender and round, the contenders
alternating, each figure the median of the rounds' medians, in G elem/s.
"""

import argparse
import statistics
import sys
import time

import numpy as np

import relu_kernels as rk

KI, MI = 1024, 1024 * 1024
ALPHA = 0.01

# name: (relu_kernels call, numpy call, numpy expression as printed).
# Each call takes (x, dy, m, a): x and dy the arrays (the result goes to x
# for the one-array functions, to dy for the backward passes), m a
# preallocated bool mask, a alpha in the dtype.
FUNCTIONS = {
    "relu": (
        lambda x, dy, m, a: rk.relu(x, out=x),
        lambda x, dy, m, a: np.maximum(x, 0, out=x),
        "np.maximum(x, 0, out=x)",
    ),
    "leaky_relu": (
        lambda x, dy, m, a: rk.leaky_relu(x, ALPHA, out=x),
        lambda x, dy, m, a: (np.less_equal(x, 0, out=m), np.multiply(x, a, out=x, where=m)),
        "np.less_equal(x, 0, out=m); np.multiply(x, a, out=x, where=m)",
    ),
    "relu_grad": (
        lambda x, dy, m, a: rk.relu_grad(x, out=x),
        lambda x, dy, m, a: np.heaviside(x, 1, out=x),
        "np.heaviside(x, 1, out=x)",
    ),
    "leaky_relu_grad": (
        lambda x, dy, m, a: rk.leaky_relu_grad(x, ALPHA, out=x),
        lambda x, dy, m, a: (np.less(x, 0, out=m), np.heaviside(x, 1, out=x), np.copyto(x, a, where=m)),
        "np.less(x, 0, out=m); np.heaviside(x, 1, out=x); np.copyto(x, a, where=m)",
    ),
    "relu_backward": (
        lambda x, dy, m, a: rk.relu_backward(x, dy, out=dy),
        lambda x, dy, m, a: (
            np.less(x, 0, out=m),
            np.copyto(dy, 0, where=m),
            np.isnan(x, out=m),
            np.copyto(dy, x, where=m),
        ),
        "np.less(x, 0, out=m); np.copyto(dy, 0, where=m); np.isnan(x, out=m); np.copyto(dy, x, where=m)",
    ),
    "leaky_relu_backward": (
        lambda x, dy, m, a: rk.leaky_relu_backward(x, dy, ALPHA, out=dy),
        lambda x, dy, m, a: (
            np.less(x, 0, out=m),
            np.multiply(dy, a, out=dy, where=m),
            np.isnan(x, out=m),
            np.copyto(dy, x, where=m),
        ),
        "np.less(x, 0, out=m); np.multiply(dy, a, out=dy, where=m); np.isnan(x, out=m); np.copyto(dy, x, where=m)",
    ),
    "relu_backward_from_output": (
        lambda x, dy, m, a: rk.relu_backward_from_output(x, dy, out=dy),
        lambda x, dy, m, a: (
            np.less_equal(x, 0, out=m),
            np.copyto(dy, 0, where=m),
            np.isnan(x, out=m),
            np.copyto(dy, x, where=m),
        ),
        "np.less_equal(y, 0, out=m); np.copyto(dy, 0, where=m); np.isnan(y, out=m); np.copyto(dy, y, where=m)",
    ),
}

BACKWARD = {"relu_backward", "leaky_relu_backward", "relu_backward_from_output"}

# Leaky ReLU forward and backward scale their output by alpha at every call:
# applied again and again, the values would drift to subnormals (slow on
# some CPUs). Their inputs are restored every 8 calls; the others reach a
# fixed point after a call or two whose cost does not depend on the values,
# so they run back to back, as in the crate's throughput report.
RESTORE = {"leaky_relu", "leaky_relu_backward"}


def parse_size(s):
    for suffix, mul in (("Ki", KI), ("Mi", MI)):
        if s.endswith(suffix):
            return int(s[: -len(suffix)]) * mul
    return int(s)


def size_name(n):
    if n >= MI and n % MI == 0:
        return f"{n // MI}Mi"
    if n >= KI and n % KI == 0:
        return f"{n // KI}Ki"
    return str(n)


def values(n, dt, seed):
    """Half negative, no zeros, nothing special: the timed data."""
    v = np.random.default_rng(seed).uniform(-4, 4, n).astype(dt)
    v[v == 0] = 1
    return v


def specials(dt):
    with np.errstate(all="ignore"):
        fi = np.finfo(dt)
        s = [np.nan, -np.nan, 0.0, -0.0, np.inf, -np.inf, fi.max, fi.min, fi.smallest_subnormal,
             -fi.smallest_subnormal, fi.smallest_normal, -fi.smallest_normal, 1.0, -1.0, 2.5, -2.5]
        return np.array(s, dt)


def same(a, b):
    return bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def check(dt):
    """Each numpy expression gives relu_kernels' values on every pair of
    specials (so the two timed calls compute the same thing); a difference
    in the sign of a zero alone is reported, not fatal (float16's
    np.maximum keeps -0.0, where relu gives +0.0)."""
    notes = []
    sp = specials(dt)
    x0, dy0 = np.repeat(sp, len(sp)), np.tile(sp, len(sp))
    a = dt(ALPHA)
    for name, (ours, theirs, _) in FUNCTIONS.items():
        res = []
        for f in (ours, theirs):
            x, dy, m = x0.copy(), dy0.copy(), np.empty(x0.shape, bool)
            with np.errstate(all="ignore"):
                f(x, dy, m, a)
            res.append(dy if name in BACKWARD else x)
        if not same(*res):
            sys.exit(f"bench.py: the numpy expression for {name} does not give relu_kernels' values")
        zeros = (res[0] == 0) & (np.signbit(res[0]) != np.signbit(res[1]))
        if zeros.any():
            notes.append(f"note: for {name} the numpy expression gives zeros of the other sign")
    return notes

def timed(f, x, dy, m, a, x0, dy0, calls, restore=True):
    if restore:
        np.copyto(x, x0)
        np.copyto(dy, dy0)
    t = time.perf_counter_ns()
    for _ in range(calls):
        f(x, dy, m, a)
    return (time.perf_counter_ns() - t) / calls


def measure(name, n, dt, reps):
    """Median seconds per call of relu_kernels and of numpy."""
    ours, theirs, _ = FUNCTIONS[name]
    x0, dy0 = values(n, dt, 1), values(n, dt, 2)
    x, dy, m = x0.copy(), dy0.copy(), np.empty(n, bool)
    a = dt(ALPHA)
    restore = name in RESTORE
    cases = [ours, theirs]
    # Batches of about 2 ms (at most 8 calls between restores).
    batch = []
    for f in cases:
        once = timed(f, x, dy, m, a, x0, dy0, 2)
        batch.append(max(1, min(8 if restore else 1 << 14, int(2e6 / max(once, 1)))))
    times = [[], []]
    for r in range(reps):
        order = (0, 1) if r % 2 == 0 else (1, 0)
        for i in order:
            times[i].append(timed(cases[i], x, dy, m, a, x0, dy0, batch[i], restore))
    return [statistics.median(t) * 1e-9 for t in times]


def overhead(dt, reps):
    """Per-call time on a 16-element array, in place, many calls a batch;
    the last figure is the timing loop's own cost (a call of an empty
    function with the same arguments)."""
    x0 = values(16, dt, 3)
    x = x0.copy()

    def empty(x, out=None):
        pass

    cases = [lambda: rk.relu(x, out=x), lambda: np.maximum(x, 0, out=x), lambda: empty(x, out=x)]
    times = [[], [], []]
    for _ in range(reps):
        for i, f in enumerate(cases):
            t = time.perf_counter_ns()
            for _ in range(2000):
                f()
            times[i].append((time.perf_counter_ns() - t) / 2000)
    return [statistics.median(t) for t in times]


ORT_FUNCTIONS = ["relu", "leaky_relu"]


def ort_call(name, x, y):
    """onnxruntime's `name` from x into y, as a function of no arguments."""
    import onnxruntime as ort
    from onnx import helper

    elem = helper.np_dtype_to_tensor_dtype(x.dtype)
    attrs = {"alpha": ALPHA} if name == "leaky_relu" else {}
    op = {"relu": "Relu", "leaky_relu": "LeakyRelu"}[name]
    node = helper.make_node(op, ["x"], ["y"], **attrs)
    graph = helper.make_graph(
        [node],
        name,
        [helper.make_tensor_value_info("x", elem, [len(x)])],
        [helper.make_tensor_value_info("y", elem, [len(x)])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = min(model.ir_version, 9)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    binding = sess.io_binding()
    binding.bind_ortvalue_input("x", ort.OrtValue.ortvalue_from_numpy(x))
    binding.bind_ortvalue_output("y", ort.OrtValue.ortvalue_from_numpy(y))
    return lambda: sess.run_with_iobinding(binding)


def settle():
    """Waits out the spin of numpy's BLAS threads: OpenBLAS's workers
    busy-wait for about 0.1 s (2^28 TSC cycles) after numpy's import and
    after each threaded BLAS call, each on a core of its own. Figures
    taken meanwhile measure a machine with a core fewer (on two cores,
    relu_kernels' shared calls then run serially; docs/TUNING.md)."""
    time.sleep(0.3)


def ort_worker(contender, names, sizes, dt, reps):
    """One process's figures: median seconds per call of `contender` for
    each function and size, printed as `name size seconds` lines."""
    settle()
    for name in names:
        for n in sizes:
            x, y = values(n, dt, 1), np.zeros(n, dt)
            if contender == "onnxruntime":
                f = ort_call(name, x, y)
            elif name == "relu":
                f = lambda: rk.relu(x, out=y)  # noqa: E731
            else:
                f = lambda: rk.leaky_relu(x, ALPHA, out=y)  # noqa: E731
            f()
            want = rk.relu(x) if name == "relu" else rk.leaky_relu(x, ALPHA)
            if not same(y, want):
                sys.exit(f"bench.py: {contender}'s {name} does not give relu_kernels' values")
            t = time.perf_counter_ns()
            f()
            once = time.perf_counter_ns() - t
            calls = max(1, min(1 << 14, int(2e6 / max(once, 1))))
            times = []
            for _ in range(reps):
                t = time.perf_counter_ns()
                for _ in range(calls):
                    f()
                times.append((time.perf_counter_ns() - t) / calls)
            print(name, n, statistics.median(times) * 1e-9, flush=True)


def against_onnxruntime(o, sizes):
    """Runs `ort_worker` in a process per contender and round, alternating,
    and prints the medians in G elem/s."""
    import subprocess

    import onnxruntime as ort

    names = [n for n in o.functions.split(",") if n in ORT_FUNCTIONS] or ORT_FUNCTIONS
    contenders = ["relu_kernels", "onnxruntime"]
    got = {}
    for r in range(o.rounds):
        for c in contenders if r % 2 == 0 else contenders[::-1]:
            cmd = [sys.executable, __file__, "--ort-worker", c, "--dtype", o.dtype, "--functions", ",".join(names),
                   "--sizes", o.sizes, "--reps", str(o.reps or 7)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                name, n, secs = line.split()
                got.setdefault((c, name, int(n)), []).append(float(secs))
    print(f"relu_kernels vs onnxruntime {ort.__version__}, {o.dtype}, out of place, "
          f"median of {o.rounds} alternating processes each, G elem/s")
    print(f"{'':<26}" + "".join(f"{size_name(n):>8}" for n in sizes))
    for name in names:
        for c in contenders:
            cells = "".join(f"{n / statistics.median(got[c, name, n]) / 1e9:>8.2f}" for n in sizes)
            print(f"{name + ', ' + c:<26}{cells}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="4Ki,64Ki,1Mi,16Mi,64Mi")
    p.add_argument("--dtype", default="float32", choices=["float32", "float64", "float16"])
    p.add_argument("--functions", default=",".join(FUNCTIONS))
    p.add_argument("--reps", type=int, default=None, help="timings per figure (default: by size)")
    p.add_argument("--overhead-only", action="store_true")
    p.add_argument("--onnxruntime", action="store_true", help="relu and leaky_relu against onnxruntime")
    p.add_argument("--rounds", type=int, default=3, help="processes per contender (--onnxruntime)")
    p.add_argument("--ort-worker", choices=["relu_kernels", "onnxruntime"], help=argparse.SUPPRESS)
    o = p.parse_args()
    dt = np.dtype(o.dtype).type
    sizes = [parse_size(s) for s in o.sizes.split(",")]
    names = o.functions.split(",")
    if o.ort_worker:
        return ort_worker(o.ort_worker, names, sizes, dt, o.reps or 7)
    if o.onnxruntime:
        return against_onnxruntime(o, sizes)
    notes = check(dt)
    settle()
    print(f"relu_kernels vs numpy {np.__version__}, {o.dtype}, in place; ratio = numpy time / relu_kernels time")
    ot, nt, lt = overhead(dt, o.reps or 15)
    print(
        f"per call at 16 elements: relu(x, out=x) {ot:.0f} ns, np.maximum(x, 0, out=x) {nt:.0f} ns"
        f" ({ot / nt:.2f}x numpy's); the timing loop alone {lt:.0f} ns"
    )
    for note in notes:
        print(note)
    if o.overhead_only:
        return
    print("numpy expressions (m: a preallocated bool array, a: alpha in the dtype):")
    for name in names:
        print(f"  {name:<26} {FUNCTIONS[name][2]}")
    print()
    print(f"{'function':<26}" + "".join(f"{size_name(n):>8}" for n in sizes))
    speeds = {}
    for name in names:
        row = []
        for n in sizes:
            reps = o.reps or (15 if n <= MI else 7 if n <= 16 * MI else 5)
            ours, theirs = measure(name, n, dt, reps)
            row.append(theirs / ours)
            speeds[name, n] = (n / ours / 1e9, n / theirs / 1e9)
        print(f"{name:<26}" + "".join(f"{r:>8.2f}" for r in row), flush=True)
    print("\nG elem/s, relu_kernels / numpy:")
    for name in names:
        cells = "".join(f"{'%.1f/%.1f' % speeds[name, n]:>12}" for n in sizes)
        print(f"{name:<26}{cells}")


if __name__ == "__main__":
    main()
