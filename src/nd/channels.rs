//! The per-channel ops over arrays: the channel axis is an [`Axis`], and
//! the parameter (and gradient) slices have as many elements as the
//! arrays have along it.
//!
//! Arrays that lie contiguously in memory with the same strides, the
//! channel axis stepping forwards (C order, Fortran order, any permutation
//! of the axes), are one call of the root slice function over their
//! memory: in memory order such an array reads as `[outer, channels,
//! inner]` with `inner` the channel axis's stride. Other layouts are
//! gathered in logical (C) order into a buffer, computed there, and the
//! result written back.
//!
//! The forward ops and the inputs' gradients are elementwise, so the
//! layout only decides their speed. The parameters' gradients are sums,
//! whose order follows the elements' order in that call: for arrays of
//! standard (C) layout the bits are the slice function's on the same
//! data, for the other contiguous layouts they follow memory order, and
//! for the rest logical order. Each is deterministic.

use ndarray::{ArrayRef, Axis, Dimension};

use crate::Element;

use super::{check_shapes, same_strides};

/// Checks `axis` and the parameter's length against `shape`, and gives the
/// channel axis's `inner` in logical order (the product of the later axes'
/// lengths).
#[track_caller]
fn logical_inner(shape: &[usize], axis: Axis, channels: usize, param: &str) -> usize {
    let Some(&len) = shape.get(axis.0) else {
        panic!(
            "relu-kernels: axis {} is out of range for an array of {} dimensions",
            axis.0,
            shape.len()
        );
    };
    if len != channels {
        panic!(
            "relu-kernels: {param} has {channels} elements, but the array has {len} along axis {} (shape {shape:?})",
            axis.0
        );
    }
    shape[axis.0 + 1..].iter().product()
}

/// The channel axis's `inner` in memory order, when the arrays share
/// strides, every one is contiguous, and the channel axis steps forwards
/// (a one-element axis steps nowhere: one channel, any `inner`).
fn memory_inner<T, D: Dimension>(arrays: &[&ArrayRef<T, D>], axis: Axis) -> Option<usize> {
    let first = arrays[0];
    let shared = arrays.iter().all(|a| same_strides(a, first));
    let stride = first.strides()[axis.0];
    match first.shape()[axis.0] {
        1 if shared => Some(1),
        _ if shared && stride > 0 => Some(stride as usize),
        _ => None,
    }
}

/// Runs `f(buffer, inner)` on `x` in place.
#[track_caller]
pub(crate) fn inplace<T: Element, D: Dimension>(
    x: &mut ArrayRef<T, D>,
    channels: usize,
    axis: Axis,
    param: &str,
    f: impl FnOnce(&mut [T], usize),
) {
    let inner = logical_inner(x.shape(), axis, channels, param);
    if channels == 0 {
        return; // an empty array (the caller checked the parameters)
    }
    if let Some(memory) = memory_inner(&[x], axis)
        && let Some(buf) = x.as_slice_memory_order_mut()
    {
        return f(buf, memory);
    }
    let mut buf: Vec<T> = x.iter().copied().collect();
    f(&mut buf, inner.max(1));
    x.iter_mut().zip(buf).for_each(|(d, v)| *d = v);
}

/// Runs `f(src, dst, inner)` from `x` (named `input`) into `y` (named
/// `output`).
#[track_caller]
pub(crate) fn into<T: Element, D: Dimension>(
    x: (&str, &ArrayRef<T, D>),
    y: (&str, &mut ArrayRef<T, D>),
    channels: usize,
    axis: Axis,
    param: &str,
    f: impl FnOnce(&[T], &mut [T], usize),
) {
    let ((xn, x), (yn, y)) = (x, y);
    check_shapes(&[(xn, x)], (yn, y));
    let inner = logical_inner(x.shape(), axis, channels, param);
    if channels == 0 {
        return; // empty arrays, no sums to write (the caller checked the parameters)
    }
    if let Some(memory) = memory_inner(&[x, y], axis)
        && let Some(src) = x.as_slice_memory_order()
        && let Some(dst) = y.as_slice_memory_order_mut()
    {
        return f(src, dst, memory);
    }
    let src: Vec<T> = x.iter().copied().collect();
    let mut dst: Vec<T> = y.iter().copied().collect();
    f(&src, &mut dst, inner.max(1));
    y.iter_mut().zip(dst).for_each(|(d, v)| *d = v);
}

/// The list's checks of a call whose channel axis is empty: the slice
/// function, which makes them otherwise (before anything is written, the
/// gathered copy included), is then not called.
macro_rules! checks_if_empty {
    ($param:ident, [$($check:expr),*]) => {
        if $param.is_empty() {
            $($check;)*
        }
    };
}
pub(crate) use checks_if_empty;

/// The per-channel forms over arrays, from the per-channel list.
macro_rules! nd_channel_fn {
    (
        [] $kind:ident: $name:ident; family: $family:ident; param: $param:ident;
        about: $about:literal; panics: $panics:tt; params: [$($p:ident: $pty:ty),*];
        checks: [$($check:expr),*];
        kernel: |$k:ident, $io:ident, $inner:ident| $kernel:expr; elem: |$ex:ident, $ep:ident| $elem:expr;
    ) => {
        $crate::nd::channels::nd_channel_fn!(@ $kind $name, $param, [$($p: $pty),*], $about, $panics, [$($check),*]);
    };
    (@ inplace $name:ident, $param:ident, [$($p:ident: $pty:ty),*], $about:literal, $panics:tt, [$($check:expr),*]) => {
        #[doc = concat!(
            "Per-channel ", $about, ", in place on `x`, over an array: `c` is the element's ",
            "index along `axis`, and `", stringify!($param), "` has `x.len_of(axis)` elements ",
            "(see [`channels`](crate::channels) for the semantics, [`nd::channels`](crate::nd::channels) for layouts).",
        )]
        #[doc = $crate::nd::channels::nd_panics!($panics, "")]
        #[track_caller]
        pub fn $name<T: Element, D: Dimension>(x: &mut ArrayRef<T, D>, $param: &[T], axis: Axis $(, $p: $pty)*) {
            $crate::nd::channels::checks_if_empty!($param, [$($check),*]);
            inplace(x, $param.len(), axis, stringify!($param), |x, inner| {
                $crate::channels::$name(x, $param, inner $(, $p)*)
            })
        }
    };
    (@ into $name:ident, $param:ident, [$($p:ident: $pty:ty),*], $about:literal, $panics:tt, [$($check:expr),*]) => {
        #[doc = concat!(
            "Per-channel ", $about, ", from `x` into `y`, over arrays of one shape: `c` is the ",
            "element's index along `axis`, and `", stringify!($param), "` has `x.len_of(axis)` ",
            "elements (see [`channels`](crate::channels) for the semantics, [`nd::channels`](crate::nd::channels) ",
            "for layouts).",
        )]
        #[doc = $crate::nd::channels::nd_panics!($panics, "if the arrays differ in shape, ")]
        #[track_caller]
        pub fn $name<T: Element, D: Dimension>(
            x: &ArrayRef<T, D>,
            $param: &[T],
            axis: Axis,
            y: &mut ArrayRef<T, D>
            $(, $p: $pty)*
        ) {
            $crate::nd::channels::checks_if_empty!($param, [$($check),*]);
            into(("x", x), ("y", y), $param.len(), axis, stringify!($param), |x, y, inner| {
                $crate::channels::$name(x, $param, inner, y $(, $p)*)
            })
        }
    };
}
pub(crate) use nd_channel_fn;

/// The backward passes with a parameter gradient over arrays, from the
/// per-channel list.
macro_rules! nd_grad_fn {
    (
        [] sig: param; name: $name:ident; input: $input:ident; param: $param:ident;
        sums: $sums:ident; about: $about:literal; params: []; panics: $panics:tt;
        checks: [$($check:expr),*]; op: $op:expr;
    ) => {
        #[doc = concat!(
            $about, ", over arrays of one shape: `c` is the element's index along `axis`, and `",
            stringify!($param), "` and `", stringify!($sums), "` have `", stringify!($input),
            ".len_of(axis)` elements. The sums' order follows the layout: see [`nd::channels`](crate::nd::channels).",
        )]
        #[doc = $crate::nd::channels::nd_panics!($panics, "if the arrays differ in shape, ")]
        #[track_caller]
        pub fn $name<T: Element, D: Dimension>(
            $input: &ArrayRef<T, D>,
            $param: &[T],
            axis: Axis,
            grad: &mut ArrayRef<T, D>,
            $sums: &mut [T],
        ) {
            $crate::nd::channels::checks_if_empty!($param, [$($check),*]);
            into((stringify!($input), $input), ("grad", grad), $param.len(), axis, stringify!($param), |input, grad, inner| {
                $crate::channels::$name(input, $param, inner, grad, $sums)
            })
        }
    };
    (
        [] sig: bias; name: $name:ident; input: $input:ident; param: $param:ident;
        sums: $sums:ident; about: $about:literal; params: [$($p:ident: $pty:ty),*]; panics: $panics:tt;
        checks: [$($check:expr),*]; op: $op:expr;
    ) => {
        #[doc = concat!(
            $about, ", over arrays of one shape: `c` is the element's index along `axis`, and `",
            stringify!($sums), "` has `", stringify!($input), ".len_of(axis)` elements. ",
            "The sums' order follows the layout: see [`nd::channels`](crate::nd::channels).",
        )]
        #[doc = $crate::nd::channels::nd_panics!($panics, "if the arrays differ in shape, ")]
        #[track_caller]
        pub fn $name<T: Element, D: Dimension>(
            $input: &ArrayRef<T, D>,
            grad: &mut ArrayRef<T, D>,
            axis: Axis
            $(, $p: $pty)*,
            $sums: &mut [T],
        ) {
            $crate::nd::channels::checks_if_empty!($param, [$($check),*]);
            into((stringify!($input), $input), ("grad", grad), $sums.len(), axis, stringify!($sums), |input, grad, inner| {
                $crate::channels::$name(input, grad, inner $(, $p)*, $sums)
            })
        }
    };
}

/// The `# Panics` section of a function over arrays.
macro_rules! nd_panics {
    ([$($p:literal),*], $shapes:literal) => {
        concat!(
            "\n\n# Panics\nIf ", $($p, ", ",)*
            "if `axis` is out of range, ", $shapes, "or if a slice's length is not the arrays' ",
            "along `axis`, before anything is written. (An axis of length 0 is no error: the ",
            "arrays are empty, and so are the slices.)"
        )
    };
}
pub(crate) use nd_panics;

crate::for_each_channel_op!(
    crate::front::channel_list::per_channel_form,
    [nd_channel_fn],
    []
);
crate::for_each_channel_grad_op!(
    crate::front::channel_list::per_channel_grad_form,
    [nd_grad_fn],
    []
);
