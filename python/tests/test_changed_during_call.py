"""An array changed while a call runs: a copy the call makes of an input
can run Python code (a subclass's `copy`) or let another thread run (numpy
releases the GIL while it copies a large array). Whatever changes then, the
call gives the right answer or raises ValueError; it never panics or views
the wrong memory."""

import threading
import warnings

import numpy as np
import pytest

import relu_kernels as rk


class Meddling(np.ndarray):
    """An array whose `copy` runs `meddle` first."""

    meddle = staticmethod(lambda: None)

    def copy(self, *args, **kwargs):
        type(self).meddle()
        return np.ndarray.copy(np.asarray(self), *args, **kwargs)


def overlapping(n):
    """A buffer, an input viewing `buf[1:]` whose copy meddles, and an
    output viewing `buf[:-1]`: the input overlaps the output, so the call
    copies it first."""
    buf = np.linspace(-1.0, 1.0, n + 1, dtype=np.float32)
    return buf, buf[1:].view(Meddling), buf[:-1]


@pytest.mark.parametrize(
    "change",
    ["shape", "strides", "dtype", "dtype_same_size"],
)
def test_an_overridden_copy_changing_out(change):
    buf, x, out = overlapping(64)
    want = np.maximum(np.array(buf[1:]), 0)

    def meddle():
        # A numpy that refuses a change leaves `out` as it was, and the
        # call must then give the right answer.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                if change == "shape":
                    out.shape = (8, 8)
                elif change == "strides":
                    out.strides = (0,)
                elif change == "dtype":
                    out.dtype = np.float16
                else:
                    out.dtype = np.int32
            except (AttributeError, TypeError, ValueError):
                pass

    Meddling.meddle = staticmethod(meddle)
    try:
        try:
            got = rk.relu(x, out=out)
        except ValueError as e:
            assert "changed during the call" in str(e)
        else:
            assert got is out
            np.testing.assert_array_equal(np.asarray(got).reshape(-1)[: want.size], want)
    finally:
        Meddling.meddle = staticmethod(lambda: None)


def test_an_overridden_copy_changing_an_input():
    """The input is copied; the other input (dy) is changed meanwhile."""
    n = 64
    buf = np.linspace(-1.0, 1.0, n + 1, dtype=np.float32)
    x = buf[1:].view(Meddling)
    out = buf[:-1]
    dy = np.ones(n, np.float32)

    def meddle():
        dy.shape = (8, 8)

    Meddling.meddle = staticmethod(meddle)
    try:
        with pytest.raises(ValueError, match="changed during the call"):
            rk.relu_backward(x, dy, out=out)
    finally:
        Meddling.meddle = staticmethod(lambda: None)


def test_another_thread_changing_outs_shape():
    """One thread calls with an input that overlaps `out` (so each call
    copies it, with the GIL released for a large array) while another
    reshapes `out` back and forth (its shape and strides)."""
    n = 1 << 20
    stop = threading.Event()
    errors = []
    buf = np.empty(n + 1, np.float32)
    out = buf[:-1]

    def switch():
        # Reshaping a view changes its strides too.
        shapes = [(n,), (2, n // 2), (n // 4, 4), (n,), (8, n // 8)]
        k = 0
        while not stop.is_set():
            try:
                out.shape = shapes[k % len(shapes)]
            except ValueError as e:
                errors.append(e)
                return
            k += 1

    switcher = threading.Thread(target=switch)
    switcher.start()
    outcomes = {"right": 0, "ValueError": 0}
    try:
        rng = np.random.default_rng(7)
        for _ in range(60):
            buf[:] = rng.standard_normal(n + 1, dtype=np.float32)
            x = buf[1:]
            before = np.array(x)
            try:
                got = rk.relu(x, out=out)
            except ValueError as e:
                assert "changed during the call" in str(e) or "shapes differ" in str(e), e
                outcomes["ValueError"] += 1
                continue
            assert got is out
            # The call saw `out` as `x`'s shape, one contiguous run.
            np.testing.assert_array_equal(buf[:-1], np.maximum(before, 0))
            outcomes["right"] += 1
    finally:
        stop.set()
        switcher.join()
    assert not errors, errors
    assert sum(outcomes.values()) == 60


class Reshaping(np.ndarray):
    """An array whose `copy` returns an array of another shape."""

    def copy(self, *args, **kwargs):
        return np.zeros((2, 2), self.dtype)


@pytest.mark.parametrize("name", ["bias_relu", "prelu"])
def test_a_copy_of_another_shape_in_a_per_channel_call(name):
    # The input overlaps `out`, so the call copies it; the copy's shape is
    # not the one the channels were resolved for.
    buf = np.linspace(-1.0, 1.0, 13, dtype=np.float32)
    x, out = buf[1:].reshape(3, 4).view(Reshaping), buf[:-1].reshape(3, 4)
    before = buf.copy()
    f = rk.bias_relu if name == "bias_relu" else rk.prelu
    param = np.zeros(4, np.float32)
    with pytest.raises(ValueError, match="changed during the call"):
        f(x, param, out=out)
    assert np.array_equal(buf, before)
