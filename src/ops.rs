//! One small type per op: its per-element body (the `scalar` reference) and
//! its per-vector body, written once against [`Vector`].
//!
//! Every op maps a pair `(x, y)` to a new `y`: `x` comes from the source
//! slice and `y` from the destination, which is where the result goes. In
//! place, source and destination are the same slice; the unary ops ignore
//! `y` (and the compiler drops its load).
//!
//! The vector bodies avoid storing a `select` of a value loaded from the
//! destination: LLVM turns that into `vmaskmovps`, which runs at a tenth of
//! the speed on AMD Zen. Each body uses a multiply or plain bitwise logic
//! instead, chosen so that every lane gets the exact bits of the reference.

use crate::Element;
use crate::scalar;
use crate::vector::Vector;

/// An elementwise op: `y = op(x, y)`.
pub(crate) trait Op<T: Element>: Copy + Send + Sync + 'static {
    /// Whether the result depends on the destination's old value `y`.
    // Only the AVX2 level reads it (streaming stores are only for ops that
    // do not read `y`), and that level is compiled only for x86_64 with
    // SSE2: elsewhere (aarch64, x86_64-unknown-none) it is never read.
    #[cfg_attr(
        not(all(target_arch = "x86_64", target_feature = "sse2")),
        expect(dead_code, reason = "read only by the AVX2 level")
    )]
    const READS_DST: bool = false;
    /// The reference body.
    fn scalar(self, x: T, y: T) -> T;
    /// The vector body; must equal `scalar` lane by lane, bit for bit (any
    /// NaN for a NaN).
    fn vector<V: Vector<Elem = T>>(self, x: V, y: V) -> V;
}

/// The bits of `x` where `x` is NaN, zero elsewhere. OR-ed into a result it
/// makes the NaN lanes NaN whatever the result had there: a NaN's exponent
/// is all ones and its mantissa non-zero, and OR keeps both.
#[inline(always)]
fn nan_bits<V: Vector>(x: V) -> V {
    x.is_nan().and(x)
}

/// 1 where `x` is a number, NaN where it is NaN, in two cheap ops:
/// `-|x|` (the sign bit set) is at most 0 for every number, so `1` wins the
/// max; for NaN, `max_or_second` returns its second operand, the NaN.
#[inline(always)]
fn one_or_nan<T: Element, V: Vector<Elem = T>>(x: V) -> V {
    V::splat(T::ONE).max_or_second(x.or(V::splat(T::NEG_ZERO)))
}

#[derive(Clone, Copy)]
pub(crate) struct Relu;

impl<T: Element> Op<T> for Relu {
    #[inline(always)]
    fn scalar(self, x: T, _: T) -> T {
        scalar::relu(x)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, x: V, _: V) -> V {
        // Clear the lanes where x <= 0 (both zeros and negatives become +0.0);
        // NaN compares false and is kept.
        x.le(V::splat(T::ZERO)).and_not(x)
    }
}

#[derive(Clone, Copy)]
pub(crate) struct LeakyRelu<T>(pub T);

impl<T: Element> Op<T> for LeakyRelu<T> {
    #[inline(always)]
    fn scalar(self, x: T, _: T) -> T {
        scalar::leaky_relu(x, self.0)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, x: V, _: V) -> V {
        // x * 1 is x exactly (zeros, subnormals, infinities, NaN), and
        // x * alpha is the reference's single multiply.
        let factor = x
            .gt(V::splat(T::ZERO))
            .select(V::splat(T::ONE), V::splat(self.0));
        x.mul(factor)
    }
}

#[derive(Clone, Copy)]
pub(crate) struct ReluGrad;

impl<T: Element> Op<T> for ReluGrad {
    #[inline(always)]
    fn scalar(self, x: T, _: T) -> T {
        scalar::relu_grad(x)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, x: V, _: V) -> V {
        // Clear the lanes where x < 0; NaN compares false and stays NaN.
        x.lt(V::splat(T::ZERO)).and_not(one_or_nan(x))
    }
}

#[derive(Clone, Copy)]
pub(crate) struct LeakyReluGrad<T>(pub T);

impl<T: Element> Op<T> for LeakyReluGrad<T> {
    #[inline(always)]
    fn scalar(self, x: T, _: T) -> T {
        scalar::leaky_relu_grad(x, self.0)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, x: V, _: V) -> V {
        // alpha where x < 0; NaN compares false and stays NaN.
        x.lt(V::splat(T::ZERO))
            .select(V::splat(self.0), one_or_nan(x))
    }
}

#[derive(Clone, Copy)]
pub(crate) struct ReluBackward;

impl<T: Element> Op<T> for ReluBackward {
    const READS_DST: bool = true;
    #[inline(always)]
    fn scalar(self, x: T, dy: T) -> T {
        scalar::relu_backward(x, dy)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, x: V, dy: V) -> V {
        // Clearing dy's bits (not multiplying by 0) keeps an infinite or NaN
        // dy at a negative x from becoming NaN.
        let kept = x.lt(V::splat(T::ZERO)).and_not(dy);
        kept.or(nan_bits(x))
    }
}

#[derive(Clone, Copy)]
pub(crate) struct LeakyReluBackward<T>(pub T);

impl<T: Element> Op<T> for LeakyReluBackward<T> {
    const READS_DST: bool = true;
    #[inline(always)]
    fn scalar(self, x: T, dy: T) -> T {
        scalar::leaky_relu_backward(x, dy, self.0)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, x: V, dy: V) -> V {
        // dy * 1 is dy exactly; dy * alpha is the reference's multiply.
        let factor = x
            .lt(V::splat(T::ZERO))
            .select(V::splat(self.0), V::splat(T::ONE));
        dy.mul(factor).or(nan_bits(x))
    }
}

/// The throughput ceiling's pass: `y = x ^ bits`, with `bits` hidden from
/// the compiler (zero in practice), so the loop must load and store every
/// element and does the least work an op can.
#[derive(Clone, Copy)]
pub(crate) struct Touch<T>(pub T);

impl<T: Element> Op<T> for Touch<T> {
    #[inline(always)]
    fn scalar(self, x: T, _: T) -> T {
        T::xor_bits(x, self.0)
    }
    #[inline(always)]
    fn vector<V: Vector<Elem = T>>(self, x: V, _: V) -> V {
        x.xor(V::splat(self.0))
    }
}
