"""Bad input raises TypeError, ValueError or RuntimeError with a clear
message, never PyO3's PanicException, and writes nothing."""

import os
import subprocess
import sys

import numpy as np
import pytest

import relu_kernels as rk
from reference import FUNCTIONS, call

DTYPE_NAMES = ["float32", "float64", "float16"]


def raises(exc, match, fn, subclass=False):
    """`fn()` raises exactly `exc` (or a subclass, if so asked: never a
    PanicException, which derives from BaseException)."""
    try:
        fn()
    except BaseException as e:  # noqa: BLE001
        ok = isinstance(e, exc) if subclass else type(e) is exc
        assert ok, f"{type(e).__module__}.{type(e).__name__}: {e}"
        assert match in str(e), f"{match!r} not in {str(e)!r}"
        return e
    raise AssertionError(f"no {exc.__name__} raised")


def args_for(n, x, dy=None):
    return [x, x if dy is None else dy][:n]


@pytest.mark.parametrize("name,n,has_alpha", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_type_errors_name_the_dtype(name, n, has_alpha):
    good = np.ones(3, np.float32)
    for bad, what in [
        ([1.0, -2.0], "list"),
        ((1.0,), "tuple"),
        (1.5, "float"),
        (np.float32(1.5), "numpy.float32"),
        (None, "NoneType"),
        ("abc", "str"),
    ]:
        for pos in range(n):
            arrays = [good] * n
            arrays[pos] = bad
            raises(TypeError, what, lambda: call(name, arrays))
        if bad is not None:  # out=None asks for a new array
            raises(TypeError, what, lambda: getattr(rk, name)(*[good] * n, out=bad))
    for bad in [
        np.arange(3),
        np.arange(3, dtype=np.int8),
        np.ones(3, bool),
        np.ones(3, np.complex64),
        np.ones(3, np.longdouble),
        np.ones(3, object),
        np.ones(3, ">f4" if sys.byteorder == "little" else "<f4"),
        np.ones(3, ">f8" if sys.byteorder == "little" else "<f8"),
        np.ones(3, ">f2" if sys.byteorder == "little" else "<f2"),
        np.zeros(3, [("a", "f4")]),
    ]:
        name_of = str(bad.dtype)
        for pos in range(n):
            arrays = [good] * n
            arrays[pos] = bad
            raises(TypeError, name_of, lambda: call(name, arrays))
    # Mixed dtypes, between inputs and with out: both named.
    for a, b in [("float32", "float64"), ("float16", "float32"), ("float64", "float16")]:
        x, y = np.ones(3, a), np.ones(3, b)
        if n == 2:
            e = raises(TypeError, a, lambda: call(name, [x, y]))
            assert b in str(e)
        out = np.zeros(3, b)
        e = raises(TypeError, b, lambda: call(name, [x] * n, out=out))
        assert a in str(e)
        assert (out == 0).all()


@pytest.mark.parametrize("name,n,has_alpha", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_value_errors_write_nothing(name, n, has_alpha):
    for dt in DTYPE_NAMES:
        x = np.linspace(-2, 2, 6, dtype=dt).reshape(2, 3)
        keep = x.copy()
        out = np.full((2, 3), 7, dt)
        # Shapes: with out, and between x and dy; both shapes named.
        e = raises(ValueError, "(2, 3)", lambda: call(name, [x] * n, out=np.zeros((3, 2), dt)))
        assert "(3, 2)" in str(e)
        raises(ValueError, "(6,)", lambda: call(name, [x] * n, out=np.zeros(6, dt)))
        raises(ValueError, "()", lambda: call(name, [np.array(1.0, dt)] * n, out=np.zeros(1, dt)))
        if n == 2:
            e = raises(ValueError, "(2, 3)", lambda: call(name, [x, x.T], out=out))
            assert "(3, 2)" in str(e)
            raises(ValueError, "(1, 3)", lambda: call(name, [x, x[:1]], out=out))
        # A read-only out, also when it is the input itself.
        ro = out.copy()
        ro.flags.writeable = False
        raises(ValueError, "read-only", lambda: call(name, [x] * n, out=ro))
        raises(ValueError, "read-only", lambda: call(name, [ro] * n, out=ro))
        bc = np.broadcast_to(np.zeros(3, dt), (2, 3))
        raises(ValueError, "read-only", lambda: call(name, [x] * n, out=bc))
        if has_alpha:
            for bad in [float("nan"), float("inf"), -float("inf")]:
                raises(ValueError, "alpha", lambda: call(name, [x] * n, alpha=bad, out=out))
                raises(ValueError, "alpha", lambda: call(name, [x[:0]] * n, alpha=bad))
            # Finite as a Python float, infinite in the dtype.
            overflow = {"float16": 65520.0, "float32": 3.5e38, "float64": None}[dt]
            if overflow is not None:
                e = raises(ValueError, "overflows", lambda: call(name, [x] * n, alpha=overflow, out=out))
                assert dt in str(e)
                raises(ValueError, "alpha", lambda: call(name, [x] * n, alpha=-overflow, out=out))
            raises(TypeError, "", lambda: call(name, [x] * n, alpha="0.1"))
        assert (out == 7).all(), f"{name} wrote before raising"
        assert (x == keep).all(), f"{name} changed its input"


def test_alpha_accepts_any_real_number():
    x = np.array([-2.0, 3.0], np.float32)
    assert rk.leaky_relu(x, alpha=1).tolist() == [-2.0, 3.0]
    assert rk.leaky_relu(x, alpha=np.float16(0.5)).tolist() == [-1.0, 3.0]
    assert rk.leaky_relu(x, alpha=-3.0).tolist() == [6.0, 3.0]


def run_with_level(value):
    env = dict(os.environb)
    env[b"RELU_KERNELS_LEVEL"] = value
    code = (
        "import numpy as np, relu_kernels as rk\n"
        "try:\n"
        "    rk.relu(np.ones(3, np.float32))\n"
        "    print('ok')\n"
        "except BaseException as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


def test_invalid_level_raises_runtime_error():
    for value in [b"bogus", b"\xff\xfe"]:
        got = run_with_level(value)
        assert got.startswith("RuntimeError"), got
        assert "RELU_KERNELS_LEVEL" in got, got
    assert run_with_level(b"scalar") == "ok"
    assert run_with_level(b"portable") == "ok"


def test_an_output_too_large_to_allocate_is_a_memory_error():
    # A broadcast input can have any shape; its new output (256 TiB,
    # beyond any address space) cannot be allocated.
    huge = np.broadcast_to(np.float32(1), (2**36, 2**10))
    for name, n, _ in FUNCTIONS:
        raises(MemoryError, "", lambda: call(name, [huge] * n), subclass=True)
