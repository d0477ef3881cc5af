//! The backward passes that also give a parameter's gradient: each
//! element's result (the plain backward pass's) and its term of the
//! channel's sum (see [`sum`](super::sum) for how the terms are added).

use super::spec;
use crate::Element;

/// A backward pass with a parameter gradient, one element at a time. The
/// loops that run it are written as scalar code over slices and
/// vectorized by the compiler at each level; the result is the element
/// function's, so every level gives its bits.
pub(crate) trait WithGrad<T: Element>: Copy + Send + Sync + 'static {
    /// Whether the op reads a parameter per channel.
    const PARAM: bool;
    /// From the forward input or output `x`, the incoming gradient `dy`
    /// and the channel's parameter `p` (unread where there is none): the
    /// element's result and its term of the parameter's gradient.
    fn elem(self, x: T, dy: T, p: T) -> (T, f64);
}

/// PReLU's backward pass: `dx` as Leaky ReLU's with the channel's slope;
/// the slope's gradient sums `x * dy` where `x < 0` or `x` is NaN (where
/// `dx` is `slope * dy`). The product is formed in `f64`: exact for `f32`
/// and the 16-bit formats, one rounding for `f64`.
#[derive(Clone, Copy)]
pub(crate) struct PreluBackward;

impl<T: Element> WithGrad<T> for PreluBackward {
    const PARAM: bool = true;
    #[inline(always)]
    fn elem(self, x: T, dy: T, slope: T) -> (T, f64) {
        let scaled = x < T::ZERO || x.is_nan();
        let term = if scaled {
            x.to_f64() * dy.to_f64()
        } else {
            0.0
        };
        (spec::leaky_relu_backward(x, dy, slope), term)
    }
}

/// ReLU's backward pass from the output; the bias's gradient sums the
/// result.
#[derive(Clone, Copy)]
pub(crate) struct ReluBackwardFromOutputBias;

impl<T: Element> WithGrad<T> for ReluBackwardFromOutputBias {
    const PARAM: bool = false;
    #[inline(always)]
    fn elem(self, y: T, dy: T, _: T) -> (T, f64) {
        let dz = spec::relu_backward_from_output(y, dy);
        (dz, dz.to_f64())
    }
}

/// Leaky ReLU's backward pass fed the output (valid for `alpha > 0`);
/// the bias's gradient sums the result.
#[derive(Clone, Copy)]
pub(crate) struct LeakyReluBackwardFromOutputBias<T>(pub T);

impl<T: Element> WithGrad<T> for LeakyReluBackwardFromOutputBias<T> {
    const PARAM: bool = false;
    #[inline(always)]
    fn elem(self, y: T, dy: T, _: T) -> (T, f64) {
        let dz = spec::leaky_relu_backward(y, dy, self.0);
        (dz, dz.to_f64())
    }
}
