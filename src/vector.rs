//! The lane-wise operations every kernel is written in, and their portable
//! implementation on `wide`'s 256-bit vectors.
//!
//! An op writes its vector body once against [`Vector`]; the same body is
//! compiled for `wide::f32x8`/`wide::f64x4` (the portable level) and for the
//! AVX2 types in `x86` (the runtime-dispatched level).

use core::ops::{BitAnd, BitOr, BitXor, Mul, Not};
use wide::{f32x8, f64x4};

/// A 256-bit vector of floats. Masks are vectors whose lanes are all ones
/// (true) or all zeros (false), as the comparisons produce them.
pub trait Vector: Copy {
    /// The lane type.
    type Elem: Copy;
    /// Number of lanes.
    const LANES: usize;

    /// Every lane set to `x`.
    fn splat(x: Self::Elem) -> Self;
    /// Loads `LANES` elements from `p`.
    ///
    /// # Safety
    /// `p` must be valid for reading `LANES` elements; no alignment needed.
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

    /// `self > o`, false where either is NaN.
    fn gt(self, o: Self) -> Self;
    /// `self <= o`, false where either is NaN.
    fn le(self, o: Self) -> Self;
    /// `self < o`, false where either is NaN.
    fn lt(self, o: Self) -> Self;
    /// True where `self` is NaN.
    fn is_nan(self) -> Self;

    /// Bitwise and.
    fn and(self, o: Self) -> Self;
    /// Bitwise `!self & o`.
    fn and_not(self, o: Self) -> Self;
    /// Bitwise or.
    fn or(self, o: Self) -> Self;
    /// Bitwise xor.
    fn xor(self, o: Self) -> Self;
    /// One IEEE multiply per lane (never fused with anything).
    fn mul(self, o: Self) -> Self;
    /// `if self > o { self } else { o }` per lane, so `o` wherever either is
    /// NaN: x86's `maxps` rule, which the ops use to let a NaN through.
    fn max_or_second(self, o: Self) -> Self;
    /// `if_true` where the mask `self` is set, `if_false` elsewhere.
    fn select(self, if_true: Self, if_false: Self) -> Self;
}

macro_rules! impl_wide {
    ($v:ty, $t:ty, $lanes:literal) => {
        impl Vector for $v {
            type Elem = $t;
            const LANES: usize = $lanes;

            #[inline(always)]
            fn splat(x: $t) -> Self {
                <$v>::splat(x)
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
            fn gt(self, o: Self) -> Self {
                <$v>::simd_gt(self, o)
            }
            #[inline(always)]
            fn le(self, o: Self) -> Self {
                <$v>::simd_le(self, o)
            }
            #[inline(always)]
            fn lt(self, o: Self) -> Self {
                <$v>::simd_lt(self, o)
            }
            #[inline(always)]
            fn is_nan(self) -> Self {
                <$v>::is_nan(self)
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
            fn or(self, o: Self) -> Self {
                BitOr::bitor(self, o)
            }
            #[inline(always)]
            fn xor(self, o: Self) -> Self {
                BitXor::bitxor(self, o)
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                Mul::mul(self, o)
            }
            #[inline(always)]
            fn max_or_second(self, o: Self) -> Self {
                <$v>::simd_gt(self, o).bitselect(self, o)
            }
            #[inline(always)]
            fn select(self, if_true: Self, if_false: Self) -> Self {
                self.bitselect(if_true, if_false)
            }
        }
    };
}

impl_wide!(f32x8, f32, 8);
impl_wide!(f64x4, f64, 4);
