//! The lane-wise operations every kernel is written in, and their portable
//! implementation on `wide`'s 256-bit float vectors.
//!
//! An op writes its vector body once against [`Vector`]; the same body is
//! compiled for `wide::f32x8`/`wide::f64x4` (the portable level), for the
//! AVX2 types in `x86`, and for the 16-bit types in `half16`. The methods
//! say what the ops need (where ReLU gives zero, where Leaky ReLU scales),
//! not how to compute it, so that each vector type picks the cheapest
//! instructions for its lanes: a float compare for `f32`, one integer
//! compare on the bit patterns for `f16`.

use core::ops::{BitAnd, BitXor, Mul, Not};
use wide::{f32x8, f64x4};

/// A 256-bit vector of floats. Masks are vectors whose lanes are all ones
/// (true) or all zeros (false).
///
/// # Safety of the methods
/// A vector type may be made of instructions that not every CPU has (the
/// AVX2 types are). Its values come only from [`Vector::splat`],
/// [`Vector::load`] and, for the prepared `alpha`, [`Vector::alpha`]: those
/// are `unsafe`, and their callers promise that the CPU supports the type's
/// level. Every other method takes a value (or an `alpha` made by
/// `Vector::alpha`), whose existence carries that promise, so those are
/// safe to call.
pub trait Vector: Copy {
    /// The lane type.
    type Elem: Copy;
    /// Number of lanes.
    const LANES: usize;
    /// `alpha` as [`Vector::scale_where`] multiplies by it.
    type Alpha: Copy;

    /// Every lane set to `x`.
    ///
    /// # Safety
    /// The CPU must support the level of this vector type.
    unsafe fn splat(x: Self::Elem) -> Self;
    /// `alpha` prepared for [`Vector::scale_where`].
    ///
    /// # Safety
    /// The CPU must support the level of this vector type.
    unsafe fn alpha(alpha: Self::Elem) -> Self::Alpha;
    /// Loads `LANES` elements from `p`.
    ///
    /// # Safety
    /// The CPU must support the level of this vector type, and `p` must be
    /// valid for reading `LANES` elements; no alignment needed.
    unsafe fn load(p: *const Self::Elem) -> Self;
    /// Stores `LANES` elements to `p`.
    ///
    /// # Safety
    /// `p` must be valid for writing `LANES` elements; no alignment needed.
    unsafe fn store(self, p: *mut Self::Elem);
    /// Stores `LANES` elements to `p` bypassing the caches where the level
    /// has such a store (a plain store elsewhere); [`Vector::fence`] must
    /// follow the last one.
    ///
    /// # Safety
    /// `p` must be valid for writing `LANES` elements and aligned to 32
    /// bytes.
    unsafe fn store_stream(self, p: *mut Self::Elem) {
        // SAFETY: the caller's contract covers `store`'s.
        unsafe { self.store(p) }
    }
    /// Orders earlier [`Vector::store_stream`] stores before later stores.
    fn fence() {}

    /// The lanes ReLU sets to `+0.0`: true where `x < 0` or `x` is `-0.0`,
    /// false where `x > 0` or NaN. At `+0.0` either, since ReLU gives
    /// `+0.0` there whichever way the lane goes.
    fn relu_zero(self) -> Self;
    /// True where `x <= 0` (both zeros), false where `x > 0`; for NaN
    /// either, so a caller must not depend on the NaN lanes: Leaky ReLU
    /// scales these lanes (and `alpha` times a NaN is a NaN), ReLU's
    /// backward pass from the output clears them (and puts NaN back after).
    fn le_zero(self) -> Self;
    /// True where `x < 0`; false for both zeros and NaN.
    fn lt_zero(self) -> Self;
    /// The bits of `x` where `x` is NaN, zero elsewhere. OR-ed into a result
    /// it makes the NaN lanes NaN whatever the result had there: a NaN's
    /// exponent is all ones and its mantissa non-zero, and OR keeps both.
    fn nan_bits(self) -> Self;
    /// `x` (a NaN) where `x` is NaN, `other` elsewhere: how the backward
    /// passes let a NaN input through.
    fn nan_or(self, other: Self) -> Self;
    /// 1 where `x` is a number, a NaN where `x` is NaN.
    fn one_or_nan(self) -> Self;

    /// Bitwise and.
    fn and(self, o: Self) -> Self;
    /// Bitwise `!self & o`.
    fn and_not(self, o: Self) -> Self;
    /// Bitwise xor.
    fn xor(self, o: Self) -> Self;
    /// `alpha * x` where `mask` is set, as the element type multiplies (one
    /// multiply, one rounding), and `x`'s own bits elsewhere.
    fn scale_where(self, mask: Self, alpha: Self::Alpha) -> Self;
    /// Leaky ReLU for an `alpha` at most 1 and not zero (either zero would
    /// turn an infinite `x` into `0 * inf`, a NaN). For such an `alpha`,
    /// `alpha * x` is at most `x` where `x > 0` and at least `x` elsewhere
    /// (a NaN product where `x` is NaN), so Leaky ReLU is `x` where
    /// `x > alpha * x` and the product elsewhere; where the two are equal
    /// they have the same bits. The default is the form for any `alpha`.
    #[inline(always)]
    fn leaky_relu_max(self, alpha: Self::Alpha) -> Self {
        self.scale_where(self.le_zero(), alpha)
    }
    /// Leaky ReLU for an `alpha` above 1: as [`Vector::leaky_relu_max`]
    /// with the order turned, `x` where `x < alpha * x`, the product
    /// elsewhere.
    #[inline(always)]
    fn leaky_relu_min(self, alpha: Self::Alpha) -> Self {
        self.scale_where(self.le_zero(), alpha)
    }
    /// `self` (an incoming gradient `dy`) times Leaky ReLU's derivative
    /// at `x`: `alpha * dy` where `x < 0`, `dy` where `x >= 0` (both
    /// zeros), a NaN where `x` is NaN.
    #[inline(always)]
    fn scale_by_leaky_grad(self, x: Self, alpha: Self::Alpha) -> Self {
        x.nan_or(self.scale_where(x.lt_zero(), alpha))
    }
}

macro_rules! impl_wide {
    ($v:ty, $t:ty, $lanes:literal) => {
        impl Vector for $v {
            type Elem = $t;
            const LANES: usize = $lanes;
            type Alpha = $v;

            #[inline(always)]
            unsafe fn splat(x: $t) -> Self {
                <$v>::splat(x)
            }
            #[inline(always)]
            unsafe fn alpha(alpha: $t) -> Self {
                <$v>::splat(alpha)
            }
            #[inline(always)]
            unsafe fn load(p: *const $t) -> Self {
                // SAFETY: the caller guarantees `p` is readable for LANES
                // elements; `read_unaligned` needs no alignment.
                <$v>::new(unsafe { p.cast::<[$t; $lanes]>().read_unaligned() })
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $t) {
                // SAFETY: the caller guarantees `p` is writable for LANES
                // elements; `write_unaligned` needs no alignment.
                unsafe { p.cast::<[$t; $lanes]>().write_unaligned(self.to_array()) }
            }
            #[inline(always)]
            fn relu_zero(self) -> Self {
                self.simd_le(<$v>::ZERO)
            }
            #[inline(always)]
            fn le_zero(self) -> Self {
                self.simd_le(<$v>::ZERO)
            }
            #[inline(always)]
            fn lt_zero(self) -> Self {
                self.simd_lt(<$v>::ZERO)
            }
            #[inline(always)]
            fn nan_bits(self) -> Self {
                self.is_nan() & self
            }
            #[inline(always)]
            fn nan_or(self, other: Self) -> Self {
                other | self.nan_bits()
            }
            #[inline(always)]
            fn one_or_nan(self) -> Self {
                // `-|x|` is at most 0 for every number, so 1 is greater; a
                // NaN compares false and is taken.
                let neg = self | <$v>::splat(-0.0);
                <$v>::ONE.simd_gt(neg).bitselect(<$v>::ONE, neg)
            }
            #[inline(always)]
            fn and(self, o: Self) -> Self {
                BitAnd::bitand(self, o)
            }
            #[inline(always)]
            fn and_not(self, o: Self) -> Self {
                BitAnd::bitand(Not::not(self), o)
            }
            #[inline(always)]
            fn xor(self, o: Self) -> Self {
                BitXor::bitxor(self, o)
            }
            #[inline(always)]
            fn scale_where(self, mask: Self, alpha: Self) -> Self {
                // `x * 1` is `x` exactly (zeros, subnormals, infinities, a
                // NaN stays a NaN), so one multiply serves every lane.
                Mul::mul(self, mask.bitselect(alpha, <$v>::ONE))
            }
        }
    };
}

impl_wide!(f32x8, f32, 8);
impl_wide!(f64x4, f64, 4);
