//! The reference implementation, one plain function per op: the
//! specification that every other path must match bit for bit.
//!
//! These are deliberately the most obvious code for the semantics table in
//! the crate documentation; the slice forms are plain loops over them. They
//! are also the fallback for targets and sizes where vectors do not pay.

use crate::Element;
use crate::check::{check_alpha, check_lengths, check_lengths3};

/// ReLU: `max(0, x)`. `-0.0` gives `+0.0`; NaN propagates.
#[inline]
pub fn relu<T: Element>(x: T) -> T {
    if x > T::ZERO || x.is_nan() {
        x
    } else {
        T::ZERO
    }
}

/// Leaky ReLU: `x` where `x > 0`, else `alpha * x` (one multiply, so
/// `-0.0` gives `alpha * -0.0`); NaN propagates.
#[inline]
pub fn leaky_relu<T: Element>(x: T, alpha: T) -> T {
    if x > T::ZERO { x } else { alpha * x }
}

/// ReLU's derivative: 1 where `x >= 0`, 0 where `x < 0`, NaN for NaN.
#[inline]
pub fn relu_grad<T: Element>(x: T) -> T {
    if x.is_nan() {
        x
    } else if x >= T::ZERO {
        T::ONE
    } else {
        T::ZERO
    }
}

/// Leaky ReLU's derivative: 1 where `x >= 0`, `alpha` where `x < 0`, NaN
/// for NaN.
#[inline]
pub fn leaky_relu_grad<T: Element>(x: T, alpha: T) -> T {
    if x.is_nan() {
        x
    } else if x >= T::ZERO {
        T::ONE
    } else {
        alpha
    }
}

/// ReLU's backward pass for one element: `dy` where `x >= 0`, `0` where
/// `x < 0` (whatever `dy` is, infinities and NaN included), NaN where `x` is
/// NaN. A select, not `dy * relu_grad(x)`.
#[inline]
pub fn relu_backward<T: Element>(x: T, dy: T) -> T {
    if x.is_nan() {
        x
    } else if x >= T::ZERO {
        dy
    } else {
        T::ZERO
    }
}

/// Leaky ReLU's backward pass for one element: `dy` where `x >= 0`,
/// `alpha * dy` where `x < 0`, NaN where `x` is NaN.
#[inline]
pub fn leaky_relu_backward<T: Element>(x: T, dy: T, alpha: T) -> T {
    if x.is_nan() {
        x
    } else if x >= T::ZERO {
        dy
    } else {
        alpha * dy
    }
}

/// ReLU's backward pass for one element from the forward *output*
/// `y = relu(x)`, as PyTorch's `threshold_backward(dy, y, 0)` computes it:
/// `dy` where `y > 0`, `+0.0` where `y <= 0` (both zeros, whatever `dy`
/// is), NaN where `y` is NaN.
///
/// It differs from [`relu_backward`] at `x == 0` only: there `y` is
/// `+0.0`, so the gradient is 0 (PyTorch's choice), where
/// [`relu_backward`] follows the tutorial's rule and passes `dy` through.
#[inline]
pub fn relu_backward_from_output<T: Element>(y: T, dy: T) -> T {
    if y.is_nan() {
        y
    } else if y > T::ZERO {
        dy
    } else {
        T::ZERO
    }
}

/// [`relu`] on every element, in place.
pub fn relu_inplace<T: Element>(buf: &mut [T]) {
    for v in buf {
        *v = relu(*v);
    }
}

/// [`leaky_relu`] on every element, in place.
///
/// # Panics
/// If `alpha` is not finite, before any element is written.
pub fn leaky_relu_inplace<T: Element>(buf: &mut [T], alpha: T) {
    check_alpha(alpha);
    for v in buf {
        *v = leaky_relu(*v, alpha);
    }
}

/// Replaces every element with [`relu_grad`] of it.
pub fn relu_grad_inplace<T: Element>(buf: &mut [T]) {
    for v in buf {
        *v = relu_grad(*v);
    }
}

/// Replaces every element with [`leaky_relu_grad`] of it.
///
/// # Panics
/// If `alpha` is not finite, before any element is written.
pub fn leaky_relu_grad_inplace<T: Element>(buf: &mut [T], alpha: T) {
    check_alpha(alpha);
    for v in buf {
        *v = leaky_relu_grad(*v, alpha);
    }
}

/// `dst[i] = relu(src[i])`.
///
/// # Panics
/// If the lengths differ, before any element is written.
pub fn relu_into<T: Element>(src: &[T], dst: &mut [T]) {
    check_lengths("src", src.len(), "dst", dst.len());
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = relu(s);
    }
}

/// `dst[i] = leaky_relu(src[i], alpha)`.
///
/// # Panics
/// If `alpha` is not finite or the lengths differ, before any element is
/// written.
pub fn leaky_relu_into<T: Element>(src: &[T], dst: &mut [T], alpha: T) {
    check_alpha(alpha);
    check_lengths("src", src.len(), "dst", dst.len());
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = leaky_relu(s, alpha);
    }
}

/// `dst[i] = relu_grad(src[i])`.
///
/// # Panics
/// If the lengths differ, before any element is written.
pub fn relu_grad_into<T: Element>(src: &[T], dst: &mut [T]) {
    check_lengths("src", src.len(), "dst", dst.len());
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = relu_grad(s);
    }
}

/// `dst[i] = leaky_relu_grad(src[i], alpha)`.
///
/// # Panics
/// If `alpha` is not finite or the lengths differ, before any element is
/// written.
pub fn leaky_relu_grad_into<T: Element>(src: &[T], dst: &mut [T], alpha: T) {
    check_alpha(alpha);
    check_lengths("src", src.len(), "dst", dst.len());
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = leaky_relu_grad(s, alpha);
    }
}

/// `grad[i] = relu_backward(x[i], grad[i])`: the incoming gradient `dy` is
/// replaced by the gradient with respect to `x`.
///
/// # Panics
/// If the lengths differ, before any element is written.
pub fn relu_backward_inplace<T: Element>(x: &[T], grad: &mut [T]) {
    check_lengths("x", x.len(), "grad", grad.len());
    for (g, &x) in grad.iter_mut().zip(x) {
        *g = relu_backward(x, *g);
    }
}

/// `grad[i] = leaky_relu_backward(x[i], grad[i], alpha)`.
///
/// With `alpha > 0`, Leaky ReLU keeps the input's sign, so `x` may be the
/// forward *output* `y = leaky_relu(x)` instead of the input, and no copy of
/// the input needs keeping: the result has the same bits, except where a
/// tiny negative `alpha * x` underflowed to `-0.0` (there `y` reads as not
/// negative and `dy` passes through unscaled). With `alpha <= 0` the output
/// does not keep the sign, and this does not hold.
///
/// # Panics
/// If `alpha` is not finite or the lengths differ, before any element is
/// written.
pub fn leaky_relu_backward_inplace<T: Element>(x: &[T], grad: &mut [T], alpha: T) {
    check_alpha(alpha);
    check_lengths("x", x.len(), "grad", grad.len());
    for (g, &x) in grad.iter_mut().zip(x) {
        *g = leaky_relu_backward(x, *g, alpha);
    }
}

/// `grad[i] = relu_backward_from_output(y[i], grad[i])`, where `y` holds
/// the forward *output* (`relu` of the input, as `relu_inplace` leaves it).
///
/// # Panics
/// If the lengths differ, before any element is written.
pub fn relu_backward_from_output_inplace<T: Element>(y: &[T], grad: &mut [T]) {
    check_lengths("y", y.len(), "grad", grad.len());
    for (g, &y) in grad.iter_mut().zip(y) {
        *g = relu_backward_from_output(y, *g);
    }
}

/// `dx[i] = relu_backward(x[i], dy[i])`, leaving `dy` as it is.
///
/// # Panics
/// If the lengths differ, before any element is written.
pub fn relu_backward_into<T: Element>(x: &[T], dy: &[T], dx: &mut [T]) {
    check_lengths3(("x", x.len()), ("dy", dy.len()), ("dx", dx.len()));
    for ((d, &x), &dy) in dx.iter_mut().zip(x).zip(dy) {
        *d = relu_backward(x, dy);
    }
}

/// `dx[i] = leaky_relu_backward(x[i], dy[i], alpha)`, leaving `dy` as it is.
///
/// # Panics
/// If `alpha` is not finite or the lengths differ, before any element is
/// written.
pub fn leaky_relu_backward_into<T: Element>(x: &[T], dy: &[T], dx: &mut [T], alpha: T) {
    check_alpha(alpha);
    check_lengths3(("x", x.len()), ("dy", dy.len()), ("dx", dx.len()));
    for ((d, &x), &dy) in dx.iter_mut().zip(x).zip(dy) {
        *d = leaky_relu_backward(x, dy, alpha);
    }
}

/// `dx[i] = relu_backward_from_output(y[i], dy[i])`, leaving `dy` as it is.
///
/// # Panics
/// If the lengths differ, before any element is written.
pub fn relu_backward_from_output_into<T: Element>(y: &[T], dy: &[T], dx: &mut [T]) {
    check_lengths3(("y", y.len()), ("dy", dy.len()), ("dx", dx.len()));
    for ((d, &y), &dy) in dx.iter_mut().zip(y).zip(dy) {
        *d = relu_backward_from_output(y, dy);
    }
}
