//! `half::f16` and `half::bf16`: what the 16-bit vectors of every level
//! (`portable::half16`, `x86_64::avx2_half16`) know of the two formats.
//!
//! Both formats are sign-magnitude with the exponent above the mantissa,
//! so the select-only ops work on the bit patterns with integer compares,
//! 16 lanes to a 256-bit vector and no conversion: read as `i16`, every
//! negative number and `-0.0` lies at or below `-inf`'s pattern, the
//! negative NaNs between it and `-1`, then `+0.0`, the positive numbers,
//! `+inf` and the positive NaNs. Only a multiply (`alpha * x`) widens to
//! `f32`, multiplies there and rounds once back; for both formats that is
//! the correctly rounded product (see the crate documentation).

mod convert;

use wide::{f32x8, i32x8};

/// What the 16-bit vectors need to know of a format.
pub trait Format: Copy + Send + Sync + 'static {
    /// The bits of `+inf`: exponent all ones, mantissa zero. A pattern is
    /// NaN exactly when its magnitude bits exceed these.
    const INF: u16;
    /// The bits of `1.0`.
    const ONE: u16;
    /// The value's bit pattern.
    fn bits(self) -> u16;
    /// The value as `f32` (exact).
    fn to_f32(self) -> f32;
    /// Eight patterns (zero-extended to 32 bits) as `f32`, exactly.
    fn widen(bits: i32x8) -> f32x8;
    /// Eight `f32` rounded to the format, to nearest with ties to even;
    /// the patterns in the low 16 bits. A NaN gives a NaN.
    fn narrow(x: f32x8) -> i32x8;
}

impl Format for half::f16 {
    const INF: u16 = 0x7c00;
    const ONE: u16 = 0x3c00;
    #[inline(always)]
    fn bits(self) -> u16 {
        self.to_bits()
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        // Not `to_f32`, which checks for F16C at run time on every call:
        // that check is a memory read the compiler cannot hoist out of a
        // kernel's loop, where alpha is widened.
        self.to_f32_const()
    }
    #[inline(always)]
    fn widen(bits: i32x8) -> f32x8 {
        convert::f16_to_f32(bits)
    }
    #[inline(always)]
    fn narrow(x: f32x8) -> i32x8 {
        convert::f32_to_f16(x)
    }
}

impl Format for half::bf16 {
    const INF: u16 = 0x7f80;
    const ONE: u16 = 0x3f80;
    #[inline(always)]
    fn bits(self) -> u16 {
        self.to_bits()
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self.to_f32_const()
    }
    #[inline(always)]
    fn widen(bits: i32x8) -> f32x8 {
        convert::bf16_to_f32(bits)
    }
    #[inline(always)]
    fn narrow(x: f32x8) -> i32x8 {
        convert::f32_to_bf16(x)
    }
}

/// `-inf`'s pattern read as `i16`: every negative number and `-0.0` is at
/// or below it, every negative NaN above it.
pub(crate) const fn neg_inf<T: Format>() -> i16 {
    (0x8000 | T::INF) as i16
}
