"""The semantics table as numpy expressions, the values the tests feed, and
the layouts they feed them in."""

import numpy as np

import relu_kernels as rk

DTYPES = [np.float32, np.float64, np.float16]

UINT = {np.float16: np.uint16, np.float32: np.uint32, np.float64: np.uint64}

# Every function: (name, number of array inputs, takes alpha).
FUNCTIONS = [
    ("relu", 1, False),
    ("leaky_relu", 1, True),
    ("relu_grad", 1, False),
    ("leaky_relu_grad", 1, True),
    ("relu_backward", 2, False),
    ("leaky_relu_backward", 2, True),
    ("relu_backward_from_output", 2, False),
    ("relu6", 1, False),
]

# The functions with bounds: (name, number of array inputs).
BOUNDED = [("clamp", 1), ("clamp_backward", 2)]

# Bounds (lo, hi): ordinary, ReLU's, infinite, equal zeros of both signs
# (hi wins), equal, subnormal, beyond float16's range.
BOUNDS = [
    (-1.0, 1.0),
    (0.0, np.inf),
    (-np.inf, np.inf),
    (-0.0, 0.0),
    (0.0, -0.0),
    (1.5, 1.5),
    (-np.inf, -np.inf),
    (-2.0, -0.5),
    (1e-300, 1e300),
]

ALPHAS = [0.01, 0.0, -0.5, 1.5, 0.2, 1e-30, 3e-5]


def expected(name, arrays, alpha=0.01):
    """The semantics table, in numpy, for `name` on `arrays`: NaN
    propagates from the (first) input everywhere, gradients are 1 at both
    zeros, relu(-0.0) is +0.0, alpha * x is one multiply in the dtype, the
    backward passes select."""
    x = arrays[0]
    dt = x.dtype.type
    zero, one, a = dt(0.0), dt(1.0), dt(alpha)
    nan = np.isnan(x)
    with np.errstate(all="ignore"):
        if name == "relu":
            out = np.where(x > 0, x, zero)
        elif name == "leaky_relu":
            out = np.where(x > 0, x, a * x)
        elif name == "relu_grad":
            out = np.where(x >= 0, one, zero)
        elif name == "leaky_relu_grad":
            out = np.where(x >= 0, one, a)
        elif name == "relu_backward":
            out = np.where(x >= 0, arrays[1], zero)
        elif name == "leaky_relu_backward":
            out = np.where(x >= 0, arrays[1], a * arrays[1])
        elif name == "relu_backward_from_output":
            out = np.where(x > 0, arrays[1], zero)
        elif name == "relu6":
            return clamped(x, 0.0, 6.0)
        else:
            raise ValueError(name)
        return np.where(nan, x, out).astype(x.dtype)


def clamped(x, lo, hi):
    """`min(max(x, lo), hi)` as the crate defines it: `x` where
    `lo < x < hi`, `lo` where `x <= lo < hi`, `hi` elsewhere, NaN for NaN;
    the bounds rounded to the dtype as numpy rounds them."""
    dt = x.dtype.type
    with np.errstate(over="ignore"):
        lo, hi = dt(lo), dt(hi)
    at_least_lo = np.where(x > lo, x, lo)
    out = np.where(at_least_lo < hi, at_least_lo, hi)
    return np.where(np.isnan(x), x, out).astype(x.dtype)


def clamped_backward(x, dy, lo, hi):
    """`dy` where `lo <= x <= hi`, `+0.0` elsewhere, NaN where `x` is NaN."""
    dt = x.dtype.type
    with np.errstate(over="ignore"):
        lo, hi = dt(lo), dt(hi)
    out = np.where((x >= lo) & (x <= hi), dy, dt(0.0))
    return np.where(np.isnan(x), x, out).astype(x.dtype)


def call(name, arrays, alpha=None, out=None):
    """Calls `rk.<name>` the way a user would: alpha as a keyword when
    given, out as a keyword when given."""
    kwargs = {}
    if alpha is not None:
        kwargs["alpha"] = alpha
    if out is not None:
        kwargs["out"] = out
    return getattr(rk, name)(*arrays, **kwargs)


def same(got, want):
    """Equal bits, or both NaN, element by element."""
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    u = UINT[got.dtype.type]
    g = np.ascontiguousarray(got)
    w = np.ascontiguousarray(want)
    return (g.view(u) == w.view(u)) | (np.isnan(g) & np.isnan(w))


def assert_same(got, want, what=""):
    ok = same(got, want)
    if not ok.all():
        i = np.argwhere(~ok)[0]
        g, w = np.asarray(got)[tuple(i)], np.asarray(want)[tuple(i)]
        raise AssertionError(
            f"{what}: {(~ok).sum()} of {ok.size} differ; first at {tuple(i)}: got {g!r}, want {w!r}"
        )


def specials(dt):
    """NaNs of both signs and several payloads (quiet and signalling), both
    zeros, both infinities, the smallest subnormals, the smallest normals,
    the extremes, epsilon, +-1."""
    u = UINT[dt]
    fi = np.finfo(dt)
    bits = lambda v: int(np.array(v, dt).view(u))  # noqa: E731
    inf, sign = bits(np.inf), bits(-0.0)
    quiet = bits(np.nan) & ~inf
    pattern = [
        inf | quiet,
        inf | quiet | sign,
        inf | quiet | 0x15,
        inf | quiet | sign | 0x3,
        inf | 1,
        inf | sign | (quiet >> 1),
    ]
    values = [
        0.0,
        -0.0,
        np.inf,
        -np.inf,
        fi.smallest_subnormal,
        -fi.smallest_subnormal,
        fi.smallest_normal,
        -fi.smallest_normal,
        fi.smallest_normal / 3,
        -fi.smallest_normal / 3,
        fi.max,
        fi.min,
        fi.eps,
        -fi.eps,
        1.0,
        -1.0,
    ]
    nans = np.array(pattern, dtype=u).view(dt)
    with np.errstate(all="ignore"):
        return np.concatenate([nans, np.array(values, dtype=dt)])


def filled(shape, dt, seed):
    """An array of `shape`: the specials, then ordinary values in [-4, 4)."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape, dtype=np.int64))
    sp = specials(dt)
    vals = rng.uniform(-4, 4, size=n).astype(dt)
    k = min(n, len(sp))
    start = seed % max(1, len(sp))
    vals[:k] = np.roll(sp, -start)[:k]
    rng.shuffle(vals)
    return vals.reshape(shape)


# Layouts: functions from a C-order array of the wanted shape to an array
# with the same values and shape laid out differently. Each returns a view
# of a bigger parent where it can, so that strides are really unusual.
def c_order(a):
    return a.copy(order="C")


def fortran(a):
    return a.copy(order="F")


def transposed(a):
    # A C-order array of the reversed shape, transposed back.
    return a.T.copy(order="C").T


def step_first(k):
    def lay(a):
        if a.ndim == 0:
            return a.copy()
        p = np.empty((a.shape[0] * abs(k),) + a.shape[1:], a.dtype)
        p.fill(7)
        v = p[::k]
        v[...] = a
        return v

    lay.__name__ = f"step_first({k})"
    return lay


def step_last(k):
    def lay(a):
        if a.ndim == 0:
            return a.copy()
        p = np.empty(a.shape[:-1] + (a.shape[-1] * abs(k),), a.dtype)
        p.fill(7)
        v = p[..., ::k]
        v[...] = a
        return v

    lay.__name__ = f"step_last({k})"
    return lay


def reversed_all(a):
    if a.ndim == 0:
        return a.copy()
    p = a.copy()
    v = p[(slice(None, None, -1),) * a.ndim]
    v[...] = a
    return v


def unaligned(a):
    """The values at an odd byte offset: numpy allows it, Rust does not."""
    buf = np.zeros(a.nbytes + 1, np.uint8)
    v = buf[1:].view(a.dtype).reshape(a.shape)
    v[...] = a
    assert not v.flags.aligned or a.size == 0 or a.dtype.itemsize == 1
    return v


def odd_stride(a):
    """A field of a packed structured array: steps that are not a whole
    number of elements."""
    rec = np.zeros(a.shape, dtype=[("v", a.dtype), ("pad", np.uint8)])
    v = rec["v"]
    v[...] = a
    return v


LAYOUTS = [
    c_order,
    fortran,
    transposed,
    step_first(2),
    step_last(3),
    step_first(-1),
    step_last(-2),
    reversed_all,
    unaligned,
    odd_stride,
]


def broadcast(a):
    """A read-only broadcast input (stride 0): its first row repeated."""
    if a.ndim == 0:
        return a
    return np.broadcast_to(a[:1], a.shape)


IN_LAYOUTS = LAYOUTS + [broadcast]

SHAPES = [(), (0,), (3, 0), (37,), (5, 7), (2, 3, 4, 5), (1, 9)]
