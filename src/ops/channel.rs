//! The per-channel ops: each element's parameter (a bias or a slope) is
//! its channel's. The driver (`driver::channel`) hands an op its
//! parameters one of two ways, so each op has two bodies:
//! - [`PerChannel::lanes`]: an [`Op`] that takes every element's parameter
//!   from `y`, a run of the parameters laid out as the elements are (the
//!   bias row of channels-last data, or a pattern of channel runs);
//! - [`PerChannel::constant`]: an [`Op`] for a run of elements that share
//!   one parameter (a channel's `inner` elements in NCHW data), with the
//!   parameter as a constant, so that its body is the plain op's.

use super::{LEAKY_ANY, LEAKY_MAX, LEAKY_MIN, LeakyRelu, Op, leaky_form, spec};
use crate::Element;
use crate::arch::Vector;

/// Runs whatever [`Op`] it is given (the way a [`PerChannel`] op hands
/// over the op for one parameter, whose type depends on that parameter).
pub(crate) trait WithOp<T: Element> {
    /// Runs `op`.
    fn with<O: Op<T>>(self, op: O);
}

/// A per-channel op.
pub(crate) trait PerChannel<T: Element>: Copy + Send + Sync + 'static {
    /// The op whose `y` holds each element's parameter.
    type Lanes: Op<T>;
    /// That op.
    fn lanes(self) -> Self::Lanes;
    /// Hands `with` the op for elements whose parameter is `param`.
    fn constant<W: WithOp<T>>(self, param: T, with: W);
}

/// `relu(x + b)`, with `b` from `y` or, with `RUN`, the constant `self.0`.
#[derive(Clone, Copy)]
pub(crate) struct BiasRelu<T, const RUN: bool>(pub T);

impl<T: Element, const RUN: bool> Op<T> for BiasRelu<T, RUN> {
    #[inline(always)]
    fn scalar(self, x: T, y: T) -> T {
        spec::bias_relu(x, if RUN { self.0 } else { y })
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, _: V::Alpha, x: V, y: V) -> V {
        // SAFETY: `x` exists, so the CPU supports `V`'s level (see `Vector`).
        let b = if RUN { unsafe { V::splat(self.0) } } else { y };
        let z = x.add(b);
        z.relu()
    }
}

/// Bias + ReLU by channel.
#[derive(Clone, Copy)]
pub(crate) struct BiasReluChannels;

impl<T: Element> PerChannel<T> for BiasReluChannels {
    type Lanes = BiasRelu<T, false>;
    #[inline(always)]
    fn lanes(self) -> Self::Lanes {
        BiasRelu(T::ZERO)
    }
    #[inline(always)]
    fn constant<W: WithOp<T>>(self, bias: T, with: W) {
        with.with(BiasRelu::<T, true>(bias))
    }
}

/// `leaky_relu(x + b, alpha)` with the Leaky ReLU body `FORM` (see
/// [`leaky_form`]), `b` from `y` or, with `RUN`, the constant `bias`.
#[derive(Clone, Copy)]
pub(crate) struct BiasLeakyRelu<T, const FORM: u8, const RUN: bool> {
    pub alpha: T,
    pub bias: T,
}

impl<T: Element, const FORM: u8, const RUN: bool> Op<T> for BiasLeakyRelu<T, FORM, RUN> {
    #[inline(always)]
    fn scalar(self, x: T, y: T) -> T {
        spec::bias_leaky_relu(x, if RUN { self.bias } else { y }, self.alpha)
    }
    #[inline(always)]
    fn alpha(self) -> T {
        self.alpha
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, alpha: V::Alpha, x: V, y: V) -> V {
        // SAFETY: `x` exists, so the CPU supports `V`'s level (see `Vector`).
        let b = if RUN {
            unsafe { V::splat(self.bias) }
        } else {
            y
        };
        let z = x.add(b);
        LeakyRelu::<T, FORM>(self.alpha).vector(alpha, z, z)
    }
}

/// Bias + Leaky ReLU by channel, with the body `FORM` for its `alpha`.
#[derive(Clone, Copy)]
pub(crate) struct BiasLeakyReluChannels<T, const FORM: u8>(pub T);

impl<T: Element, const FORM: u8> PerChannel<T> for BiasLeakyReluChannels<T, FORM> {
    type Lanes = BiasLeakyRelu<T, FORM, false>;
    #[inline(always)]
    fn lanes(self) -> Self::Lanes {
        BiasLeakyRelu {
            alpha: self.0,
            bias: T::ZERO,
        }
    }
    #[inline(always)]
    fn constant<W: WithOp<T>>(self, bias: T, with: W) {
        with.with(BiasLeakyRelu::<T, FORM, true> {
            alpha: self.0,
            bias,
        })
    }
}

/// Leaky ReLU with each element's slope from `y`.
#[derive(Clone, Copy)]
pub(crate) struct PreluLanes;

impl<T: Element> Op<T> for PreluLanes {
    #[inline(always)]
    fn scalar(self, x: T, slope: T) -> T {
        spec::leaky_relu(x, slope)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, _: V::Alpha, x: V, slope: V) -> V {
        // The slopes differ by lane, so the max/min forms of Leaky ReLU
        // (which depend on the slope's range) do not apply.
        x.scale_lanes(x.le_zero(), slope)
    }
}

/// PReLU: Leaky ReLU with a slope per channel.
#[derive(Clone, Copy)]
pub(crate) struct PreluChannels;

impl<T: Element> PerChannel<T> for PreluChannels {
    type Lanes = PreluLanes;
    #[inline(always)]
    fn lanes(self) -> PreluLanes {
        PreluLanes
    }
    #[inline(always)]
    fn constant<W: WithOp<T>>(self, slope: T, with: W) {
        // A channel's run is Leaky ReLU with its slope as `alpha`, with
        // the cheapest body for that slope.
        match leaky_form(slope) {
            LEAKY_MAX => with.with(LeakyRelu::<T, LEAKY_MAX>(slope)),
            LEAKY_MIN => with.with(LeakyRelu::<T, LEAKY_MIN>(slope)),
            _ => with.with(LeakyRelu::<T, LEAKY_ANY>(slope)),
        }
    }
}
