//! The element functions: the specification every kernel matches bit for
//! bit, and the scalar body of every op. Public as `crate::scalar`'s.

use crate::Element;

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

/// Clamp to `[lo, hi]`, as `min(max(x, lo), hi)`: `x` where `lo < x < hi`,
/// `lo` where `x <= lo < hi`, `hi` where `x >= hi` or the bounds are equal
/// (so `+0.0` and `-0.0` as bounds give `hi` for every number); NaN
/// propagates. `clamp(x, 0, +inf)` has [`relu`]'s bits. For `lo <= hi`,
/// neither NaN (the slice functions check it).
#[inline]
pub fn clamp<T: Element>(x: T, lo: T, hi: T) -> T {
    if x.is_nan() {
        return x;
    }
    let at_least_lo = if x > lo { x } else { lo };
    if at_least_lo < hi { at_least_lo } else { hi }
}

/// Clamp's backward pass for one element: `dy` where `lo <= x <= hi`
/// (bounds included, as PyTorch's `clamp` backward), `+0.0` elsewhere
/// (whatever `dy` is), NaN where `x` is NaN.
#[inline]
pub fn clamp_backward<T: Element>(x: T, dy: T, lo: T, hi: T) -> T {
    if x.is_nan() {
        x
    } else if lo <= x && x <= hi {
        dy
    } else {
        T::ZERO
    }
}

/// ReLU6: [`clamp`]`(x, 0, 6)`. `-0.0` gives `+0.0`; NaN propagates.
#[inline]
pub fn relu6<T: Element>(x: T) -> T {
    clamp(x, T::ZERO, T::SIX)
}

/// ReLU of `x + b`, the sum rounded once to `T` (for `f16` and `bf16`,
/// the `f32` sum rounded once, which is correctly rounded: `f32`'s 24 bits
/// are at least twice the format's precision plus 2). Bias + ReLU's
/// element function.
#[inline]
pub fn bias_relu<T: Element>(x: T, b: T) -> T {
    relu(x + b)
}

/// Leaky ReLU of `x + b` (the sum as in [`bias_relu`]). Bias + Leaky ReLU's
/// element function.
#[inline]
pub fn bias_leaky_relu<T: Element>(x: T, b: T, alpha: T) -> T {
    leaky_relu(x + b, alpha)
}
