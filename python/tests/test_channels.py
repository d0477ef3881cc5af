"""The per-channel functions: bias + ReLU / Leaky ReLU, PReLU and their
backward passes with the parameter's gradient. The results against numpy's
expression of the semantics table, bit for bit, on every dtype, layout and
channel axis, in place and into new arrays; the sums against an exact sum
within their stated bound, and the same bits for every layout of the same
C-order values; PyTorch's channel convention for prelu; the errors."""

import math

import numpy as np
import pytest

import relu_kernels as rk
from reference import DTYPES, LAYOUTS, assert_same, filled

SHAPES_AXES = [((3, 4, 5), -1), ((3, 4, 5), 0), ((3, 4, 5), 1), ((37,), 0), ((2, 3, 4, 5), 1)]


def params(n, dt, seed):
    """`n` finite parameters: zeros of both signs, negatives, ordinary values."""
    rng = np.random.default_rng(seed)
    p = rng.uniform(-2, 2, size=n).astype(dt)
    fixed = np.array([0.0, -0.0, -0.5, 3.0], dt)
    p[: min(n, 4)] = fixed[: min(n, 4)]
    return p


def along(p, ndim, axis):
    """`p` shaped to broadcast along `axis` of an array of `ndim` dimensions."""
    shape = [1] * ndim
    shape[axis] = p.size
    return p.reshape(shape)


def keep_nan(z, out):
    return np.where(np.isnan(z), z, out).astype(z.dtype)


def want_forward(name, x, p, axis, alpha=0.01):
    dt = x.dtype.type
    with np.errstate(all="ignore"):
        if name == "prelu":
            w = along(p, x.ndim, axis) if p.size > 1 else p.reshape(())
            return keep_nan(x, np.where(x > 0, x, w * x))
        z = (x + along(p, x.ndim, axis)).astype(x.dtype)
        if name == "bias_relu":
            return keep_nan(z, np.where(z > 0, z, dt(0.0)))
        return keep_nan(z, np.where(z > 0, z, dt(alpha) * z))


def forward(name, x, p, axis, alpha, out=None):
    kw = {} if out is None else {"out": out}
    if name == "prelu":
        return rk.prelu(x, p, **kw)
    if name == "bias_relu":
        return rk.bias_relu(x, p, axis=axis, **kw)
    return rk.bias_leaky_relu(x, p, axis=axis, alpha=alpha, **kw)


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", ["bias_relu", "bias_leaky_relu", "prelu"])
def test_forward_every_layout_and_axis(name, dt):
    for shape, axis in SHAPES_AXES:
        if name == "prelu" and len(shape) >= 2:
            axis = 1  # PyTorch's channel axis
        elif name == "prelu":
            continue
        x0 = filled(shape, dt, 3)
        p = params(shape[axis], dt, 4)
        want = want_forward(name, x0, p, axis, 0.25)
        for lay in LAYOUTS:
            what = f"{name} {dt.__name__} {shape} axis {axis} {lay.__name__}"
            x = lay(x0)
            assert_same(forward(name, x, p, axis, 0.25), want, what + " (new)")
            assert_same(x, x0, what + " (the input kept)")
            got = forward(name, x, p, axis, 0.25, out=x)
            assert got is x
            assert_same(x, want, what + " (in place)")
            y = lay(np.zeros(shape, dt))
            assert forward(name, lay(x0), lay(p) if lay.__name__ == "unaligned" else p, axis, 0.25, out=y) is y
            assert_same(y, want, what + " (into out)")


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_prelu_channels_as_pytorch(dt):
    # One weight: one channel for every element, whatever the shape.
    x = filled((2, 3, 4), dt, 5)
    w1 = np.array([0.25], dt)
    assert_same(rk.prelu(x, w1), want_forward("prelu", x, w1, 1), "one weight")
    # Fewer than two dimensions: one channel.
    v = filled((9,), dt, 6)
    assert_same(rk.prelu(v, w1), want_forward("prelu", v, w1, 0), "1-d")
    with pytest.raises(ValueError, match="1 element"):
        rk.prelu(v, np.ones(9, dt))
    # Otherwise axis 1, with C weights.
    with pytest.raises(ValueError, match="1 or 3 elements"):
        rk.prelu(x, np.ones(4, dt))


def exact_sums(terms, channel_of, channels):
    return [math.fsum(terms[channel_of == c].tolist()) for c in range(channels)]


def assert_within_bound(got, terms, channel_of, dt, what):
    """|got - exact| <= 0.5 ulp(exact) + 2**-32 * sum|t|, per channel."""
    for c, exact in enumerate(exact_sums(terms, channel_of, got.size)):
        mags = math.fsum(np.abs(terms[channel_of == c]).tolist())
        ulp = float(np.spacing(np.abs(dt(exact)))) if np.isfinite(dt(exact)) else math.inf
        err = abs(float(got[c]) - exact)
        assert err <= 0.5 * ulp + 2.0**-32 * mags, (what, c, float(got[c]), exact)


def backward(name, x, p, dy, axis, alpha):
    if name == "prelu_backward":
        return rk.prelu_backward(x, p, dy)
    if name == "relu_backward_from_output_bias":
        return rk.relu_backward_from_output_bias(x, dy, axis=axis)
    return rk.leaky_relu_backward_from_output_bias(x, dy, axis=axis, alpha=alpha)


def want_backward(name, x, p, dy, axis, alpha):
    """dx, and each element's term of the parameter's gradient (0 where it
    has none) as float64."""
    dt = x.dtype.type
    x64, dy64 = x.astype(np.float64), dy.astype(np.float64)
    with np.errstate(all="ignore"):
        if name == "prelu_backward":
            w = along(p, x.ndim, axis)
            neg = (x < 0) | np.isnan(x)
            dx = np.where(x >= 0, dy, w * dy)
            return keep_nan(x, dx), np.where(neg, x64 * dy64, 0.0)
        if name == "relu_backward_from_output_bias":
            dz = keep_nan(x, np.where(x > 0, dy, dt(0.0)))
        else:
            dz = keep_nan(x, np.where(x >= 0, dy, dt(alpha) * dy))
        return dz, dz.astype(np.float64)


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize(
    "name", ["prelu_backward", "relu_backward_from_output_bias", "leaky_relu_backward_from_output_bias"]
)
def test_backward_every_layout_and_axis(name, dt):
    for shape, axis in SHAPES_AXES:
        if name == "prelu_backward":
            if len(shape) < 2:
                continue
            axis = 1
        rng = np.random.default_rng(7)
        # Ordinary values (the sums are then finite), zeros of both signs.
        x0 = rng.uniform(-4, 4, size=shape).astype(dt)
        x0.flat[:2] = [0.0, -0.0]
        dy0 = rng.uniform(-4, 4, size=shape).astype(dt)
        p = params(shape[axis], dt, 8)
        dx_want, terms = want_backward(name, x0, p, dy0, axis, 0.5)
        channel_of = np.indices(shape)[axis]
        ref = None
        for lay in LAYOUTS:
            what = f"{name} {dt.__name__} {shape} axis {axis} {lay.__name__}"
            x, dy = lay(x0), lay(dy0)
            dx, dp = backward(name, x, p, dy, axis, 0.5)
            assert_same(dx, dx_want, what + ": dx")
            assert_same(dy, dy0, what + ": dy kept")
            assert dp.dtype == dt and dp.shape == (shape[axis],)
            assert_within_bound(dp, terms, channel_of, dt, what)
            if lay.__name__ == "c_order":
                ref = dp
            # Non-contiguous layouts sum in logical (C) order: the C-order bits.
            if lay.__name__ in ("step_first(2)", "step_last(3)", "unaligned", "odd_stride"):
                assert_same(dp, ref, what + ": the C-order sums")


@pytest.mark.parametrize("dt", DTYPES, ids=lambda d: d.__name__)
def test_sums_are_compensated(dt):
    # Large terms of both signs that cancel exactly around ordinary ones: a
    # plain float64 running sum loses the ordinary ones.
    rows, big = 4096, {np.float16: 6e4, np.float32: 3e6 * 3e6, np.float64: 3e150}[dt]
    dy = np.empty((rows, 2), dt)
    dy[:, 0] = np.where(np.arange(rows) % 4 == 0, big, np.where(np.arange(rows) % 4 == 1, -big, 1e-3))
    dy[:, 1] = 1.0
    y = np.ones_like(dy)
    dz, db = rk.relu_backward_from_output_bias(y, dy)
    assert_same(dz, dy, "dz")
    terms = dy.astype(np.float64)
    ordinary = terms[np.abs(terms[:, 0]) < 1, 0]
    exact = math.fsum(ordinary.tolist())
    assert abs(float(db[0]) - exact) <= 0.5 * float(np.spacing(dt(exact))) + 2.0**-32 * math.fsum(
        np.abs(ordinary).tolist()
    ), (float(db[0]), exact)
    assert float(db[1]) == rows


def test_examples_of_the_conventions():
    # A dense layer: bias along the last axis by default.
    h = np.array([[1.0, -1.0, 0.5], [-2.0, 3.0, 0.0]], np.float32)
    b = np.array([0.5, 0.5, -1.0], np.float32)
    assert rk.bias_relu(h, b).tolist() == [[1.5, 0.0, 0.0], [0.0, 3.5, 0.0]]
    assert rk.bias_relu(h.T, b, axis=0).tolist() == [[1.5, 0.0], [0.0, 3.5], [0.0, 0.0]]
    dz, db = rk.relu_backward_from_output_bias(rk.bias_relu(h, b), np.ones_like(h))
    assert db.tolist() == [1.0, 1.0, 0.0]
    # Empty arrays: nothing to compute, and sums of nothing are +0.0.
    e = np.zeros((0, 3), np.float32)
    assert rk.bias_relu(e, b).shape == (0, 3)
    dz, db = rk.relu_backward_from_output_bias(e, e)
    assert dz.shape == (0, 3) and db.tolist() == [0.0, 0.0, 0.0]
    assert not np.signbit(db).any()


def test_errors_write_nothing():
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    out = np.full_like(x, 7.0)
    b4 = np.ones(4, np.float32)
    cases = [
        (TypeError, "must be a numpy.ndarray", lambda: rk.bias_relu(x.tolist(), b4, out=out)),
        (TypeError, "bias", lambda: rk.bias_relu(x, [1.0] * 4, out=out)),
        (TypeError, "dtypes differ", lambda: rk.bias_relu(x, b4.astype(np.float64), out=out)),
        (TypeError, "dtypes differ", lambda: rk.prelu(x, b4, out=out.astype(np.float64))),
        (ValueError, "axis 2 is out of bounds", lambda: rk.bias_relu(x, b4, axis=2, out=out)),
        (ValueError, "axis -3 is out of bounds", lambda: rk.bias_relu(x, b4, axis=-3, out=out)),
        (ValueError, "bias has 4 elements; it must have 3", lambda: rk.bias_relu(x, b4, axis=0, out=out)),
        (ValueError, "1-dimensional", lambda: rk.bias_relu(x, b4.reshape(1, 4), out=out)),
        (ValueError, "1-dimensional", lambda: rk.prelu(x, np.ones((2, 3), np.float32), out=out)),
        (ValueError, r"bias\[2\] = nan", lambda: rk.bias_relu(x, np.array([0, 0, np.nan, 0], np.float32), out=out)),
        (ValueError, r"weight\[0\] = inf", lambda: rk.prelu(x, np.array([np.inf, 0, 0, 0], np.float32), out=out)),
        (ValueError, "alpha must be finite", lambda: rk.bias_leaky_relu(x, b4, alpha=1e39, out=out)),
        (ValueError, "shapes differ", lambda: rk.bias_relu(x, b4, out=np.zeros((4, 3), np.float32))),
        (ValueError, "alpha must be positive", lambda: rk.leaky_relu_backward_from_output_bias(x, out, alpha=0.0)),
        (ValueError, "alpha must be positive", lambda: rk.leaky_relu_backward_from_output_bias(x, out, alpha=1e-50)),
        (ValueError, "shapes differ", lambda: rk.relu_backward_from_output_bias(x, out.T)),
        (ValueError, "axis 5 is out of bounds", lambda: rk.relu_backward_from_output_bias(x, out, axis=5)),
        (ValueError, "weight has 3 elements", lambda: rk.prelu_backward(x, b4[:3], out)),
    ]
    for exc, msg, f in cases:
        before = (x.copy(), out.copy())
        with pytest.raises(exc, match=msg):
            f()
        assert_same(x, before[0], msg)
        assert_same(out, before[1], msg)
    ro = np.zeros_like(x)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        rk.bias_relu(x, b4, out=ro)


def test_out_overlapping_the_input_gets_numpys_answer():
    base = np.linspace(-2, 2, 20, dtype=np.float32)
    b = np.array([0.25], np.float32)
    want = rk.bias_relu(base[:-1].reshape(19, 1), b).ravel()
    x = base.copy()
    rk.bias_relu(x[:-1].reshape(19, 1), b, out=x[1:].reshape(19, 1))
    assert_same(x[1:], want, "shifted by one")
