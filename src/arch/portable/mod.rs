//! The portable level: [`Vector`] on `wide`'s 256-bit vectors, compiled
//! for whatever the build targets (SSE2, AVX with `-C target-cpu=native`,
//! NEON, plain arrays); the 16-bit formats in [`half16`].

#[cfg(feature = "half")]
pub(crate) mod half16;

use core::ops::{Add, BitAnd, BitXor, Mul, Not};
use wide::{f32x8, f64x4};

use crate::arch::Vector;

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
            fn nan_or(self, other: Self) -> Self {
                // `x`'s bits in its NaN lanes: OR-ed in, they make those
                // lanes NaN whatever `other` had there (a NaN's exponent is
                // all ones and its mantissa non-zero, and OR keeps both).
                other | (self.is_nan() & self)
            }
            #[inline(always)]
            fn one_or_nan(self) -> Self {
                // `-|x|` is at most 0 for every number, so 1 is greater; a
                // NaN compares false and is taken.
                let neg = self | <$v>::splat(-0.0);
                <$v>::ONE.simd_gt(neg).bitselect(<$v>::ONE, neg)
            }
            #[inline(always)]
            fn clamp(self, lo: Self, hi: Self) -> Self {
                // Compares and selects, not `wide`'s `max`/`min`, whose
                // ties and NaNs follow each target's instruction (NEON's
                // `fmax` returns `+0.0` for `max(-0.0, +0.0)` either way
                // round). The NaN lanes are OR-ed in.
                let at_least_lo = self.simd_gt(lo).bitselect(self, lo);
                let limited = at_least_lo.simd_lt(hi).bitselect(at_least_lo, hi);
                self.nan_or(limited)
            }
            #[inline(always)]
            fn outside(self, lo: Self, hi: Self) -> Self {
                // The ordered compares are false for a NaN `x`.
                Not::not(self.simd_ge(lo) & self.simd_le(hi))
            }
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                Add::add(self, o)
            }
            #[inline(always)]
            fn scale_lanes(self, mask: Self, factor: Self) -> Self {
                Mul::mul(self, mask.bitselect(factor, <$v>::ONE))
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
