"""out sharing memory with an input: exactly the input runs in place, any
other overlap gives numpy's answer (the input as it was before the call)."""

import tracemalloc

import numpy as np
import pytest

import relu_kernels as rk
from reference import DTYPES, assert_same, call, expected, filled

DT_IDS = [np.dtype(d).name for d in DTYPES]


def check(name, inputs, out, alpha=None):
    """Runs `name` with `out` possibly overlapping `inputs`, against the
    reference on copies taken before the call."""
    before = [np.array(a) for a in inputs]
    want = expected(name, before, 0.01 if alpha is None else alpha)
    got = call(name, inputs, alpha, out=out)
    assert got is out
    assert_same(out, want, f"{name} overlap")


@pytest.mark.parametrize("dt", DTYPES, ids=DT_IDS)
def test_partial_overlap_gives_numpys_answer(dt):
    for name, n, has_alpha in [
        ("relu", 1, False),
        ("leaky_relu", 1, True),
        ("relu_grad", 1, False),
        ("leaky_relu_grad", 1, True),
    ]:
        alpha = 0.5 if has_alpha else None
        b = filled((301,), dt, 1)
        check(name, [b[1:]], b[:-1], alpha)
        b = filled((301,), dt, 2)
        check(name, [b[:-1]], b[1:], alpha)
        b = filled((300,), dt, 3)
        check(name, [b[::-1]], b, alpha)
        b = filled((300,), dt, 4)
        check(name, [b[::2]], b[1::2], alpha)  # interleaved, disjoint
        b = filled((300,), dt, 5)
        check(name, [b[:150]], b[150:], alpha)  # disjoint halves
        a = filled((40, 40), dt, 6)
        check(name, [a.T], a, alpha)
        a = filled((40, 40), dt, 7)
        check(name, [a[::-1, ::-1]], a, alpha)
        a = filled((10, 8), dt, 8)
        check(name, [a[:, :4]], a[:, 4:], alpha)
        big = filled((3 << 18,), dt, 9)  # large enough for the parallel paths
        check(name, [big[1:]], big[:-1], alpha)
    for name, alpha in [("relu_backward", None), ("leaky_relu_backward", 0.5), ("relu_backward_from_output", None)]:
        x, dy = filled((257,), dt, 10), filled((257,), dt, 11)
        check(name, [x, dy], x, alpha)  # out is x, not dy
        x = filled((257,), dt, 12)
        check(name, [x, x], x, alpha)  # all three the same
        x, dy = filled((257,), dt, 13), filled((257,), dt, 14)
        check(name, [x, dy[::-1]], dy, alpha)  # dy reversed against out
        x, dy = filled((258,), dt, 15), filled((257,), dt, 16)
        check(name, [x[1:], dy], x[:-1], alpha)
        x, dy = filled((257,), dt, 17), filled((258,), dt, 18)
        check(name, [x, dy[1:]], dy[:-1], alpha)
        a = filled((30, 30), dt, 19)
        check(name, [a, a.T], a, alpha)
        check(name, [a.T, a], a, alpha)


@pytest.mark.parametrize("dt", DTYPES, ids=DT_IDS)
def test_same_view_through_another_object_is_in_place(dt):
    x = filled((64, 33), dt, 20)
    check("relu", [x], x[...])
    x = filled((64, 33), dt, 21)[:, ::-1]
    check("leaky_relu", [x], x.view(), 0.5)
    x, dy = filled((64, 33), dt, 22), filled((64, 33), dt, 23)
    check("relu_backward", [x, dy], dy[...])


def peak_bytes(fn):
    """The most memory numpy held at once during `fn()`, above what it held
    before (numpy reports its data buffers to tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_in_place_does_not_copy():
    n = 4 << 20  # 16 MiB of float32
    x = filled((n,), np.float32, 24)
    dy = filled((n,), np.float32, 25)
    assert peak_bytes(lambda: rk.relu(x, out=x)) < n
    assert peak_bytes(lambda: rk.leaky_relu(x, out=x[...])) < n
    assert peak_bytes(lambda: rk.relu_backward(x, dy, out=dy)) < n
    assert peak_bytes(lambda: rk.relu_backward_from_output(x, dy, out=dy)) < n
    r = x.reshape(1024, -1)[::2]
    assert peak_bytes(lambda: rk.relu_grad(r, out=r)) < n // 4
    # The overlapping cases do copy (which shows that the measure sees it).
    assert peak_bytes(lambda: rk.relu(x[::-1], out=x)) >= 4 * n
    assert peak_bytes(lambda: rk.relu_backward(x, dy, out=x)) >= 4 * n
