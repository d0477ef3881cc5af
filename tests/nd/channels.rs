//! `nd::channels`: the per-channel ops over arrays of every layout, along
//! every axis, against the slice functions on the same values (which
//! `tests/kernels/channels` checks against the reference): the results bit for
//! bit, and the sums in the order the docs give.
// The ops are held as boxed closures of their signatures.
#![allow(clippy::type_complexity)]

use super::*;
use relu_kernels::channels as sl;
use relu_kernels::nd::channels as ndc;

/// The shapes the cases run on, with each of their axes as the channel axis.
const CHANNEL_SHAPES: [&[usize]; 6] = [&[2, 3, 4, 5], &[5, 7], &[37], &[1, 9], &[0, 3], &[4, 0]];

/// `n` finite parameters: ordinary values and the finite specials.
fn params<T: TestFloat>(n: usize, seed: u64) -> Vec<T> {
    let sp: Vec<T> = T::specials()
        .into_iter()
        .filter(|v| v.is_finite_())
        .collect();
    let mut rng = Lcg(seed);
    (0..n)
        .map(|i| {
            if i % 3 == 1 {
                sp[(i / 3) % sp.len()]
            } else {
                rng.ordinary()
            }
        })
        .collect()
}

/// `inner` of `axis` in logical (C) order.
fn inner_of(shape: &[usize], axis: usize) -> usize {
    shape[axis + 1..].iter().product::<usize>().max(1)
}

fn assert_bits<T: TestFloat>(got: &[T], want: &[T], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!(
            same(g, w),
            "{what}: element {i}: got {g:?} ({:#x}), want {w:?} ({:#x})",
            g.bits(),
            w.bits()
        );
    }
}

/// The slice function's result, or the input unchanged where the channel
/// axis is empty (the slice functions take at least one channel).
fn forward_want<T: TestFloat>(op: &Forward<T>, x: &[T], p: &[T], inner: usize) -> Vec<T> {
    let mut want = x.to_vec();
    if !p.is_empty() {
        (op.slice)(&mut want, p, inner);
    }
    want
}

/// A forward op: its in-place and `_into` forms over arrays and its
/// in-place form over slices.
struct Forward<T> {
    name: &'static str,
    inplace: Box<dyn Fn(&mut ArrayViewMutD<'_, T>, &[T], Axis)>,
    into: Box<dyn Fn(&ArrayViewD<'_, T>, &[T], Axis, &mut ArrayViewMutD<'_, T>)>,
    slice: Box<dyn Fn(&mut [T], &[T], usize)>,
}

fn forwards<T: TestFloat>() -> Vec<Forward<T>> {
    let alpha = T::from_f64(0.125);
    vec![
        Forward {
            name: "bias_relu",
            inplace: Box::new(|x, p, a| ndc::bias_relu_inplace(x, p, a)),
            into: Box::new(|x, p, a, y| ndc::bias_relu_into(x, p, a, y)),
            slice: Box::new(|x, p, i| sl::bias_relu_inplace(x, p, i)),
        },
        Forward {
            name: "bias_leaky_relu",
            inplace: Box::new(move |x, p, a| ndc::bias_leaky_relu_inplace(x, p, a, alpha)),
            into: Box::new(move |x, p, a, y| ndc::bias_leaky_relu_into(x, p, a, y, alpha)),
            slice: Box::new(move |x, p, i| sl::bias_leaky_relu_inplace(x, p, i, alpha)),
        },
        Forward {
            name: "prelu",
            inplace: Box::new(|x, p, a| ndc::prelu_inplace(x, p, a)),
            into: Box::new(|x, p, a, y| ndc::prelu_into(x, p, a, y)),
            slice: Box::new(|x, p, i| sl::prelu_inplace(x, p, i)),
        },
    ]
}

/// Every forward op along every axis of every shape: in place on every
/// written layout, and into every written layout from every read one.
fn forward_layouts<T: TestFloat>() {
    for op in forwards::<T>() {
        for shape in CHANNEL_SHAPES {
            for axis in 0..shape.len() {
                let p = params::<T>(shape[axis], axis as u64);
                for ld in OUT_LAYOUTS {
                    let what = format!("{} {} {shape:?} axis {axis}", op.name, T::NAME);
                    let mut x = Laid::<T>::new(ld, shape);
                    x.fill(7);
                    let want = forward_want(&op, &x.values(), &p, inner_of(shape, axis));
                    (op.inplace)(&mut x.view_mut(), &p, Axis(axis));
                    assert_bits(&x.values(), &want, &format!("{what} in place, {ld:?}"));
                    for lx in IN_LAYOUTS {
                        let mut src = Laid::<T>::new(lx, shape);
                        src.fill(8);
                        let want = forward_want(&op, &src.values(), &p, inner_of(shape, axis));
                        let mut y = Laid::<T>::new(ld, shape);
                        y.fill(9);
                        (op.into)(&src.view(), &p, Axis(axis), &mut y.view_mut());
                        assert_bits(
                            &y.values(),
                            &want,
                            &format!("{what} from {lx:?} into {ld:?}"),
                        );
                    }
                }
            }
        }
    }
}

/// A backward pass with a parameter gradient: over arrays (input, param,
/// axis, grad, sums) and over slices (input, param, inner, grad, sums);
/// `param` is empty for the passes that have none.
struct Backward<T> {
    name: &'static str,
    has_param: bool,
    nd: Box<dyn Fn(&ArrayViewD<'_, T>, &[T], Axis, &mut ArrayViewMutD<'_, T>, &mut [T])>,
    slice: Box<dyn Fn(&[T], &[T], usize, &mut [T], &mut [T])>,
}

fn backwards<T: TestFloat>() -> Vec<Backward<T>> {
    let alpha = T::from_f64(0.125);
    vec![
        Backward {
            name: "prelu_backward",
            has_param: true,
            nd: Box::new(|x, p, a, g, s| ndc::prelu_backward(x, p, a, g, s)),
            slice: Box::new(|x, p, i, g, s| sl::prelu_backward(x, p, i, g, s)),
        },
        Backward {
            name: "relu_backward_from_output_bias",
            has_param: false,
            nd: Box::new(|y, _, a, g, s| ndc::relu_backward_from_output_bias(y, g, a, s)),
            slice: Box::new(|y, _, i, g, s| sl::relu_backward_from_output_bias(y, g, i, s)),
        },
        Backward {
            name: "leaky_relu_backward_from_output_bias",
            has_param: false,
            nd: Box::new(move |y, _, a, g, s| {
                ndc::leaky_relu_backward_from_output_bias(y, g, a, alpha, s)
            }),
            slice: Box::new(move |y, _, i, g, s| {
                sl::leaky_relu_backward_from_output_bias(y, g, i, alpha, s)
            }),
        },
    ]
}

/// The order the docs give the sums: memory order for arrays contiguous
/// with the same strides and the channel axis stepping forwards, logical
/// order otherwise; as `(input, grad, inner)`.
fn sum_order<T: TestFloat>(
    x: &ArrayViewD<'_, T>,
    g: &ArrayViewD<'_, T>,
    axis: usize,
) -> (Vec<T>, Vec<T>, usize) {
    let shared = x
        .shape()
        .iter()
        .zip(x.strides().iter().zip(g.strides()))
        .all(|(&n, (s, t))| n <= 1 || s == t);
    let memory = match (x.as_slice_memory_order(), g.as_slice_memory_order()) {
        (Some(xs), Some(gs)) if shared && x.shape()[axis] == 1 => Some((xs, gs, 1)),
        (Some(xs), Some(gs)) if shared && x.strides()[axis] > 0 => {
            Some((xs, gs, x.strides()[axis] as usize))
        }
        _ => None,
    };
    match memory {
        Some((xs, gs, inner)) => (xs.to_vec(), gs.to_vec(), inner),
        None => (
            x.iter().copied().collect(),
            g.iter().copied().collect(),
            inner_of(x.shape(), axis),
        ),
    }
}

/// Every backward pass along every axis of every shape, for every pair of
/// layouts of the input and the gradient: `grad` bit for bit, and the sums
/// as the slice function gives them in the documented order (for C-order
/// arrays, the slice function's on the same data).
fn backward_layouts<T: TestFloat>() {
    for op in backwards::<T>() {
        for shape in CHANNEL_SHAPES {
            for axis in 0..shape.len() {
                let c = shape[axis];
                let p = if op.has_param {
                    params::<T>(c, 3 + axis as u64)
                } else {
                    Vec::new()
                };
                for lx in IN_LAYOUTS {
                    for lg in OUT_LAYOUTS {
                        let what = format!(
                            "{} {} {shape:?} axis {axis}, x {lx:?}, grad {lg:?}",
                            op.name,
                            T::NAME
                        );
                        let mut x = Laid::<T>::new(lx, shape);
                        x.fill(10);
                        let mut g = Laid::<T>::new(lg, shape);
                        g.fill(11);
                        let mut want_sums = vec![T::from_f64(0.0); c];
                        let mut want_grad = g.values();
                        // The slice functions take at least one channel;
                        // an empty axis leaves everything as it is.
                        if c > 0 {
                            let (mx, mut mg, inner) = sum_order(&x.view(), &g.view(), axis);
                            (op.slice)(&mx, &p, inner, &mut mg, &mut want_sums);
                            let mut logical_sums = vec![T::from_f64(0.0); c];
                            (op.slice)(
                                &x.values(),
                                &p,
                                inner_of(shape, axis),
                                &mut want_grad,
                                &mut logical_sums,
                            );
                            if (lx, lg) == (C, C) {
                                assert_bits(&want_sums, &logical_sums, &format!("{what}: C order"));
                            }
                        }
                        let mut sums = vec![T::from_f64(-1.0); c];
                        (op.nd)(&x.view(), &p, Axis(axis), &mut g.view_mut(), &mut sums);
                        assert_bits(&g.values(), &want_grad, &format!("{what}: grad"));
                        assert_bits(&sums, &want_sums, &format!("{what}: sums"));
                    }
                }
            }
        }
    }
}

/// An axis out of range, a parameter of the wrong length, shapes that
/// differ and a non-finite bias panic with a message, writing nothing.
fn channel_bad_calls<T: TestFloat>() {
    let one = T::from_f64(1.0);
    let mut x = Laid::<T>::new(C, &[2, 3, 4]);
    x.fill(12);
    let mut x = x.parent;
    let before = bits(&x);
    let p3 = vec![one; 3];
    let mut y = ArrayD::from_elem(IxDyn(&[2, 3, 5]), one);
    let y_before = bits(&y);
    let mut nan = p3.clone();
    nan[1] = T::from_f64(f64::NAN);
    let mut sums = vec![one; 3];
    let cases: Vec<(
        &str,
        &[&str],
        Box<dyn FnOnce(&mut ArrayD<T>, &mut ArrayD<T>, &mut [T])>,
    )> = vec![
        (
            "axis 3",
            &["axis 3", "3 dimensions"],
            Box::new(|x, _, _| ndc::bias_relu_inplace(x, &p3, Axis(3))),
        ),
        (
            "slopes of 3 along 4",
            &["slopes has 3", "4 along axis 2"],
            Box::new(|x, _, _| ndc::prelu_inplace(x, &p3, Axis(2))),
        ),
        (
            "NaN bias",
            &["bias[1]"],
            Box::new(|x, _, _| ndc::bias_relu_inplace(x, &nan, Axis(1))),
        ),
        (
            "shapes",
            &["[2, 3, 4]", "[2, 3, 5]"],
            Box::new(|x, y, _| ndc::prelu_into(&x.view(), &p3, Axis(1), &mut y.view_mut())),
        ),
        (
            "grad shapes",
            &["[2, 3, 4]", "[2, 3, 5]"],
            Box::new(|x, y, s| {
                ndc::relu_backward_from_output_bias(&x.view(), &mut y.view_mut(), Axis(1), s)
            }),
        ),
        (
            "sums of 3 along 2",
            &["bias_grad has 3", "2 along axis 0"],
            Box::new(|x, _, s| {
                let y = x.clone();
                ndc::relu_backward_from_output_bias(&y, x, Axis(0), s)
            }),
        ),
        (
            "slope_grad of 2",
            &["slope_grad"],
            Box::new(|x, _, s| {
                let y = x.clone();
                ndc::prelu_backward(&y, &p3, Axis(1), x, &mut s[..2])
            }),
        ),
    ];
    for (what, want, f) in cases {
        expect_panic(what, want, || f(&mut x, &mut y, &mut sums));
        assert_eq!(bits(&x), before, "{what}: x changed");
        assert_eq!(bits(&y), y_before, "{what}: y changed");
        assert!(sums.iter().all(|&s| s == one), "{what}: the sums changed");
    }
}

test_each_type!(forward_layouts, backward_layouts, channel_bad_calls);

/// NCHW and NHWC as callers hold them: a C-order `[N, C, H, W]` array is
/// the slice function with `inner = H * W`; a C-order `[N, H, W, C]` array
/// viewed as `[N, C, H, W]` (axes permuted) is the slice function with
/// `inner = 1` on its memory, sums included.
#[test]
fn nchw_and_nhwc() {
    let (n, c, h, w) = (2, 3, 4, 5);
    let nchw = ndarray::Array4::from_shape_fn((n, c, h, w), |(a, b, i, j)| {
        (a * 7 + b * 5 + i * 3 + j) as f32 * 0.25 - 6.0
    });
    let slopes = [0.5f32, -0.25, 2.0];
    let mut want = nchw.as_slice().unwrap().to_vec();
    sl::prelu_inplace(&mut want, &slopes, h * w);
    let mut got = nchw.clone();
    ndc::prelu_inplace(&mut got, &slopes, Axis(1));
    assert_eq!(got.as_slice().unwrap(), &want[..]);

    let nhwc = nchw
        .view()
        .permuted_axes([0, 2, 3, 1])
        .as_standard_layout()
        .into_owned();
    let as_nchw = nhwc.view().permuted_axes([0, 3, 1, 2]);
    let mut dy = as_nchw.mapv(|v| v * 0.5 + 1.0);
    let mut want_dy = dy.as_slice_memory_order().unwrap().to_vec();
    let (mut sums, mut want_sums) = ([0.0f32; 3], [0.0f32; 3]);
    sl::prelu_backward(
        nhwc.as_slice().unwrap(),
        &slopes,
        1,
        &mut want_dy,
        &mut want_sums,
    );
    // `mapv` keeps the permuted layout, so `dy` has `as_nchw`'s strides.
    assert_eq!(dy.strides(), as_nchw.strides());
    ndc::prelu_backward(&as_nchw, &slopes, Axis(1), &mut dy, &mut sums);
    assert_eq!(dy.as_slice_memory_order().unwrap(), &want_dy[..]);
    assert_eq!(sums.map(f32::to_bits), want_sums.map(f32::to_bits));
}
