//! [`Vector`] for 16-bit formats on `wide`'s `i16x16` (the portable
//! level): integer compares on the bit patterns, and the portable
//! conversions for the one multiply.

use core::marker::PhantomData;
use wide::bytemuck::cast;
use wide::{f32x8, i16x8, i16x16, i32x8, u16x8};

use crate::arch::Vector;
use crate::arch::half16::{Format, neg_inf};

/// Sixteen lanes of format `T`, as their bit patterns.
#[derive(Clone, Copy)]
pub struct Half16<T>(i16x16, PhantomData<T>);

impl<T: Format> Half16<T> {
    #[inline(always)]
    fn new(v: i16x16) -> Self {
        Half16(v, PhantomData)
    }

    /// The patterns as integers in the order of their values (see
    /// `half16::order_key`).
    #[inline(always)]
    fn key(self) -> i16x16 {
        let negative = self.0.simd_lt(i16x16::ZERO);
        ((self.0 & i16x16::splat(0x7fff)) ^ negative) - negative
    }

    /// True where the pattern is a NaN: magnitude bits above infinity's.
    #[inline(always)]
    fn is_nan(self) -> i16x16 {
        (self.0 & i16x16::splat(0x7fff)).simd_gt(i16x16::splat(T::INF as i16))
    }
}

/// `f(x, y)` for eight pairs of patterns, widened to `f32` and the result
/// rounded once to the format.
#[inline(always)]
pub(crate) fn combine<T: Format>(x: i16x8, y: i16x8, f: impl Fn(f32x8, f32x8) -> f32x8) -> i16x8 {
    let widen = |v: i16x8| T::widen(i32x8::from_u16x8(cast::<i16x8, u16x8>(v)));
    i16x8::from_i32x8_truncate(T::narrow(f(widen(x), widen(y))))
}

/// `f` on the lanes of two vectors, as [`combine`] does it.
#[inline(always)]
fn combine16<T: Format>(x: i16x16, y: i16x16, f: impl Fn(f32x8, f32x8) -> f32x8) -> i16x16 {
    let ([xl, xh], [yl, yh]): ([i16x8; 2], [i16x8; 2]) = (cast(x), cast(y));
    cast([combine::<T>(xl, yl, &f), combine::<T>(xh, yh, &f)])
}

impl<T: Format> Vector for Half16<T> {
    type Elem = T;
    const LANES: usize = 16;
    type Alpha = f32x8;

    #[inline(always)]
    unsafe fn splat(x: T) -> Self {
        Self::new(i16x16::splat(x.bits() as i16))
    }
    #[inline(always)]
    unsafe fn alpha(alpha: T) -> f32x8 {
        f32x8::splat(alpha.to_f32())
    }
    #[inline(always)]
    unsafe fn load(p: *const T) -> Self {
        // SAFETY: the caller guarantees `p` is readable for 16 elements of
        // 2 bytes; `read_unaligned` needs no alignment.
        Self::new(i16x16::new(unsafe {
            p.cast::<[i16; 16]>().read_unaligned()
        }))
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut T) {
        // SAFETY: the caller guarantees `p` is writable for 16 elements of
        // 2 bytes; `write_unaligned` needs no alignment.
        unsafe { p.cast::<[i16; 16]>().write_unaligned(self.0.to_array()) }
    }
    #[inline(always)]
    fn relu_zero(self) -> Self {
        // At or below `-inf`: the negative numbers and `-0.0`.
        Self::new(i16x16::splat(neg_inf::<T>() + 1).simd_gt(self.0))
    }
    #[inline(always)]
    fn le_zero(self) -> Self {
        // Below `1` as `i16`: `+0.0` and every pattern with the sign set
        // (negative NaNs too, which `alpha` keeps NaN).
        Self::new(i16x16::splat(1).simd_gt(self.0))
    }
    #[inline(always)]
    fn lt_zero(self) -> Self {
        // One less moves `-0.0` (`i16::MIN`) to the top and keeps the
        // negative numbers at or below `-inf` less one.
        Self::new(i16x16::splat(neg_inf::<T>()).simd_gt(self.0 - i16x16::splat(1)))
    }
    #[inline(always)]
    fn nan_or(self, other: Self) -> Self {
        Self::new(self.is_nan().bitselect(self.0, other.0))
    }
    #[inline(always)]
    fn one_or_nan(self) -> Self {
        Self::new(
            self.is_nan()
                .bitselect(self.0, i16x16::splat(T::ONE as i16)),
        )
    }
    #[inline(always)]
    fn clamp(self, lo: Self, hi: Self) -> Self {
        let (x, lo_key, hi_key) = (self.key(), lo.key(), hi.key());
        let above_lo = x.simd_gt(lo_key);
        let (at_least_lo, its_key) = (
            above_lo.bitselect(self.0, lo.0),
            above_lo.bitselect(x, lo_key),
        );
        let limited = hi_key.simd_gt(its_key).bitselect(at_least_lo, hi.0);
        // The NaN lanes' own bits OR-ed in make them NaN.
        Self::new(limited | (self.is_nan() & self.0))
    }
    #[inline(always)]
    fn outside(self, lo: Self, hi: Self) -> Self {
        // A NaN's key lies beyond the infinities' (see `order_key`).
        let x = self.key();
        Self::new(lo.key().simd_gt(x) | x.simd_gt(hi.key()))
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Self::new(combine16::<T>(self.0, o.0, |a, b| a + b))
    }
    #[inline(always)]
    fn scale_lanes(self, mask: Self, factor: Self) -> Self {
        // `x * 1` rounds back to `x` (a NaN stays a NaN).
        let factor = mask.0.bitselect(factor.0, i16x16::splat(T::ONE as i16));
        Self::new(combine16::<T>(self.0, factor, |a, b| a * b))
    }
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        Self::new(self.0 & o.0)
    }
    #[inline(always)]
    fn and_not(self, o: Self) -> Self {
        Self::new(!self.0 & o.0)
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        Self::new(self.0 ^ o.0)
    }
    #[inline(always)]
    fn scale_where(self, mask: Self, alpha: f32x8) -> Self {
        // `y` is `x` again, unread; its conversion folds into `x`'s.
        let scaled = combine16::<T>(self.0, self.0, |a, _| a * alpha);
        Self::new(mask.0.bitselect(scaled, self.0))
    }
}
