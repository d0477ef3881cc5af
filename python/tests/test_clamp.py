"""clamp, clamp_backward and relu6: the semantics on every dtype, bound
pair and layout, in place and into a new array, and the bounds' errors."""

import numpy as np
import pytest

import relu_kernels as rk
from reference import (
    BOUNDED,
    BOUNDS,
    DTYPES,
    LAYOUTS,
    assert_same,
    clamped,
    clamped_backward,
    filled,
    specials,
)


def want(name, arrays, lo, hi):
    if name == "clamp":
        return clamped(arrays[0], lo, hi)
    return clamped_backward(arrays[0], arrays[1], lo, hi)


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name,n", BOUNDED, ids=[b[0] for b in BOUNDED])
def test_every_pair_of_specials_and_bounds(name, n, dt):
    sp = specials(dt)
    # Every special against every other (x, and dy for the backward pass),
    # with ordinary values in between.
    x = np.repeat(sp, len(sp))
    dy = np.tile(sp, len(sp))
    x = np.concatenate([x, filled((999,), dt, 3)])
    dy = np.concatenate([dy, filled((999,), dt, 4)])
    arrays = [x, dy][:n]
    for lo, hi in BOUNDS:
        expected = want(name, arrays, lo, hi)
        assert_same(getattr(rk, name)(*arrays, lo, hi), expected, f"{name}({lo}, {hi})")
        # In place: out is the array the op updates (x, or dy).
        buf = arrays[-1].copy()
        ins = arrays[:-1] + [buf]
        got = getattr(rk, name)(*ins, lo=lo, hi=hi, out=buf)
        assert got is buf
        assert_same(buf, expected, f"{name}({lo}, {hi}) in place")


@pytest.mark.parametrize("lay", LAYOUTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("name,n", BOUNDED, ids=[b[0] for b in BOUNDED])
def test_layouts(name, n, lay):
    for dt in DTYPES:
        arrays = [filled((5, 7), dt, 10 + i) for i in range(n)]
        out = lay(np.zeros((5, 7), dt))
        got = getattr(rk, name)(*[lay(a) for a in arrays], -1.0, 2.0, out=out)
        assert_same(got, want(name, arrays, -1.0, 2.0), f"{name} {lay.__name__}")


def test_relu6_is_clamp_to_0_and_6():
    for dt in DTYPES:
        x = np.concatenate([specials(dt), np.array([5.5, 6.0, 6.5, -0.0], dt)])
        assert_same(rk.relu6(x), rk.clamp(x, 0.0, 6.0), dt.__name__)
        assert_same(rk.relu6(x), clamped(x, 0.0, 6.0), dt.__name__)


@pytest.mark.parametrize("name,n", BOUNDED, ids=[b[0] for b in BOUNDED])
def test_bad_bounds_raise_and_write_nothing(name, n):
    for dt in DTYPES:
        arrays = [filled((40,), dt, 20 + i) for i in range(n)]
        out = filled((40,), dt, 30)
        before = out.copy()
        for lo, hi in [(1.0, -1.0), (np.inf, -np.inf), (np.nan, 1.0), (0.0, np.nan)]:
            with pytest.raises(ValueError, match="lo <= hi"):
                getattr(rk, name)(*arrays, lo, hi, out=out)
            assert_same(out, before, f"{name}({lo}, {hi}) wrote")
        with pytest.raises(TypeError):
            getattr(rk, name)(*arrays, "0", 1.0)
        with pytest.raises(TypeError):
            getattr(rk, name)(*arrays)


def test_bounds_round_to_the_dtype_before_the_check():
    # 1 + 2**-20 and 1 round to the same float16, so these bounds are equal
    # there (hi wins), and unordered in float64.
    x = np.array([0.5, 1.0, 2.0], np.float16)
    assert rk.clamp(x, 1 + 2**-20, 1.0).tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="lo <= hi"):
        rk.clamp(x.astype(np.float64), 1 + 2**-20, 1.0)
