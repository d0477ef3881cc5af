//! The reference implementation, one plain function per op: the
//! specification that every other path must match bit for bit.
//!
//! These are deliberately the most obvious code for the semantics table in
//! the crate documentation; the slice forms are plain loops over them. They
//! are also the fallback for targets and sizes where vectors do not pay.

use crate::Element;
use crate::front::check::check_lengths;

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

crate::front::list::for_each_form!(crate::front::list::per_form, [slice_loop], []);

/// One slice function per form of the op list: a plain loop over the
/// element functions above, so that the reference shares no code with the
/// vector loops it checks.
macro_rules! slice_loop {
    (
        [] doc: $doc:literal; more: [$($more:tt)*]; panics: $panics:tt;
        fn $name:ident($($r:ident),*; $($lp:ident: $lty:ty),*; $out:ident; $($p:ident: $pty:ty),*);
        checks: [$($check:expr),*]; kernel: |$k:ident, $io:ident| $kernel:expr; elem: $elem:expr;
    ) => {
        #[doc = concat!($doc, ".")]
        $($more)*
        #[doc = crate::front::list::panics_doc!($panics, [$($r),*], "the lengths differ")]
        #[track_caller]
        pub fn $name<T: Element>($($r: &[T],)* $($lp: $lty,)* $out: &mut [T] $(, $p: $pty)*) {
            $($check;)*
            check_lengths(&[$((stringify!($r), $r.len()),)* (stringify!($out), $out.len())]);
            let elem = crate::front::list::elem_fn::<T, _, _>($elem);
            for i in 0..$out.len() {
                $out[i] = elem([$($r[i]),*], $out[i]);
            }
        }
    };
}
use slice_loop;
