"""Calls from several Python threads at once: the GIL is released while a
kernel runs, and every call gets its own right answer."""

import sys
import threading
import time

import numpy as np

import relu_kernels as rk
from reference import DTYPES, FUNCTIONS, assert_same, call, expected, filled


def run_threads(n, target):
    errors = []

    def wrapped(i):
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def test_concurrent_calls_each_get_their_answer():
    """Eight threads, every function, dtype and a few layouts and sizes
    (some large enough to run in parallel inside the crate), all checked."""

    def work(i):
        rng = np.random.default_rng(i)
        for k in range(24):
            name, n, has_alpha = FUNCTIONS[(i + k) % len(FUNCTIONS)]
            dt = DTYPES[(i + k) % len(DTYPES)]
            size = [(1000,), (256, 300), (1 << 18,)][k % 3]
            x = filled(size, dt, int(rng.integers(1 << 30)))
            dy = filled(size, dt, int(rng.integers(1 << 30)))
            arrays = [x, dy][:n]
            if k % 2:
                arrays = [a[..., ::-1] for a in arrays]
            alpha = 0.3 if has_alpha else None
            want = expected(name, arrays, 0.3)
            assert_same(call(name, arrays, alpha), want, f"thread {i} call {k}")
            out = np.empty(size, dt)
            assert_same(call(name, arrays, alpha, out=out), want, f"thread {i} call {k} out")

    run_threads(8, work)


def test_shared_input_separate_outputs():
    x = filled((1 << 20,), np.float32, 30)
    dy = filled((1 << 20,), np.float32, 31)
    want = expected("leaky_relu_backward", [x, dy], 0.2)
    outs = [np.empty_like(x) for _ in range(6)]

    def work(i):
        for _ in range(5):
            rk.leaky_relu_backward(x, dy, alpha=0.2, out=outs[i])

    run_threads(6, work)
    for o in outs:
        assert_same(o, want)


def test_writers_of_one_array_never_corrupt_it():
    """Threads writing one array in place at once: each call either runs
    (relu is idempotent, so the result is the same) or, if another call
    holds the array, raises RuntimeError saying so; nothing else."""
    x = filled((1 << 20,), np.float32, 32)
    want = expected("relu", [x])
    seen = []

    def work(i):
        for _ in range(20):
            try:
                rk.relu(x, out=x)
            except RuntimeError as e:
                assert "in use" in str(e), e
                seen.append(e)

    run_threads(4, work)
    assert_same(x, want)


def test_the_gil_is_released_while_a_kernel_runs():
    """Another Python thread runs while a thread is inside a long call.
    With the GIL held it could run only before the call starts (within one
    switch interval of the call's first timestamp) or after it ends."""
    x = np.full(32 << 20, -1.5, np.float32)
    out = np.empty_like(x)
    span = []

    def work():
        t0 = time.perf_counter()
        rk.leaky_relu(x, out=out)
        span.extend([t0, time.perf_counter()])

    old = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    try:
        stamps = []
        t = threading.Thread(target=work)
        t.start()
        while t.is_alive():
            stamps.append(time.perf_counter())
        t.join()
    finally:
        sys.setswitchinterval(old)
    t0, t1 = span
    inside = [s for s in stamps if t0 + 0.003 < s < t1]
    assert t1 - t0 < 0.006 or len(inside) > 100, (t1 - t0, len(inside))


def test_short_calls_see_a_long_call_in_flight():
    """A short call (which keeps the GIL and, while no call runs without
    it, takes no borrows) on memory that a long call on another thread is
    writing raises RuntimeError, as a long call would; once the long call
    has ended, it runs."""
    big = np.full(32 << 20, -1.5, np.float32)
    short = big[:16]
    span = []
    outcomes = []

    def work():
        t0 = time.perf_counter()
        rk.leaky_relu(big, 0.5, out=big)
        span.extend([t0, time.perf_counter()])

    t = threading.Thread(target=work)
    t.start()
    while t.is_alive():
        try:
            rk.relu(short, out=short)
            outcomes.append(None)
        except RuntimeError as e:
            outcomes.append(e)
    t.join()
    t0, t1 = span
    raised = [e for e in outcomes if e is not None]
    for e in raised:
        assert "in use by a call on another thread" in str(e), e
    # The long call runs for milliseconds without the GIL, and this thread
    # calls all the while.
    assert t1 - t0 < 0.006 or raised, (t1 - t0, len(outcomes))
    rk.relu(short, out=short)
    assert_same(big[16:], np.full((32 << 20) - 16, -0.75, np.float32))
    assert_same(short, np.zeros(16, np.float32))
