"""Every function, dtype and layout against the semantics table written in
numpy, bit for bit (any NaN for a NaN)."""

import numpy as np
import pytest

import relu_kernels as rk
from reference import (
    ALPHAS,
    DTYPES,
    FUNCTIONS,
    IN_LAYOUTS,
    LAYOUTS,
    SHAPES,
    assert_same,
    call,
    expected,
    filled,
    specials,
)

DT_IDS = [np.dtype(d).name for d in DTYPES]


@pytest.mark.parametrize("dt", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("name,n,has_alpha", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_every_layout(name, n, has_alpha, dt):
    alpha = 0.25 if has_alpha else None
    for shape in SHAPES:
        for i, lay_in in enumerate(IN_LAYOUTS):
            for lay_out in [None] + LAYOUTS:
                inputs = [lay_in(filled(shape, dt, 1))]
                if n == 2:
                    # dy in another layout, varied with the first.
                    lay_dy = IN_LAYOUTS[(i + 3) % len(IN_LAYOUTS)]
                    inputs.append(lay_dy(filled(shape, dt, 2)))
                before = [np.array(a) for a in inputs]
                want = expected(name, before, 0.25)
                what = f"{name} {np.dtype(dt).name} {shape} in {lay_in.__name__} out {getattr(lay_out, '__name__', None)}"
                if lay_out is None:
                    got = call(name, inputs, alpha)
                    assert type(got) is np.ndarray, what
                    x = inputs[0]
                    if x.ndim > 1 and x.flags.f_contiguous and not x.flags.c_contiguous:
                        assert got.flags.f_contiguous, what
                    else:
                        assert got.flags.c_contiguous, what
                else:
                    out = lay_out(filled(shape, dt, 3))
                    got = call(name, inputs, alpha, out=out)
                    assert got is out, what
                assert_same(got, want, what)
                for a, b in zip(inputs, before):
                    assert_same(a, b, what + ": an input changed")


@pytest.mark.parametrize("dt", DTYPES, ids=DT_IDS)
@pytest.mark.parametrize("name,n,has_alpha", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_in_place(name, n, has_alpha, dt):
    """out=x (out=dy for the backward passes) in every writable layout."""
    alpha = 0.25 if has_alpha else None
    for shape in SHAPES:
        for lay in LAYOUTS:
            x = lay(filled(shape, dt, 4))
            if n == 1:
                before = [np.array(x)]
                got = call(name, [x], alpha, out=x)
                assert got is x
            else:
                dy = lay(filled(shape, dt, 5))
                before = [np.array(x), np.array(dy)]
                got = call(name, [x, dy], alpha, out=dy)
                assert got is dy
                assert_same(x, before[0], "x changed")
            assert_same(got, expected(name, before, 0.25), f"{name} in place, {lay.__name__} {shape}")


@pytest.mark.parametrize("dt", DTYPES, ids=DT_IDS)
def test_every_alpha(dt):
    x = filled((6, 11), dt, 6)
    dy = filled((6, 11), dt, 7)
    for name, n, has_alpha in FUNCTIONS:
        if not has_alpha:
            continue
        arrays = [x, dy][:n]
        for alpha in ALPHAS:
            assert_same(call(name, arrays, alpha), expected(name, arrays, alpha), f"{name} alpha={alpha}")
    # The default is 0.01, and alpha may be given positionally.
    assert_same(rk.leaky_relu(x), expected("leaky_relu", [x], 0.01))
    assert_same(rk.leaky_relu(x, 0.5), expected("leaky_relu", [x], 0.5))
    assert_same(rk.leaky_relu_backward(x, dy, 0.5), expected("leaky_relu_backward", [x, dy], 0.5))


@pytest.mark.parametrize("dt", DTYPES, ids=DT_IDS)
def test_specials_against_each_other(dt):
    """Every special as x against every special as dy."""
    sp = specials(dt)
    x = np.repeat(sp, len(sp))
    dy = np.tile(sp, len(sp))
    for name, n, has_alpha in FUNCTIONS:
        arrays = [x, dy][:n]
        for alpha in [0.01, 0.0, -2.0] if has_alpha else [None]:
            want = expected(name, arrays, 0.01 if alpha is None else alpha)
            assert_same(call(name, arrays, alpha), want, f"{name} alpha={alpha}")


def test_semantics_table_spot_checks():
    """The table's corners, spelled out."""
    f = np.float32
    z = np.array([-0.0], f)
    assert rk.relu(z).view(np.uint32)[0] == 0  # +0.0
    assert rk.relu_grad(z)[0] == 1 and rk.leaky_relu_grad(z, 0.5)[0] == 1
    assert np.isnan(rk.relu_grad(np.array([np.nan], f))[0])
    assert np.isnan(rk.leaky_relu(np.array([-np.inf], f), alpha=0.0)[0])  # 0 * -inf
    # Backward selects: 0 for x < 0 even with an infinite or NaN dy.
    x = np.array([-1.0, -1.0, 0.0, -0.0, 2.0], f)
    dy = np.array([np.inf, np.nan, 3.0, 4.0, 5.0], f)
    assert rk.relu_backward(x, dy).tolist() == [0.0, 0.0, 3.0, 4.0, 5.0]
    assert rk.relu_backward_from_output(rk.relu(x), dy).tolist() == [0.0, 0.0, 0.0, 0.0, 5.0]


@pytest.mark.parametrize("dt", DTYPES, ids=DT_IDS)
def test_large_arrays(dt):
    """Sizes where the kernels run in parallel, contiguous and stepped."""
    x = filled((1024, 1536), dt, 8)
    dy = filled((1024, 1536), dt, 9)
    for name, n, has_alpha in FUNCTIONS:
        alpha = 0.25 if has_alpha else None
        for sl in [np.s_[...], np.s_[::2, :], np.s_[:, ::2]]:
            arrays = [x[sl], dy[sl]][:n]
            out = np.empty_like(arrays[0])
            assert_same(call(name, arrays, alpha, out=out), expected(name, arrays, 0.25), f"{name} {sl}")


def test_float16_alpha_is_rounded_as_numpy_rounds():
    """alpha comes back unchanged from leaky_relu_grad at a negative x, so
    its float16 value can be compared with np.float16(alpha): every finite
    float16, every midpoint between neighbours (ties to even), the doubles
    just off each midpoint (a single rounding; through float32 these would
    round twice), and the subnormals."""
    bits = np.arange(0, 0x7C00, dtype=np.uint16)
    v = bits.view(np.float16).astype(np.float64)
    mid = (v[:-1] + v[1:]) / 2
    cands = np.concatenate([v, mid, np.nextafter(mid, np.inf), np.nextafter(mid, -np.inf)])
    cands = np.concatenate([cands, -cands, [65519.99, 1e-300, 0.01, 1 / 3]])
    x = np.array([-1.0], np.float16)
    with np.errstate(over="ignore"):
        want = cands.astype(np.float16)
    for a, w in zip(cands.tolist(), want):
        got = rk.leaky_relu_grad(x, alpha=a)[0]
        assert got.view(np.uint16) == w.view(np.uint16), (a, got, w)
    # Halfway to the next binade and above: infinity, so rejected.
    for a in [65520.0, -65520.0, 1e6]:
        with pytest.raises(ValueError, match="alpha"):
            rk.leaky_relu_grad(x, alpha=a)


def test_float32_alpha_is_rounded_as_numpy_rounds():
    rng = np.random.default_rng(10)
    cands = np.concatenate([rng.standard_normal(2000) * 10.0 ** rng.integers(-40, 38, 2000), [0.1, 1 / 3, 1e-45, 3e-46]])
    x = np.array([-1.0], np.float32)
    for a in cands.tolist():
        got = rk.leaky_relu_grad(x, alpha=a)[0]
        assert got.view(np.uint32) == np.float32(a).view(np.uint32), a


def test_zero_dimensional_and_empty():
    for dt in DTYPES:
        x = np.array(-3.0, dt)
        r = rk.leaky_relu(x, alpha=0.5)
        assert r.shape == () and r == dt(-1.5)
        assert rk.relu(x, out=x) is x and x == 0
        e = np.empty((0, 5), dt)
        assert rk.relu(e).shape == (0, 5)
        assert rk.relu_backward(e, e, out=np.empty((0, 5), dt)).shape == (0, 5)


def test_more_than_32_dimensions():
    shape = (1,) * 30 + (2, 3, 2, 1, 2)
    x = filled(shape, np.float32, 11)
    assert_same(rk.relu(x), expected("relu", [x]))
    out = np.zeros(shape, np.float32)[..., ::-1]
    assert_same(rk.leaky_relu(x, out=out), expected("leaky_relu", [x]))
    assert rk.relu(x, out=x) is x
    assert_same(x, expected("relu", [x]))


def test_subclasses_and_views_are_accepted():
    class Sub(np.ndarray):
        pass

    m = np.array([[1.0, -2.0]]).view(Sub)
    r = rk.relu(m)
    assert type(r) is np.ndarray
    assert_same(r, np.array([[1.0, 0.0]]))
    assert rk.relu(m, out=m) is m
    base = np.arange(24, dtype=np.float32) - 12
    assert_same(rk.relu(base.reshape(4, 6)[1:3, ::-1]), expected("relu", [base.reshape(4, 6)[1:3, ::-1]]))
